// Partitioning: Kafka's murmur2 key hashing, the sticky partitioner for unkeyed records, and the
// default partitioner combining them with explicit partitions and custom partitioners.
export { murmur2, toPositive, partitionForKey } from './murmur2.ts';
export { StickyPartitioner, defaultRandomInt, type RandomInt } from './sticky-partitioner.ts';
export {
  DefaultPartitioner,
  type Partitioner,
  type PartitionerArgs,
  type PartitionChoice,
  type DefaultPartitionerOptions,
} from './partitioner.ts';
