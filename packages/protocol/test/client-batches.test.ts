// Record batches produced by real clients with each codec (kcat and confluent-kafka on librdkafka
// 2.0.2, kafka-python 2.0.2, KafkaJS 2.2.4 + kafkajs-snappy; captured by
// scripts/capture-client-batches.ts into fixtures/batches/<client>-<codec>.bin, the Produce request
// frame, beside <client>-<codec>.json, the records that were handed to the client). Each frame must
// decode exactly with the generated codec (records as a slice of the frame) and its batch, with our
// record decoder, to exactly the records that were sent.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeRequestFrame } from '../src/frames.ts';
import { API_SPECS, ApiKey } from '../src/generated/api-keys.ts';
import type { ProduceRequest } from '../src/generated/produce-request.ts';
import { BATCH_HEADER_SIZE, CompressionType, validateBatch } from '../src/records/batch-header.ts';
import { decodeRecordBatches } from '../src/records/record-batch.ts';
import { decodeRequestHeader } from '../src/wire/headers.ts';
import { Reader } from '../src/wire/reader.ts';

interface SentRecord {
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  timestamp: number | null;
}
interface Fixture {
  client: string;
  clientVersion: string;
  codec: string;
  topic: string;
  partition: number;
  capturedAtMs: [number, number];
  records: SentRecord[];
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/batches');
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();
const CODECS: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};
const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

function load(name: string): { fixture: Fixture; frame: Buffer; records: Buffer; body: ProduceRequest } {
  const fixture = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
  const frame = readFileSync(join(DIR, `${name}.bin`));
  const r = new Reader(frame);
  const header = decodeRequestHeader(r);
  assert.equal(header.apiKey, ApiKey.Produce);
  const body = API_SPECS[ApiKey.Produce]!.decodeRequest(r, header.apiVersion) as ProduceRequest;
  assert.equal(r.remaining, 0, 'every byte of the frame consumed');
  const { headerVersion: _, ...h } = header;
  assert.deepEqual(encodeRequestFrame(h as never, body as never).subarray(4), frame, 're-encodes to the client bytes');
  assert.equal(body.topicData.length, 1);
  assert.equal(body.topicData[0]!.name, fixture.topic);
  assert.equal(body.topicData[0]!.partitionData.length, 1);
  assert.equal(body.topicData[0]!.partitionData[0]!.index, fixture.partition);
  const records = body.topicData[0]!.partitionData[0]!.records!;
  return { fixture, frame, records, body };
}

describe('record batches captured from real clients', () => {
  it('covers every codec of every client', () => {
    assert.deepEqual(names, [
      'confluent-kafka-gzip',
      'confluent-kafka-lz4',
      'confluent-kafka-none',
      'confluent-kafka-snappy',
      'confluent-kafka-zstd',
      'kafka-python-gzip',
      'kafka-python-lz4',
      'kafka-python-none',
      'kafka-python-snappy',
      'kafka-python-zstd',
      'kafkajs-gzip',
      'kafkajs-none',
      'kafkajs-snappy',
      'kcat-gzip',
      'kcat-lz4',
      'kcat-none',
      'kcat-snappy',
      'kcat-zstd',
    ]);
  });

  for (const name of names) {
    it(`${name}: the Produce request decodes exactly and its batch to the records sent`, async () => {
      const { fixture, frame, records } = load(name);
      // records is a slice of the frame, not a copy
      assert.equal(records.buffer, frame.buffer);
      assert.equal(records.byteOffset + records.length, frame.byteOffset + frame.length, 'the batch ends the frame');
      assert.equal(validateBatch(records, 0), records.length);

      const batches = await decodeRecordBatches(records);
      assert.equal(batches.length, 1);
      const batch = batches[0]!;
      assert.equal(batch.magic, 2);
      assert.equal(batch.compression, CODECS[fixture.codec]);
      assert.equal(batch.timestampType, 'CreateTime');
      assert.equal(batch.isTransactional, false);
      assert.equal(batch.isControl, false);
      assert.equal(batch.producerId, -1n);
      assert.equal(batch.baseOffset, 0n);
      assert.equal(batch.recordsCount, fixture.records.length);
      assert.equal(batch.lastOffsetDelta, fixture.records.length - 1);

      const [from, to] = fixture.capturedAtMs;
      const got = batch.records.map((rec, i) => {
        assert.equal(rec.offset, BigInt(i));
        assert.equal(rec.offsetDelta, i);
        const sent = fixture.records[i]!;
        if (sent.timestamp === null) {
          assert.ok(rec.timestamp >= BigInt(from) && rec.timestamp <= BigInt(to), `${rec.timestamp} within the capture`);
        } else {
          assert.equal(rec.timestamp, BigInt(sent.timestamp));
        }
        return {
          key: str(rec.key),
          value: str(rec.value),
          headers: rec.headers.map((h) => ({ key: h.key, value: str(h.value) })),
          timestamp: sent.timestamp === null ? null : Number(rec.timestamp),
        };
      });
      assert.deepEqual(got, fixture.records);
      let maxTimestamp = -1n; // bigints: no Math.max
      for (const r of batch.records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
      assert.equal(batch.maxTimestamp, maxTimestamp);
      if (fixture.codec === 'none') {
        // uncompressed: keys, values and header values are slices of the frame too
        for (const rec of batch.records)
          for (const b of [rec.key, rec.value, ...rec.headers.map((h) => h.value)]) if (b) assert.equal(b.buffer, frame.buffer);
      }
    });
  }

  it('the framings differ per client and all decode: xerial snappy from kafka-python, raw snappy from librdkafka and KafkaJS, LZ4 frames', () => {
    const payload = (name: string) => load(name).records.subarray(BATCH_HEADER_SIZE);
    const XERIAL = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
    assert.deepEqual(payload('kafka-python-snappy').subarray(0, 8), XERIAL);
    for (const n of ['kcat-snappy', 'confluent-kafka-snappy', 'kafkajs-snappy']) assert.notDeepEqual(payload(n).subarray(0, 8), XERIAL, n);
    for (const n of ['kcat-lz4', 'confluent-kafka-lz4', 'kafka-python-lz4']) assert.equal(payload(n).readUInt32LE(0), 0x184d2204, n);
    // kafka-python's LZ4 frame carries the content size (FLG bit 3), librdkafka's does not
    assert.equal(payload('kafka-python-lz4')[4]! & 0x08, 0x08);
    assert.equal(payload('kcat-lz4')[4]! & 0x08, 0);
    for (const n of ['kcat-zstd', 'confluent-kafka-zstd', 'kafka-python-zstd']) assert.equal(payload(n).readUInt32LE(0), 0xfd2fb528, n);
  });

  it('per-client quirks stay visible: acks, and KafkaJS producer epoch 0 without a producer id', () => {
    const acks = Object.fromEntries(names.map((n) => [n.replace(/-[a-z0-9]+$/, ''), load(n).body.acks]));
    assert.deepEqual(acks, { 'confluent-kafka': -1, 'kafka-python': 1, kafkajs: -1, kcat: -1 });
    const kjs = load('kafkajs-none').records;
    assert.equal(kjs.readInt16BE(51), 0); // ProducerEpoch
    assert.equal(kjs.readInt32BE(53), 0); // BaseSequence
    const rd = load('kcat-none').records;
    assert.equal(rd.readInt16BE(51), -1);
    assert.equal(rd.readInt32BE(53), -1);
  });
});
