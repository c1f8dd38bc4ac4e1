// validateRecords (Kafka's LogValidator for produce): one rule per test, each answered with Kafka's
// error code, and recompression to the topic's codec keeping the producer's header fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionType, Off, computeBatchCrc, decodeRecordBatch, encodeRecordBatch } from '@tributary/protocol';
import { validateRecords, type ValidationLimits } from '../../src/replica/log-validator.ts';
import { T0, batch } from './helpers.ts';

const limits = (o: Partial<ValidationLimits> = {}): ValidationLimits => ({
  topicPartition: 't-0',
  produceVersion: 11,
  maxMessageBytes: 1_048_588,
  segmentBytes: 1 << 30,
  compressionType: 'producer',
  compactedTopic: false,
  timestamps: { now: T0, beforeMaxMs: 1000, afterMaxMs: 3_600_000 },
  ...o,
});

/** Rewrites the CRC after a header edit, so only the edited field is wrong. */
function recrc(b: Buffer): Buffer {
  b.writeUInt32BE(computeBatchCrc(b, 0, b.length), Off.Crc);
  return b;
}

function refused(records: Buffer, l: ValidationLimits, errorCode: number, message?: RegExp): void {
  assert.throws(
    () => validateRecords(records, l),
    (err: Error & { errorCode?: number }) => {
      assert.equal(err.name, 'PartitionError');
      assert.equal(err.errorCode, errorCode, err.message);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

describe('validateRecords: framing (ProduceRequest.validateRecords)', () => {
  it('accepts one whole v2 batch and returns the same buffer (no copy, no decode)', async () => {
    const b = await batch(3);
    assert.equal(validateRecords(b, limits()).records, b);
  });

  it('refuses an empty or truncated blob: INVALID_RECORD (87)', async () => {
    refused(Buffer.alloc(0), limits(), 87, /^Produce requests with version 11 must have at least one record batch per partition$/);
    refused((await batch(1)).subarray(0, 40), limits(), 87, /at least one record batch/);
  });

  it('refuses two batches in one partition: INVALID_RECORD (87)', async () => {
    refused(
      Buffer.concat([await batch(1), await batch(1)]),
      limits(),
      87,
      /only allowed to contain exactly one record batch per partition/,
    );
  });

  it('refuses legacy magic: INVALID_RECORD (87)', async () => {
    const b = await batch(1);
    b.writeInt8(1, Off.Magic);
    refused(b, limits(), 87, /only allowed to contain record batches with magic version 2/);
  });

  it('zstd needs Produce v7: UNSUPPORTED_COMPRESSION_TYPE (76) before, accepted from v7', async () => {
    const b = await batch(2, { compression: CompressionType.Zstd });
    refused(b, limits({ produceVersion: 6 }), 76, /version 6 are not allowed to use ZStandard compression/);
    assert.equal(validateRecords(b, limits({ produceVersion: 7 })).records, b);
  });

  it('a blob larger than segment.bytes: RECORD_LIST_TOO_LARGE (18), checked before anything else', async () => {
    const b = await batch(1);
    b.writeInt8(0, Off.Magic); // would be INVALID_RECORD otherwise
    refused(b, limits({ segmentBytes: b.length - 1 }), 18, new RegExp(`size is ${b.length} bytes .* segment size of ${b.length - 1}\\.$`));
    refused(b, limits({ segmentBytes: b.length }), 87);
  });
});

describe('validateRecords: the batch', () => {
  it('a CRC mismatch: CORRUPT_MESSAGE (2)', async () => {
    const b = await batch(2);
    b[b.length - 1]! ^= 0xff;
    refused(b, limits(), 2, /^Invalid record batch in produce request to t-0: batch CRC mismatch/);
  });

  it('a length below the v2 header: CORRUPT_MESSAGE (2)', () => {
    const b = Buffer.alloc(30);
    b.writeInt32BE(30 - 12, Off.BatchLength);
    b.writeInt8(2, Off.Magic);
    refused(b, limits(), 2, /below the v2 header size/);
  });

  it("record counts that do not match the offset range: INVALID_RECORD (87) with Kafka's messages", async () => {
    const count = async (records: number, lastDelta: number) => {
      const b = await batch(3);
      b.writeInt32BE(records, Off.RecordsCount);
      b.writeInt32BE(lastDelta, Off.LastOffsetDelta);
      return recrc(b);
    };
    refused(await count(3, 1), limits(), 87, /^Inconsistent batch offset range \[0, 1\] and count of records 3 in topic partition t-0\.$/);
    refused(await count(2, 2), limits(), 87, /^Inconsistent batch offset range \[0, 2\] and count of records 2/);
    refused(await count(0, 2), limits(), 87, /^Invalid reported count for record batch: 0 in topic partition t-0\.$/);
    refused(await count(3, -1), limits(), 87, /^Batch has an invalid offset range: \[0, -1\]/);
  });

  it('a batch over max.message.bytes: MESSAGE_TOO_LARGE (10); exactly at it is accepted', async () => {
    const b = await batch(4, { valueBytes: 100 });
    refused(
      b,
      limits({ maxMessageBytes: b.length - 1 }),
      10,
      new RegExp(`is ${b.length} bytes which exceeds the maximum configured value of ${b.length - 1}\\.$`),
    );
    assert.equal(validateRecords(b, limits({ maxMessageBytes: b.length })).records, b);
  });

  it('a control batch from a client: INVALID_RECORD (87)', async () => {
    const b = await encodeRecordBatch({
      records: [{ key: Buffer.from([0, 0, 0, 1]), value: null, timestamp: T0 }],
      isControl: true,
      isTransactional: true,
      producerId: 5n,
      producerEpoch: 0,
    });
    refused(b, limits(), 87, /^Control records cannot be produced by clients \(t-0\)$/);
  });
});

describe('validateRecords: CreateTime timestamps', () => {
  const t = { now: T0, beforeMaxMs: 1000, afterMaxMs: 5000 };

  it('MaxTimestamp later than now + message.timestamp.after.max.ms: INVALID_TIMESTAMP (32)', async () => {
    const late = await encodeRecordBatch({
      records: [
        { value: 'a', timestamp: T0 },
        { value: 'b', timestamp: T0 + 5001 },
      ],
    });
    refused(
      late,
      limits({ timestamps: t }),
      32,
      new RegExp(
        `^Timestamp ${T0 + 5001} of message in the append to t-0 is out of range\\. The timestamp should be within \\[${T0 - 1000}, ${T0 + 5000}\\]$`,
      ),
    );
    assert.ok(validateRecords(await batch(1, { timestamp: T0 + 5000 }), limits({ timestamps: t })));
  });

  it('BaseTimestamp earlier than now - message.timestamp.before.max.ms: INVALID_TIMESTAMP (32)', async () => {
    refused(await batch(1, { timestamp: T0 - 1001 }), limits({ timestamps: t }), 32, new RegExp(`^Timestamp ${T0 - 1001} `));
    assert.ok(validateRecords(await batch(1, { timestamp: T0 - 1000 }), limits({ timestamps: t })));
  });

  it('no timestamp (-1) passes; LogAppendTime topics (timestamps null) skip the check', async () => {
    assert.ok(validateRecords(await batch(1, { timestamp: -1 }), limits({ timestamps: t })));
    assert.ok(validateRecords(await batch(1, { timestamp: T0 + 10 ** 9 }), limits({ timestamps: null })));
  });
});

describe('validateRecords: compression.type', () => {
  const input = () =>
    encodeRecordBatch({
      records: [
        { key: 'a', value: 'x'.repeat(200), timestamp: T0, headers: [{ key: 'h', value: 'v' }] },
        { key: 'b', value: 'y'.repeat(200), timestamp: T0 + 7 },
      ],
      producerId: 4242n,
      producerEpoch: 3,
      baseSequence: 17,
      isTransactional: true,
    });

  it('producer, or the codec the batch already has, keeps the batch as sent', async () => {
    const b = await input();
    assert.equal(validateRecords(b, limits({ compressionType: 'producer' })).records, b);
    assert.equal(validateRecords(b, limits({ compressionType: 'uncompressed' })).records, b);
    const gz = await batch(2, { compression: CompressionType.Gzip });
    assert.equal(validateRecords(gz, limits({ compressionType: 'gzip' })).records, gz);
  });

  for (const [name, codec] of [
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ] as const) {
    it(`${name}: re-encodes, keeping producer id, epoch, sequence, transactional flag, timestamps and offset deltas`, async () => {
      const b = await input();
      const before = await decodeRecordBatch(b);
      const out = validateRecords(b, limits({ compressionType: name })).records;
      assert.ok(out instanceof Promise);
      const after = await decodeRecordBatch(await out);
      assert.equal(after.compression, codec);
      for (const f of [
        'producerId',
        'producerEpoch',
        'baseSequence',
        'isTransactional',
        'baseTimestamp',
        'maxTimestamp',
        'lastOffsetDelta',
        'recordsCount',
        'timestampType',
      ] as const) {
        assert.deepEqual(after[f], before[f], f);
      }
      assert.deepEqual(
        after.records.map((r) => [r.offsetDelta, r.timestamp, r.key?.toString(), r.value?.toString(), r.headers]),
        before.records.map((r) => [r.offsetDelta, r.timestamp, r.key?.toString(), r.value?.toString(), r.headers]),
      );
    });
  }

  it("uncompressed: decompresses a producer's gzip batch", async () => {
    const b = await batch(3, { compression: CompressionType.Gzip });
    const after = await decodeRecordBatch(await validateRecords(b, limits({ compressionType: 'uncompressed' })).records);
    assert.equal(after.compression, CompressionType.None);
    assert.equal(after.records.length, 3);
  });

  it('a batch over max.message.bytes only after recompression: MESSAGE_TOO_LARGE (10), asynchronously', async () => {
    const b = await batch(20, { valueBytes: 500, compression: CompressionType.Gzip });
    const out = validateRecords(b, limits({ compressionType: 'uncompressed', maxMessageBytes: 5000 })).records;
    assert.ok(out instanceof Promise);
    await assert.rejects(out, (err: Error & { errorCode?: number }) => {
      assert.equal(err.errorCode, 10);
      assert.match(err.message, /bytes after recompression, which exceeds the maximum configured value of 5000\.$/);
      return true;
    });
  });
});

describe('validateRecords: compacted topics (every record needs a key)', () => {
  const compacted = (o: Partial<ValidationLimits> = {}) => limits({ compactedTopic: true, ...o });
  const records = (keys: Array<string | null>) => keys.map((key, i) => ({ key, value: `v${i}`, timestamp: T0 }));
  const noKey = 'Compacted topic cannot accept message without key in topic partition t-0';

  it('an uncompressed keyed batch is scanned in place and returned as is, synchronously', async () => {
    const b = await encodeRecordBatch({ records: records(['a', 'b', 'a']) });
    assert.equal(validateRecords(b, compacted()).records, b);
  });

  it('an uncompressed batch with keyless records: INVALID_RECORD (87) naming each, synchronously', async () => {
    const b = await encodeRecordBatch({ records: records(['a', null, 'c', null]) });
    assert.throws(
      () => validateRecords(b, compacted()),
      (err: Error & { errorCode?: number; recordErrors?: unknown }) => {
        assert.equal(err.name, 'RecordValidationError');
        assert.equal(err.errorCode, 87);
        assert.deepEqual(err.recordErrors, [
          { batchIndex: 1, batchIndexErrorMessage: noKey },
          { batchIndex: 3, batchIndexErrorMessage: noKey },
        ]);
        assert.equal(
          err.message,
          `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${noKey}'), RecordError(batchIndex=3, message='${noKey}')]`,
        );
        return true;
      },
    );
  });

  it('a compressed batch is decompressed once: refused asynchronously, or kept as sent', async () => {
    const bad = await encodeRecordBatch({ records: records(['a', 'b', null]), compression: CompressionType.Snappy });
    const out = validateRecords(bad, compacted()).records;
    assert.ok(out instanceof Promise);
    await assert.rejects(out, (err: Error & { errorCode?: number; recordErrors?: unknown }) => {
      assert.deepEqual([err.errorCode, err.recordErrors], [87, [{ batchIndex: 2, batchIndexErrorMessage: noKey }]]);
      return true;
    });
    const good = await encodeRecordBatch({ records: records(['a', 'b']), compression: CompressionType.Snappy });
    assert.equal(await validateRecords(good, compacted()).records, good);
  });

  it("checks keys before recompressing to the topic's codec", async () => {
    const bad = await encodeRecordBatch({ records: records([null, 'b']) });
    // uncompressed: refused at once, before any recompression
    assert.throws(() => validateRecords(bad, compacted({ compressionType: 'gzip' })), { errorCode: 87 });
    const good = await encodeRecordBatch({ records: records(['a', 'b']), compression: CompressionType.Lz4 });
    const out = await decodeRecordBatch(await validateRecords(good, compacted({ compressionType: 'gzip' })).records);
    assert.deepEqual([out.compression, out.records.map((r) => r.key?.toString())], [CompressionType.Gzip, ['a', 'b']]);
  });

  it('a malformed record found while scanning keys: CORRUPT_MESSAGE (2)', async () => {
    const b = await encodeRecordBatch({ records: records(['a', 'b']) });
    b.writeInt32BE(3, Off.RecordsCount); // one record more than the batch holds
    b.writeInt32BE(2, Off.LastOffsetDelta);
    refused(recrc(b), compacted(), 2, /^Invalid record batch in produce request to t-0: /);
  });

  it('delete topics never decode: a keyless batch is returned as is', async () => {
    const b = await encodeRecordBatch({ records: records([null]) });
    assert.equal(validateRecords(b, limits()).records, b);
  });
});
