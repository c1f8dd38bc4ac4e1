// OffsetsTopicHost over the broker's metadata and ReplicaManager: __consumer_offsets (and
// __transaction_state, for the transaction coordinator) is an ordinary (internal) topic; it is created through the controller, coordinator writes go through
// ReplicaManager.appendAsCoordinator (no client validation; answered once the ISR has the write),
// and loads read the partition's log. A partition is served while a local node leads it
// (in the shared-log test cluster, any of its nodes).
import { usableBrokerIds } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { ControllerChannel } from '../metadata/controller-channel.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import type { ReplicaManager } from '../replica/replica-manager.ts';
import type { CoordinatorPartition } from './group/index.ts';
import type { OffsetsTopicHost } from './offsets-topic-host.ts';

export class ReplicaOffsetsHost implements OffsetsTopicHost {
  constructor(
    private readonly metadata: MetadataCache,
    private readonly replicas: ReplicaManager,
    private readonly controller: ControllerChannel,
    private readonly config: BrokerConfig,
    private readonly isLocalNode: (nodeId: number) => boolean,
  ) {}

  partitionCount(topic: string): number | undefined {
    return this.metadata.topic(topic)?.partitions.length;
  }

  async createInternalTopic(topic: string, numPartitions: number, configs: Record<string, string>, configured?: number): Promise<void> {
    // As many replicas as the controller can place, up to the configured replication factor
    // (offsets.topic.replication.factor unless given), and min.insync.replicas no more than that.
    const usable = usableBrokerIds(this.metadata.image.cluster).length;
    const replicationFactor = Math.min(configured ?? this.config.get('offsets.topic.replication.factor'), usable);
    const minIsr = configs['min.insync.replicas'];
    if (minIsr !== undefined && Number(minIsr) > replicationFactor)
      configs = { ...configs, 'min.insync.replicas': String(Math.max(1, replicationFactor)) };
    const [r] = await this.controller.createTopics([{ name: topic, numPartitions, replicationFactor, configs }]);
    if (r && r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new Error(`cannot create ${topic}: ${r.errorMessage ?? r.errorCode}`);
    }
  }

  partitionLog(topic: string, partition: number): CoordinatorPartition | undefined {
    const p = this.replicas.getPartition(topic, partition);
    if (!p || !this.isLocalNode(p.leader)) return undefined;
    return {
      get logStartOffset() {
        return p.logStartOffset;
      },
      get logEndOffset() {
        return p.logEndOffset;
      },
      // Served as the partition's leader: in the shared-log test cluster that may be another local node id.
      // committed (the ISR has it) before the coordinator answers; offsets.commit.timeout.ms is 5000
      append: async (batches) => ({ lastOffset: (await this.replicas.appendAsCoordinator(p, batches, p.leader, 5000)).lastOffset }),
      read: (fetchOffset, maxBytes, maxOffset) => p.log.read(fetchOffset, maxBytes, maxOffset),
    };
  }

  leaderEpoch(topic: string, partition: number): number {
    return this.metadata.partition(topic, partition)?.leaderEpoch ?? 0;
  }
}
