// Public surface of the classic group coordinator.
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.ts';
export { GroupCoordinatorShard, type ShardState } from './group-coordinator-shard.ts';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.ts';
export { InMemoryCoordinatorLog, type CoordinatorLog, type StoredRecord } from './coordinator-log.ts';
export { GroupApiError } from './errors.ts';
export { javaStringHashCode, partitionForGroup } from './partition-for.ts';
export * from './records.ts';
export { encodeCoordinatorBatch, coordinatorRecordsIn } from './coordinator-batches.ts';
export { PartitionCoordinatorLog, type CoordinatorPartition, type PartitionCoordinatorLogOptions } from './partition-coordinator-log.ts';
export { KeyedTimer } from './keyed-timer.ts';
export type * from './types.ts';
