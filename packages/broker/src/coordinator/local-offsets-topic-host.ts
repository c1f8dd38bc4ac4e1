// LocalOffsetsTopicHost: an OffsetsTopicHost over a storage LogManager, for a single broker
// without a topic/partition manager: the topic "exists" when its partition directories do, every
// partition is led here at leader epoch 0. TEMPORARY: replaced by an adapter over the broker's
// topic manager once that lands.
import { LogManager } from '@tributary/storage';
import type { CoordinatorPartition } from './group/index.ts';
import type { OffsetsTopicHost } from './offsets-topic-host.ts';

export class LocalOffsetsTopicHost implements OffsetsTopicHost {
  readonly logs: LogManager;

  constructor(logDirs: string[], clusterId: string) {
    this.logs = new LogManager({ logDirs, clusterId, scheduler: null }).startup();
  }

  partitionCount(topic: string): number | undefined {
    let n = 0;
    for (const log of this.logs.allLogs()) if (log.topic === topic) n++;
    return n === 0 ? undefined : n;
  }

  async createInternalTopic(topic: string, numPartitions: number): Promise<void> {
    for (let p = 0; p < numPartitions; p++) this.logs.getOrCreateLog(topic, p, { config: { retentionMs: -1, retentionBytes: -1 } });
  }

  partitionLog(topic: string, partition: number): CoordinatorPartition | undefined {
    return this.logs.getLog(topic, partition);
  }

  leaderEpoch(): number {
    return 0;
  }

  shutdown(): void {
    this.logs.shutdown();
  }
}
