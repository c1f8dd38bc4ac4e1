// Interop with KafkaJS's record batch code (an independent implementation): batches we encode
// decode with KafkaJS's decoder (none, gzip, and snappy through kafkajs-snappy), our CRC matches
// KafkaJS's CRC-32C, and batches KafkaJS encodes decode with ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { encodeRecordBatch, decodeRecordBatch, CompressionType, Off, type RecordInput } from '@tributary/protocol';

const require = createRequire(import.meta.url);
const KjsDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
const kjsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<KjsBatch>;
const kjsEncodeBatch = (require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (o: object) => Promise<{ buffer: Buffer }> })
  .RecordBatch;
const kjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown;
const kjsCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const { CompressionCodecs, CompressionTypes } = require('kafkajs') as {
  CompressionCodecs: Record<number, unknown>;
  CompressionTypes: Record<string, number>;
};
CompressionCodecs[CompressionTypes.Snappy!] = require('kafkajs-snappy');

interface KjsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [k: string]: Buffer | Buffer[] };
}
interface KjsBatch {
  firstOffset: string;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  records: KjsRecord[];
}

const records: RecordInput[] = [
  {
    key: 'user-1',
    value: '{"a":1}',
    timestamp: 1_700_000_000_000n,
    headers: [
      { key: 'h1', value: 'v1' },
      { key: 'h2', value: 'v2' },
    ],
  },
  { key: null, value: 'no key', timestamp: 1_700_000_000_002n },
  { key: 'empty', value: '', timestamp: 1_700_000_000_001n },
  ...Array.from({ length: 200 }, (_, i) => ({
    key: `k${i}`,
    value: `value number ${i} `.repeat((i % 7) + 1),
    timestamp: 1_700_000_000_003n + BigInt(i),
  })),
];

test('KafkaJS decodes our batches (none, gzip, snappy) to the same records; CRCs agree', async () => {
  for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy]) {
    const buf = await encodeRecordBatch({
      baseOffset: 1000n,
      partitionLeaderEpoch: 3,
      compression,
      isTransactional: true,
      producerId: 55n,
      producerEpoch: 2,
      baseSequence: 10,
      records,
    });
    assert.equal(kjsCrc32C(buf.subarray(Off.Attributes)), buf.readUInt32BE(Off.Crc));
    const k = await kjsDecodeBatch(new KjsDecoder(buf));
    assert.equal(k.firstOffset, '1000');
    assert.equal(k.partitionLeaderEpoch, 3);
    assert.equal(k.inTransaction, true);
    assert.equal(k.producerId, '55');
    assert.equal(k.producerEpoch, 2);
    assert.equal(k.firstSequence, 10);
    assert.equal(k.lastOffsetDelta, records.length - 1);
    assert.equal(k.maxTimestamp, String(1_700_000_000_003n + 199n));
    assert.equal(k.records.length, records.length);
    assert.deepEqual(k.records[0]!.headers, { h1: Buffer.from('v1'), h2: Buffer.from('v2') });
    assert.equal(k.records[1]!.key, null);
    assert.deepEqual(k.records[2]!.value, Buffer.alloc(0));
    for (let i = 0; i < records.length; i++) {
      const r = k.records[i]!;
      assert.equal(r.offset, String(1000 + i));
      assert.equal(r.timestamp, String(records[i]!.timestamp));
      assert.deepEqual(r.value, Buffer.from(records[i]!.value as string));
    }
  }
});

test('we decode batches KafkaJS encodes (none, gzip, snappy)', async () => {
  const base = 1_700_000_000_000;
  const kRecords = Array.from({ length: 50 }, (_, i) =>
    kjsRecord({
      offsetDelta: i,
      timestampDelta: i * 3,
      key: i % 5 === 0 ? null : Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`.repeat(i)),
      headers: i % 2 ? { trace: Buffer.from(`t${i}`) } : {},
    }),
  );
  for (const compression of [0, 1, 2]) {
    const enc = await kjsEncodeBatch({
      compression,
      firstOffset: 0,
      firstTimestamp: base,
      maxTimestamp: base + 147,
      partitionLeaderEpoch: 0,
      lastOffsetDelta: 49,
      producerEpoch: 0,
      firstSequence: 0,
      records: kRecords,
    });
    const b = await decodeRecordBatch(enc.buffer);
    assert.equal(b.compression, compression);
    assert.equal(b.records.length, 50);
    for (let i = 0; i < 50; i++) {
      const r = b.records[i]!;
      assert.equal(r.offset, BigInt(i));
      assert.equal(r.timestamp, BigInt(base + i * 3));
      assert.deepEqual(r.key, i % 5 === 0 ? null : Buffer.from(`k${i}`));
      assert.deepEqual(r.value, Buffer.from(`v${i}`.repeat(i)));
      assert.deepEqual(r.headers, i % 2 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }] : []);
    }
  }
});
