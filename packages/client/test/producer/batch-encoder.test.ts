// Encoding drained batches: the accumulator's size estimate equals the real uncompressed size, every
// codec round-trips through @tributary/protocol's decoder, idempotence fields land in the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecordBatch } from '@tributary/protocol';
import { RecordAccumulator } from '../../src/producer/accumulator.ts';
import { encodeProducerBatch, type CompressionName } from '../../src/producer/batch-encoder.ts';

function batchOf(n: number) {
  const acc = new RecordAccumulator({ batchSize: 1 << 20, clock: () => 0 });
  let result;
  for (let i = 0; i < n; i++) {
    result = acc.append('t', 0, {
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 5 === 0 ? null : Buffer.from(`value ${i} `.repeat(i % 7)),
      headers: i % 2 ? [{ key: 'h', value: Buffer.from([i & 0xff]) }, { key: 'n', value: null }] : [],
      timestamp: 1_732_460_000_000 + i * 3,
    });
  }
  return result!.batch;
}

test('estimated batch size equals the encoded uncompressed size', async () => {
  for (const n of [1, 2, 10, 200]) {
    const b = batchOf(n);
    const bytes = await encodeProducerBatch(b);
    assert.equal(bytes.length, b.sizeInBytes, `n=${n}`);
  }
});

test('every codec round-trips the records', async () => {
  const b = batchOf(50);
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
    const bytes = await encodeProducerBatch(b, { compression: codec });
    const d = await decodeRecordBatch(bytes);
    assert.equal(d.records.length, 50, codec);
    d.records.forEach((r, i) => {
      const src = b.records[i];
      assert.equal(r.offset, BigInt(i));
      assert.equal(r.timestamp, BigInt(src.timestamp));
      assert.deepEqual(r.key, src.key);
      assert.deepEqual(r.value, src.value);
      assert.deepEqual(r.headers.map((h) => [h.key, h.value]), src.headers.map((h) => [h.key, h.value]));
    });
  }
});

test('idempotent producer fields', async () => {
  const d = await decodeRecordBatch(await encodeProducerBatch(batchOf(3), { producerId: 4000n, producerEpoch: 2, baseSequence: 17 }));
  assert.equal(d.producerId, 4000n);
  assert.equal(d.producerEpoch, 2);
  assert.equal(d.baseSequence, 17);
  assert.equal(d.isTransactional, false);
  const plain = await decodeRecordBatch(await encodeProducerBatch(batchOf(1)));
  assert.equal(plain.producerId, -1n);
  assert.equal(plain.baseSequence, -1);
});
