// Topic name rules (Kafka's org.apache.kafka.common.internals.Topic): legal characters
// [a-zA-Z0-9._-], at most 249 characters, not "." or "..". Internal topics are Kafka's two;
// `__cluster_metadata` is the metadata log itself, which no client may create.
export const MAX_TOPIC_NAME_LENGTH = 249;
export const GROUP_METADATA_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export { CLUSTER_METADATA_TOPIC } from '@tributary/storage';
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC]);

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Kafka's message for an invalid name, or undefined when the name is valid. */
export function topicNameProblem(name: string | null | undefined): string | undefined {
  if (name === null || name === undefined || name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return undefined;
}

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** Kafka's Topic.unifyCollisionChars: '.' and '_' collide in metric names. */
export function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_');
}
