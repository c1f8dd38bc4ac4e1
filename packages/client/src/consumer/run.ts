// `consumer.run({ eachRecord })` / `consumer.run({ eachBatch })`: the handler style of KafkaJS on
// top of the iterators. Records (or batches) are handed to the handler one at a time, the next
// only after the handler's promise settled (backpressure as with the iterators). run() resolves
// when the consumer is closed. A handler that throws stops run(), which rejects with that error,
// after seeking the partition back to the record (or the batch's first record) that failed, so it
// is delivered again by the next run() or iterator and auto-commit does not commit past it.
import type { Consumer, RunHandlers } from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import { KafkaClientError } from '../network/errors.ts';

function rewind(consumer: Consumer, tp: TopicPartition, offset: bigint): void {
  if (!consumer.assignment().some((a) => a.topic === tp.topic && a.partition === tp.partition)) return;
  consumer.seek(tp, offset);
}

export async function runConsumer(consumer: Consumer, handlers: RunHandlers): Promise<void> {
  const { eachRecord, eachBatch } = handlers;
  // the type says exactly one; JavaScript callers are checked here
  if ((eachRecord === undefined) === (eachBatch === undefined)) {
    throw new KafkaClientError('run() takes exactly one of eachRecord and eachBatch', 'INVALID_CONFIG', false);
  }
  if (eachRecord) {
    for await (const record of consumer.records()) {
      try {
        await eachRecord(record);
      } catch (err) {
        rewind(consumer, record, record.offset);
        throw err;
      }
    }
    return;
  }
  for await (const batch of consumer.batches()) {
    try {
      await eachBatch!(batch);
    } catch (err) {
      rewind(consumer, batch, batch.records[0]!.offset);
      throw err;
    }
  }
}
