// The broker's log lines for topics appearing and going, from each metadata delta it applies (so
// every way a topic is made is covered: CreateTopics here or on another broker, auto-creation,
// the internal topics), as Kafka's controller logs "Created topic ... with topic ID ..." and
// "Removed topic ...". The first delta, which carries the whole image at start, is not logged.
import type { MetadataDelta, MetadataImage } from '@tributary/metadata';
import type { Logger } from '../logger.ts';

export function logTopicChanges(delta: MetadataDelta, image: MetadataImage, log: Logger): void {
  const topics = delta.topics;
  if (!topics) return;
  for (const [name, topicId] of topics.createdTopics) {
    const t = image.topics.getTopicByName(name);
    if (!t || t.topicId !== topicId) continue; // created and deleted again within the delta
    const rf = t.partitions.get(0)?.replicas.length ?? 0;
    log.info(`Created topic ${name} with topic ID ${topicId}: ${t.partitions.size} partitions, replication factor ${rf}`);
  }
  for (const topicId of topics.deletedTopicIds) {
    const name = topics.image.getTopic(topicId)?.name;
    if (name !== undefined) log.info(`Deleted topic ${name} with topic ID ${topicId}`);
  }
}
