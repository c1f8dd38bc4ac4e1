// Public surface of the classic group coordinator.
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.ts';
export { GroupCoordinatorShard, type ShardState } from './group-coordinator-shard.ts';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.ts';
export {
  InMemoryCoordinatorLog,
  isTxnMarker,
  type CoordinatorLog,
  type StoredEntry,
  type StoredRecord,
  type StoredTxnMarker,
  type TransactionalAppend,
} from './coordinator-log.ts';
export { PendingTransactionalOffsets } from './pending-transactional-offsets.ts';
export { GroupApiError } from './errors.ts';
export { javaStringHashCode, partitionForGroup } from './partition-for.ts';
export * from './records.ts';
export { encodeCoordinatorBatch, coordinatorEntriesOf, coordinatorRecordsIn } from './coordinator-batches.ts';
export { PartitionCoordinatorLog, type CoordinatorPartition, type PartitionCoordinatorLogOptions } from './partition-coordinator-log.ts';
export { KeyedTimer } from './keyed-timer.ts';
export type * from './types.ts';
