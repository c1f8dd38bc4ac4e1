// Encoding drained batches: the accumulator's size estimate equals the real uncompressed size, every
// codec round-trips through @tributary/protocol's decoder, idempotence fields land in the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecordBatch } from '@tributary/protocol';
import { RecordAccumulator, type AppendResult, type ProducerBatch } from '../../src/producer/accumulator.ts';
import { encodeProducerBatch, type CompressionName } from '../../src/producer/batch-encoder.ts';

function batchOf(n: number) {
  const acc = new RecordAccumulator({ batchSize: 1 << 20, clock: () => 0 });
  let result: AppendResult | undefined;
  for (let i = 0; i < n; i++) {
    result = acc.append('t', 0, {
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 5 === 0 ? null : Buffer.from(`value ${i} `.repeat(i % 7)),
      headers:
        i % 2
          ? [
              { key: 'h', value: Buffer.from([i & 0xff]) },
              { key: 'n', value: null },
            ]
          : [],
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
      assert.deepEqual(
        r.headers.map((h) => [h.key, h.value]),
        src.headers.map((h) => [h.key, h.value]),
      );
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

test('byte for byte what @tributary/protocol encodeRecordBatch writes', async () => {
  const { encodeRecordBatch, CompressionType } = await import('@tributary/protocol');
  for (const n of [1, 7, 120]) {
    const b = batchOf(n);
    for (const [codec, type] of [
      ['none', CompressionType.None],
      ['gzip', CompressionType.Gzip],
      ['lz4', CompressionType.Lz4],
    ] as const) {
      const ours = await encodeProducerBatch(b, { compression: codec, producerId: 9n, producerEpoch: 1, baseSequence: 5 });
      const reference = await encodeRecordBatch({
        records: b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: BigInt(r.timestamp) })),
        compression: type,
        producerId: 9n,
        producerEpoch: 1,
        baseSequence: 5,
      });
      assert.ok(ours.equals(reference), `n=${n} ${codec}`);
    }
  }
  // timestamps going backwards and far apart (varlong deltas), header keys beyond ASCII
  const acc = new RecordAccumulator({ batchSize: 1 << 20, clock: () => 0 });
  const recs = [
    { key: null, value: Buffer.from('a'), headers: [{ key: 'clé-✓', value: Buffer.from('v') }], timestamp: 1_700_000_000_000 },
    { key: Buffer.from('k'), value: null, headers: [], timestamp: 1_000 },
    { key: null, value: Buffer.alloc(0), headers: [], timestamp: 1_700_000_000_000 + 2 ** 40 },
  ];
  let batch: ProducerBatch | undefined;
  for (const r of recs) batch = acc.append('t', 0, r).batch;
  const ours = await encodeProducerBatch(batch!);
  const reference = await encodeRecordBatch({ records: recs.map((r) => ({ ...r, timestamp: BigInt(r.timestamp) })) });
  assert.ok(ours.equals(reference));
});
