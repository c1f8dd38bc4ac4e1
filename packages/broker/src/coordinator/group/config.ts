// Group coordinator settings, named after Kafka's broker configs, with Kafka's defaults.
export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number;
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** How long a new member's parked JoinGroup may wait (Kafka: 5 minutes, not configurable). */
  groupNewMemberJoinTimeoutMs: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (compared with the string's length, as Kafka does) */
  offsetMetadataMaxSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  offsetsTopicNumPartitions: 50,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2 ** 31 - 1,
  groupNewMemberJoinTimeoutMs: 5 * 60 * 1000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxSize: 4096,
};
