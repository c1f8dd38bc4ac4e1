// Choosing a partition and appending a record, with the sticky partitioner's feedback loop as in
// the Java producer (RecordAccumulator.append + BuiltInPartitioner): before choosing, if the
// partition's batches are all full, a switch that was held back is completed; after appending,
// the appended bytes are reported with switching enabled only when the last batch is full.
import type { DefaultPartitioner } from '../partitioner/partitioner.ts';
import type { AccumulatorRecord, AppendResult, RecordAccumulator } from './accumulator.ts';

export interface TopicLayout {
  partitionCount: number;
  /** Partitions that currently have a leader. */
  availablePartitions: readonly number[];
}

export function partitionAndAppend(
  partitioner: DefaultPartitioner,
  accumulator: RecordAccumulator,
  topic: string,
  layout: TopicLayout,
  record: AccumulatorRecord,
  explicitPartition?: number,
): AppendResult {
  let choice = partitioner.partition(topic, record.key, record.value, layout.partitionCount, layout.availablePartitions, explicitPartition);
  if (choice.sticky && accumulator.lastBatchFull(topic, choice.partition)) {
    partitioner.onStickyAppend(topic, 0, layout.partitionCount, layout.availablePartitions, true);
    choice = partitioner.partition(topic, record.key, record.value, layout.partitionCount, layout.availablePartitions, explicitPartition);
  }
  const result = accumulator.append(topic, choice.partition, record);
  if (choice.sticky) {
    partitioner.onStickyAppend(topic, result.appendedBytes, layout.partitionCount, layout.availablePartitions, result.lastBatchFull);
  }
  return result;
}
