// fetch.max.bytes over a real socket: whatever MaxBytes and PartitionMaxBytes a Fetch asks (2 GiB
// here), the response carries at most fetch.max.bytes of records, whole batches, across partitions
// in request order; KIP-74: a first batch larger than fetch.max.bytes is still returned whole (and
// alone); MinBytes is capped too, so a MinBytes of 2 GiB is answered once fetch.max.bytes are there.
// Runs on both fetch paths: zero-copy (records sent with sendfile) and the copy path.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, CompressionType, ErrorCode, decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const TWO_GIB = 2 ** 31 - 1;

/** One record of `valueBytes` bytes in its own batch (every batch of a size is the same size). */
const batchOf = (valueBytes: number) =>
  encodeRecordBatch({
    records: [{ key: null, value: Buffer.alloc(valueBytes, 7), timestamp: 1_700_000_000_000 }],
    compression: CompressionType.None,
  });

function fetchAll(partitions: Array<[topic: string, partition: number]>, o: { minBytes?: number; maxWaitMs?: number } = {}) {
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: TWO_GIB,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: partitions.map(([topic, partition]) => ({
      topic,
      partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: TWO_GIB }],
    })),
  };
}

for (const zeroCopy of [true, false]) {
  describe(`fetch.max.bytes (${zeroCopy ? 'zero-copy' : 'copy path'})`, async () => {
    const small = await batchOf(1000);
    const S = small.length;
    // exactly 10 of these batches
    const FETCH_MAX_BYTES = 10 * S;
    const b = await startTestBroker({ 'fetch.max.bytes': FETCH_MAX_BYTES, 'tributary.zero.copy.enable': zeroCopy });
    const c = await kafkaClient(b.port);
    const tm = topicsOf(b.broker);
    await tm.createTopic({ name: 'cap', numPartitions: 2 });
    await tm.createTopic({ name: 'big', numPartitions: 1, configs: { 'max.message.bytes': '100000' } });
    // partition 0: 6 batches, partition 1: 20
    for (const [partition, count] of [
      [0, 6],
      [1, 20],
    ]) {
      for (let i = 0; i < count!; i++) {
        const r = await c.request(ApiKey.Produce, 9, {
          acks: -1,
          timeoutMs: 1000,
          topicData: [{ name: 'cap', partitionData: [{ index: partition, records: small }] }],
        });
        assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
      }
    }
    const large = await batchOf(30_000);
    for (let i = 0; i < 2; i++) {
      const r = await c.request(ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'big', partitionData: [{ index: 0, records: large }] }],
      });
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
    after(async () => {
      c.close();
      await b.stop();
    });

    it('a 2 GiB MaxBytes Fetch gets whole batches up to fetch.max.bytes, across partitions', async () => {
      const res = await c.request(
        ApiKey.Fetch,
        12,
        fetchAll([
          ['cap', 0],
          ['cap', 1],
        ]),
      );
      const [p0, p1] = [res.responses[0]!.partitions[0]!, res.responses[1]!.partitions[0]!];
      assert.deepEqual([p0.errorCode, p0.highWatermark, p1.errorCode, p1.highWatermark], [0, 6n, 0, 20n]);
      assert.equal(p0.records!.length, 6 * S);
      assert.equal(p1.records!.length, 4 * S, 'the rest of the budget: 4 of the 20 batches');
      assert.deepEqual(
        (await decodeRecordBatches(p1.records!)).map((x) => Number(x.baseOffset)),
        [0, 1, 2, 3],
      );
      const one = await c.request(ApiKey.Fetch, 4, fetchAll([['cap', 1]]));
      assert.equal(one.responses[0]!.partitions[0]!.records!.length, FETCH_MAX_BYTES, 'v4 too: 10 of the 20 batches');
    });

    it('KIP-74: a first batch larger than fetch.max.bytes is returned whole, and alone', async () => {
      const res = await c.request(ApiKey.Fetch, 12, fetchAll([['big', 0]]));
      const p = res.responses[0]!.partitions[0]!;
      assert.equal(p.errorCode, ErrorCode.NONE);
      assert.equal(p.records!.length, large.length);
      assert.ok(large.length > FETCH_MAX_BYTES);
      assert.deepEqual(
        (await decodeRecordBatches(p.records!)).map((x) => [Number(x.baseOffset), x.records[0]!.value!.length]),
        [[0, 30_000]],
      );
    });

    it('MinBytes is capped at fetch.max.bytes: a 2 GiB MinBytes with a 24-day wait is answered', { timeout: 20_000 }, async () => {
      const res = await c.request(ApiKey.Fetch, 12, fetchAll([['cap', 1]], { minBytes: TWO_GIB, maxWaitMs: TWO_GIB }));
      assert.equal(res.responses[0]!.partitions[0]!.records!.length, FETCH_MAX_BYTES);
    });
  });
}
