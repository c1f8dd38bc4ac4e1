// The helpers test authors reach for, against any broker or cluster (a bootstrap string), with
// Tributary's own client; each opens a client, does one thing, and closes it:
//
//   await createTopic(bootstrap, { name: 'orders', partitions: 3, configs: { 'cleanup.policy': 'compact' } });
//   await produce(bootstrap, 'orders', [{ key: 'k', value: 'v' }, 'just a value']);
//   const records = await consumeUntil(bootstrap, 'orders', { count: 2 });   // from the beginning, no group
//   await waitForGroup(bootstrap, 'billing', { members: 2 });                // Stable, with 2 members
//
// startBroker() and startCluster() hand out the same helpers bound to their bootstrap.
import { Kafka, type ConsumerRecord, type GroupDescription, type Message, type RecordMetadata } from '@tributary/client';

/** A topic to create: its name, and optionally partitions, replication factor and configs (Kafka's names). */
export interface TopicSpec {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string | number | boolean>;
}

export interface ConsumeUntilOptions {
  /** Stop once this many records were read (across partitions). */
  count?: number;
  /** Stop once this returns true for the records read so far. */
  until?: (records: ConsumerRecord[]) => boolean;
  /** Fail after this long (default 10000 ms), naming how many records were read. */
  timeoutMs?: number;
}

export interface WaitForGroupOptions {
  /** The state to wait for (default 'Stable'). */
  state?: string;
  /** Also wait for exactly this many members. */
  members?: number;
  /** Fail after this long (default 10000 ms), with the group's last state. */
  timeoutMs?: number;
}

function client(bootstrap: string): Kafka {
  return new Kafka({ bootstrapServers: bootstrap, clientId: 'tributary-testkit' });
}

/** Creates topics (a name, or a TopicSpec), all in one CreateTopics request. */
export async function createTopic(bootstrap: string, ...topics: Array<string | TopicSpec>): Promise<void> {
  const kafka = client(bootstrap);
  try {
    await kafka.admin().createTopics(
      topics.map((t) => {
        const spec = typeof t === 'string' ? { name: t } : t;
        const configs = Object.fromEntries(Object.entries(spec.configs ?? {}).map(([k, v]) => [k, String(v)]));
        return { ...spec, configs };
      }),
    );
  } finally {
    await kafka.close();
  }
}

/** Produces records (a string is a value without a key) with acks=all; resolves with their offsets. */
export async function produce(bootstrap: string, topic: string, messages: Array<Message | string>): Promise<RecordMetadata[]> {
  const kafka = client(bootstrap);
  try {
    const producer = kafka.producer();
    return await producer.send({ topic, messages: messages.map((m) => (typeof m === 'string' ? { value: m } : m)) });
  } finally {
    await kafka.close();
  }
}

/**
 * Reads `topic` from the beginning of every partition (no group, nothing committed) until `count`
 * records were read or `until` holds, and returns them in the order read.
 */
export async function consumeUntil(bootstrap: string, topic: string, opts: ConsumeUntilOptions): Promise<ConsumerRecord[]> {
  const { count, until, timeoutMs = 10_000 } = opts;
  if (count === undefined && until === undefined) throw new Error('consumeUntil needs `count` or `until`');
  const done = (records: ConsumerRecord[]) => (count !== undefined && records.length >= count) || (until?.(records) ?? false);
  const kafka = client(bootstrap);
  const records: ConsumerRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const [description] = await kafka.admin().describeTopics([topic]);
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign(description!.partitions.map((p) => ({ topic, partition: p.partition })));
    if (done(records)) return records;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`consumeUntil(${topic}): ${records.length} record(s) read in ${timeoutMs} ms, the condition still does not hold`));
        void consumer.close();
      }, timeoutMs);
    });
    const read = (async () => {
      for await (const record of consumer) {
        records.push(record);
        if (done(records)) break;
      }
    })();
    await Promise.race([read, timedOut]);
    return records;
  } finally {
    clearTimeout(timer);
    await kafka.close();
  }
}

/** Waits until a consumer group is in `state` (default Stable), with `members` members when given. */
export async function waitForGroup(bootstrap: string, groupId: string, opts: WaitForGroupOptions = {}): Promise<GroupDescription> {
  const { state = 'Stable', members, timeoutMs = 10_000 } = opts;
  const kafka = client(bootstrap);
  const deadline = Date.now() + timeoutMs;
  let last: GroupDescription | undefined;
  try {
    for (;;) {
      [last] = await kafka.admin().describeGroups([groupId]);
      if (last && last.state === state && (members === undefined || last.members.length === members)) return last;
      if (Date.now() >= deadline)
        throw new Error(
          `group ${groupId} is not ${state}${members === undefined ? '' : ` with ${members} member(s)`} after ${timeoutMs} ms ` +
            `(last: ${last?.state ?? 'unknown'}, ${last?.members.length ?? 0} member(s))`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await kafka.close();
  }
}

/** The helpers bound to one bootstrap (what startBroker and startCluster hand out). */
export interface ClientHelpers {
  createTopic(...topics: Array<string | TopicSpec>): Promise<void>;
  produce(topic: string, messages: Array<Message | string>): Promise<RecordMetadata[]>;
  consumeUntil(topic: string, opts: ConsumeUntilOptions): Promise<ConsumerRecord[]>;
  waitForGroup(groupId: string, opts?: WaitForGroupOptions): Promise<GroupDescription>;
}

export function clientHelpers(bootstrap: () => string): ClientHelpers {
  return {
    createTopic: (...topics) => createTopic(bootstrap(), ...topics),
    produce: (topic, messages) => produce(bootstrap(), topic, messages),
    consumeUntil: (topic, opts) => consumeUntil(bootstrap(), topic, opts),
    waitForGroup: (groupId, opts) => waitForGroup(bootstrap(), groupId, opts),
  };
}
