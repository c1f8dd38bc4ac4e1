// OffsetsTopicHost: what the group coordinator service needs from the broker's topic/partition
// layer (for __transaction_state too) — does `__consumer_offsets` exist (and with how many partitions), create it as an internal
// compacted topic, the local log of a partition this broker leads and its leader epoch. The
// partition layer implements it (a small adapter); leadership changes reach the service through
// `GroupCoordinatorService.onBecomeLeader` / `onResign`.
import type { CoordinatorPartition } from './group/index.ts';

export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

export interface OffsetsTopicHost {
  /** Number of partitions of `topic`, or undefined when it does not exist. */
  partitionCount(topic: string): number | undefined;
  /**
   * Creates an internal topic with one replica per partition led by this broker (idempotent: resolves
   * when it exists already). `configs` are topic configs by Kafka name (cleanup.policy=compact, ...).
   * `replicationFactor`: the configured one (default offsets.topic.replication.factor), capped at
   * the brokers that can take a replica; a `min.insync.replicas` in `configs` is capped at the result.
   */
  createInternalTopic(topic: string, numPartitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<void>;
  /** The local log of a partition this broker leads, or undefined. */
  partitionLog(topic: string, partition: number): CoordinatorPartition | undefined;
  /** The partition's current leader epoch. */
  leaderEpoch(topic: string, partition: number): number;
}
