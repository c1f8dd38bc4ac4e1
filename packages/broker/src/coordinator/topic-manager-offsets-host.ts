// OffsetsTopicHost over the broker's TopicManager: __consumer_offsets is an ordinary (internal)
// topic of the partition layer; coordinator writes go through Partition.appendRecordsToLeader so the high
// watermark follows, and loads read the partition's log. A partition is served while one of this
// process's nodes leads it (every node of a LocalCluster shares the one coordinator).
import { ErrorCode } from '@tributary/protocol';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { TopicManager } from '../partitions/topic-manager.ts';
import type { CoordinatorPartition } from './group/index.ts';
import type { OffsetsTopicHost } from './offsets-topic-host.ts';

export class TopicManagerOffsetsHost implements OffsetsTopicHost {
  constructor(private readonly topics: TopicManager, private readonly config: BrokerConfig, private readonly isLocalNode: (nodeId: number) => boolean) {}

  partitionCount(topic: string): number | undefined {
    return this.topics.topic(topic)?.partitions.length;
  }

  async createInternalTopic(topic: string, numPartitions: number, configs: Record<string, string>): Promise<void> {
    const replicationFactor = Math.min(this.config.get('offsets.topic.replication.factor'), this.topics.usableBrokerIds.length);
    const r = this.topics.createTopic({ name: topic, numPartitions, replicationFactor, configs });
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new Error(`cannot create ${topic}: ${r.errorMessage ?? r.errorCode}`);
    }
  }

  partitionLog(topic: string, partition: number): CoordinatorPartition | undefined {
    const p = this.topics.partition(topic, partition);
    if (!p || !this.isLocalNode(p.leader)) return undefined;
    return {
      get logStartOffset() { return p.logStartOffset; },
      get logEndOffset() { return p.logEndOffset; },
      // Served while a local node leads it: in a shared-log cluster that may be another node id than this broker's.
      append: async (batches) => ({ lastOffset: (await p.appendRecordsToLeader(batches, { requiredAcks: 1, origin: 'coordinator', servingNode: p.leader })).lastOffset }),
      read: (fetchOffset, maxBytes, maxOffset) => p.log.read(fetchOffset, maxBytes, maxOffset),
    };
  }

  leaderEpoch(topic: string, partition: number): number {
    return this.topics.partition(topic, partition)?.leaderEpoch ?? 0;
  }
}
