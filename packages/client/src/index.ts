// @tributary/client: a Kafka client for Node.js. See README.md for the API.
export type * from './api.ts';
export { Kafka } from './kafka.ts';
export { ACL_OPERATIONS } from './admin/acls.ts';
export { BrokerConnection, type ConnectionOptions, type RequestOptions } from './network/connection.ts';
export type { VersionRange } from './cluster/api-versions.ts';
export { KafkaClientError, ConnectionError, RequestTimeoutError, ClientClosedError } from './network/errors.ts';
export { UnsupportedVersionError } from './cluster/api-versions.ts';
export { NoOffsetForPartitionError } from './consumer/subscription-state.ts';
export { CommitFailedError } from './consumer/group-coordinator.ts';
export * from './partitioner/index.ts';
export * from './assignors/index.ts';
export {
  RecordAccumulator,
  ProducerBatch,
  type AccumulatorOptions,
  type AccumulatorRecord,
  type AppendResult,
  type ReadyResult,
  type BatchResult,
} from './producer/accumulator.ts';
export { partitionAndAppend, type TopicLayout } from './producer/partition-and-append.ts';
export { recordSizeInBytes, RECORD_BATCH_OVERHEAD } from './producer/record-size.ts';
