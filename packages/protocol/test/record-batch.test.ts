// Record batch v2 tests: round trips (null/empty keys and values, headers, many records, every
// codec, transactional and control batches, timestamps), header-only rewrites, control markers,
// fetch blobs with a partial trailing batch, and legacy magic detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeRecordBatch,
  encodeRecordBatchSync,
  decodeRecordBatch,
  decodeRecordBatchSync,
  decodeRecordBatches,
  CompressionType,
  InvalidBatchError,
  Off,
  validateBatch,
  setBaseOffset,
  setPartitionLeaderEpoch,
  setLogAppendTime,
  buildEndTxnMarkerBatch,
  ControlRecordType,
  readEndTxnMarker,
  endTxnMarkerOf,
  decodeControlKey,
  type RecordInput,
} from '@tributary/protocol';
import { logLineRecords } from './helpers/log-lines.ts';

const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

const mixed: RecordInput[] = [
  { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000n },
  { key: null, value: null, timestamp: 1_700_000_000_005n },
  { key: '', value: '', timestamp: 1_699_999_999_990n },
  {
    key: Buffer.from([0, 1, 2]),
    value: 'x'.repeat(300),
    timestamp: 1_700_000_000_001n,
    headers: [
      { key: 'trace', value: 'abc' },
      { key: 'nullh', value: null },
      { key: 'empty', value: '' },
      { key: 'ünï', value: Buffer.from([255]) },
    ],
  },
];

test('round trip of null and empty keys, values and headers, with every codec', async () => {
  for (const compression of codecs) {
    const buf = await encodeRecordBatch({
      baseOffset: 100n,
      partitionLeaderEpoch: 7,
      compression,
      producerId: 4242n,
      producerEpoch: 3,
      baseSequence: 17,
      records: mixed,
    });
    assert.equal(validateBatch(buf, 0), buf.length);
    const b = await decodeRecordBatch(buf);
    assert.equal(b.compression, compression);
    assert.equal(b.baseOffset, 100n);
    assert.equal(b.batchLength, buf.length - 12);
    assert.equal(b.partitionLeaderEpoch, 7);
    assert.equal(b.magic, 2);
    assert.equal(b.lastOffsetDelta, 3);
    assert.equal(b.baseTimestamp, 1_700_000_000_000n);
    assert.equal(b.maxTimestamp, 1_700_000_000_005n);
    assert.equal(b.producerId, 4242n);
    assert.equal(b.producerEpoch, 3);
    assert.equal(b.baseSequence, 17);
    assert.equal(b.recordsCount, 4);
    assert.equal(b.timestampType, 'CreateTime');
    assert.equal(b.isTransactional, false);
    assert.equal(b.isControl, false);
    assert.deepEqual(
      b.records.map((r) => r.offset),
      [100n, 101n, 102n, 103n],
    );
    assert.deepEqual(
      b.records.map((r) => r.timestamp),
      [1_700_000_000_000n, 1_700_000_000_005n, 1_699_999_999_990n, 1_700_000_000_001n],
    );
    assert.deepEqual(
      b.records.map((r) => r.timestampDelta),
      [0, 5, -10, 1],
    );
    assert.deepEqual(b.records[0]!.key, Buffer.from('k1'));
    assert.equal(b.records[1]!.key, null);
    assert.equal(b.records[1]!.value, null);
    assert.deepEqual(b.records[2]!.key, Buffer.alloc(0));
    assert.deepEqual(b.records[2]!.value, Buffer.alloc(0));
    assert.deepEqual(b.records[3]!.headers, [
      { key: 'trace', value: Buffer.from('abc') },
      { key: 'nullh', value: null },
      { key: 'empty', value: Buffer.alloc(0) },
      { key: 'ünï', value: Buffer.from([255]) },
    ]);
  }
});

test('exact bytes of a one-record uncompressed batch', () => {
  const buf = encodeRecordBatchSync({ baseTimestamp: 0n, records: [{ key: null, value: 'a', timestamp: 0n }] });
  // record: length 7, attributes 0, tsDelta 0, offsetDelta 0, key -1, value len 1 'a', 0 headers
  assert.deepEqual(buf.subarray(61), Buffer.from([0x0e, 0x00, 0x00, 0x00, 0x01, 0x02, 0x61, 0x00]));
  assert.equal(buf.readInt32BE(Off.BatchLength), 61 + 8 - 12);
  assert.equal(buf.readBigInt64BE(Off.ProducerId), -1n);
  assert.equal(buf.readInt32BE(Off.PartitionLeaderEpoch), -1);
});

test('many records (4,000 log lines, ~1 MiB) round-trip with every codec', async () => {
  const lines = logLineRecords(1 << 20);
  const records = lines.map((value, i) => ({ key: `key-${i % 97}`, value, timestamp: 1_700_000_000_000n + BigInt(i) }));
  for (const compression of codecs) {
    const buf = await encodeRecordBatch({ compression, records });
    const b = await decodeRecordBatch(buf);
    assert.equal(b.records.length, lines.length);
    assert.equal(b.lastOffsetDelta, lines.length - 1);
    assert.equal(b.maxTimestamp, 1_700_000_000_000n + BigInt(lines.length - 1));
    for (let i = 0; i < lines.length; i += 397) {
      assert.deepEqual(b.records[i]!.value, lines[i]);
      assert.equal(b.records[i]!.offset, BigInt(i));
    }
  }
});

test('large timestamp deltas (varlong beyond 32 bits) and explicit offset deltas', async () => {
  const records = [
    { value: 'a', timestamp: 0n, offsetDelta: 0 },
    { value: 'b', timestamp: 1_700_000_000_000n, offsetDelta: 5 },
    { value: 'c', timestamp: -5_000_000_000n, offsetDelta: 9 },
  ];
  const b = decodeRecordBatchSync(encodeRecordBatchSync({ baseOffset: 10n, records }));
  assert.deepEqual(
    b.records.map((r) => r.timestamp),
    [0n, 1_700_000_000_000n, -5_000_000_000n],
  );
  assert.deepEqual(
    b.records.map((r) => r.offset),
    [10n, 15n, 19n],
  );
  assert.equal(b.lastOffsetDelta, 9);
});

test('transactional and LogAppendTime attributes; LogAppendTime records report MaxTimestamp', async () => {
  const buf = await encodeRecordBatch({
    isTransactional: true,
    producerId: 9n,
    producerEpoch: 1,
    baseSequence: 0,
    timestampType: 'LogAppendTime',
    maxTimestamp: 5000n,
    records: [
      { value: 'a', timestamp: 1000n },
      { value: 'b', timestamp: 1001n },
    ],
  });
  assert.equal(buf.readInt16BE(Off.Attributes), 0x18);
  const b = await decodeRecordBatch(buf);
  assert.equal(b.isTransactional, true);
  assert.equal(b.timestampType, 'LogAppendTime');
  assert.deepEqual(
    b.records.map((r) => r.timestamp),
    [5000n, 5000n],
  );
});

test('header-only rewrite: setBaseOffset, setPartitionLeaderEpoch, setLogAppendTime keep the batch valid', async () => {
  for (const compression of [CompressionType.None, CompressionType.Lz4]) {
    const buf = await encodeRecordBatch({ compression, records: mixed });
    setBaseOffset(buf, 0, 1_000_000n);
    setPartitionLeaderEpoch(buf, 0, 12);
    assert.equal(validateBatch(buf, 0), buf.length);
    setLogAppendTime(buf, 0, 1_800_000_000_000n);
    assert.equal(validateBatch(buf, 0), buf.length);
    const b = await decodeRecordBatch(buf);
    assert.equal(b.partitionLeaderEpoch, 12);
    assert.deepEqual(
      b.records.map((r) => r.offset),
      [1_000_000n, 1_000_001n, 1_000_002n, 1_000_003n],
    );
    assert.equal(b.timestampType, 'LogAppendTime');
    assert.ok(b.records.every((r) => r.timestamp === 1_800_000_000_000n));
    assert.equal(b.compression, compression);
  }
});

test('a flipped byte anywhere under the CRC is detected', async () => {
  const buf = await encodeRecordBatch({ compression: CompressionType.Gzip, records: mixed });
  for (const at of [Off.Attributes, Off.MaxTimestamp + 3, Off.RecordsCount, 61, buf.length - 1]) {
    const copy = Buffer.from(buf);
    copy[at] ^= 0x01;
    await assert.rejects(decodeRecordBatch(copy), (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-crc', `byte ${at}`);
  }
  // with the CRC check off, a corrupt records section is still a typed error
  const copy = Buffer.from(buf);
  copy[buf.length - 12] ^= 0xff; // inside the deflate data / gzip trailer
  await assert.rejects(
    decodeRecordBatch(copy, 0, { verifyCrc: false }),
    (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-compression',
  );
  const count = Buffer.from(buf);
  count.writeInt32BE(5, Off.RecordsCount);
  await assert.rejects(
    decodeRecordBatch(count, 0, { verifyCrc: false }),
    (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-record',
  );
});

test('COMMIT and ABORT markers: build, decode, read', async () => {
  for (const type of [ControlRecordType.Commit, ControlRecordType.Abort]) {
    const buf = buildEndTxnMarkerBatch({
      type,
      producerId: 77n,
      producerEpoch: 4,
      coordinatorEpoch: 13,
      timestamp: 1234n,
      baseOffset: 50n,
      partitionLeaderEpoch: 2,
    });
    assert.equal(buf.readInt16BE(Off.Attributes), 0x30);
    const b = await decodeRecordBatch(buf);
    assert.equal(b.isControl, true);
    assert.equal(b.isTransactional, true);
    assert.equal(b.producerId, 77n);
    assert.equal(b.producerEpoch, 4);
    assert.equal(b.baseSequence, -1);
    assert.equal(b.records.length, 1);
    assert.deepEqual(b.records[0]!.key, Buffer.from([0, 0, 0, type]));
    assert.deepEqual(b.records[0]!.value, Buffer.from([0, 0, 0, 0, 0, 13]));
    assert.deepEqual(decodeControlKey(b.records[0]!.key), { version: 0, type });
    assert.deepEqual(readEndTxnMarker(b.records[0]!), { type, coordinatorEpoch: 13 });
    assert.deepEqual(endTxnMarkerOf(b), { type, coordinatorEpoch: 13 });
  }
  const data = await decodeRecordBatch(await encodeRecordBatch({ records: mixed }));
  assert.equal(endTxnMarkerOf(data), null);
  assert.throws(
    () => readEndTxnMarker({ ...data.records[0]!, key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0]) }),
    InvalidBatchError,
  );
});

test('decodeRecordBatches reads a fetch blob and skips a partial trailing batch', async () => {
  const a = await encodeRecordBatch({ baseOffset: 0n, records: mixed.slice(0, 2) });
  const b = await encodeRecordBatch({ baseOffset: 2n, compression: CompressionType.Snappy, records: mixed.slice(2) });
  const c = await encodeRecordBatch({ baseOffset: 4n, records: mixed });
  for (const cut of [0, 5, 12, 61, c.length - 1]) {
    const blob = Buffer.concat([a, b, c.subarray(0, cut)]);
    const batches = await decodeRecordBatches(blob);
    assert.deepEqual(
      batches.map((x) => x.baseOffset),
      [0n, 2n],
      `cut ${cut}`,
    );
    assert.deepEqual(
      batches.map((x) => x.position),
      [0, a.length],
    );
  }
  assert.equal((await decodeRecordBatches(Buffer.concat([a, b, c]))).length, 3);
  assert.deepEqual(await decodeRecordBatches(Buffer.alloc(0)), []);
});

test('legacy message sets (magic 0 and 1) are refused with a clear error', async () => {
  for (const magic of [0, 1]) {
    // offset 0, size 14+, crc, magic, attributes 0, [timestamp], key -1, value -1
    const body = Buffer.alloc(magic === 0 ? 14 : 22);
    body.writeInt8(magic, 4);
    body.writeInt32BE(-1, body.length - 8);
    body.writeInt32BE(-1, body.length - 4);
    const msg = Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, body.length]), body]);
    await assert.rejects(
      decodeRecordBatch(msg),
      (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-magic' && /legacy message set v/.test(e.message),
    );
    await assert.rejects(decodeRecordBatches(msg), InvalidBatchError);
  }
});

test('unknown codec ids (5-7) are refused as unsupported-compression', async () => {
  const buf = encodeRecordBatchSync({ records: mixed });
  buf.writeInt16BE(6, Off.Attributes);
  setLogAppendTime(buf, 0, 1n); // recomputes the CRC
  await assert.rejects(decodeRecordBatch(buf), (e: unknown) => e instanceof InvalidBatchError && e.problem === 'unsupported-compression');
});

test('sync decode refuses zstd batches with a typed error; async decodes them', async () => {
  const buf = await encodeRecordBatch({ compression: CompressionType.Zstd, records: mixed });
  assert.throws(
    () => decodeRecordBatchSync(buf),
    (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-compression',
  );
  assert.equal((await decodeRecordBatch(buf)).records.length, 4);
  assert.throws(() => encodeRecordBatchSync({ compression: CompressionType.Zstd, records: mixed }), /no synchronous codec/);
});

test('an empty batch encodes and decodes', async () => {
  const b = await decodeRecordBatch(await encodeRecordBatch({ baseOffset: 9n, baseTimestamp: 5n, records: [] }));
  assert.equal(b.recordsCount, 0);
  assert.deepEqual(b.records, []);
  assert.equal(b.maxTimestamp, -1n);
});
