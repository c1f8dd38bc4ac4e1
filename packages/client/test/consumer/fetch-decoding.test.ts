// Fetched records blobs to ConsumerRecords (fetch-decoder.ts): exact offsets, timestamps, keys,
// values, headers and leader epochs across uncompressed, compressed, control and LogAppendTime
// batches and a partial trailing batch; offsets past 2^53; the header scan the fetcher uses;
// CRC checks (check.crcs) and corrupt fetches reaching the application as CORRUPT_MESSAGE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionType, ControlRecordType, InvalidBatchError, buildEndTxnMarkerBatch, encodeRecordBatch, Off } from '@tributary/protocol';
import { decodeFetch, scanFetch, type DecodedFetch } from '../../src/consumer/fetch-decoder.ts';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import type { RecordBatchView } from '../../src/api.ts';
import { startMiniKafka } from '../helpers/mini-kafka.ts';

const T0 = 1_700_000_000_000n;

async function blob(): Promise<Buffer> {
  return Buffer.concat([
    await encodeRecordBatch({
      baseOffset: 100n,
      partitionLeaderEpoch: 4,
      baseTimestamp: T0,
      records: [
        {
          key: 'k0',
          value: 'v0',
          timestamp: T0,
          headers: [
            { key: 'h', value: 'x' },
            { key: 'n', value: null },
          ],
        },
        { key: null, value: null, timestamp: T0 + 70_000n, offsetDelta: 2 }, // a compacted gap at 101
      ],
    }),
    buildEndTxnMarkerBatch({
      type: ControlRecordType.Commit,
      producerId: 7n,
      producerEpoch: 0,
      coordinatorEpoch: 1,
      timestamp: T0,
      baseOffset: 103n,
    }),
    await encodeRecordBatch({
      baseOffset: 104n,
      partitionLeaderEpoch: 5,
      compression: CompressionType.Gzip,
      records: [
        { value: 'g0', timestamp: T0 + 1n },
        { value: 'g1', timestamp: T0 + 2n },
      ],
    }),
    await encodeRecordBatch({
      baseOffset: 106n,
      partitionLeaderEpoch: 5,
      timestampType: 'LogAppendTime',
      baseTimestamp: T0,
      maxTimestamp: T0 + 999n,
      records: [{ value: 'l0', timestamp: T0 }],
    }),
  ]);
}

const plain = (d: DecodedFetch) =>
  d.records.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
    headers: r.headers.map((h) => [h.key, h.value?.toString() ?? null]),
    leaderEpoch: r.leaderEpoch,
  }));

test('a fetch blob decodes to exact records: control batches skipped, compressed batches inflated, partial tail left', async () => {
  const whole = await blob();
  const tail = (await encodeRecordBatch({ baseOffset: 107n, records: [{ value: 'cut' }] })).subarray(0, 30);
  const d = await decodeFetch('t', 3, Buffer.concat([whole, tail]));
  assert.equal(d.nextFetchOffset, 107n);
  const ts = Number(T0);
  assert.deepEqual(plain(d), [
    {
      topic: 't',
      partition: 3,
      offset: 100n,
      timestamp: ts,
      timestampType: 'create',
      key: 'k0',
      value: 'v0',
      headers: [
        ['h', 'x'],
        ['n', null],
      ],
      leaderEpoch: 4,
    },
    {
      topic: 't',
      partition: 3,
      offset: 102n,
      timestamp: ts + 70_000,
      timestampType: 'create',
      key: null,
      value: null,
      headers: [],
      leaderEpoch: 4,
    },
    {
      topic: 't',
      partition: 3,
      offset: 104n,
      timestamp: ts + 1,
      timestampType: 'create',
      key: null,
      value: 'g0',
      headers: [],
      leaderEpoch: 5,
    },
    {
      topic: 't',
      partition: 3,
      offset: 105n,
      timestamp: ts + 2,
      timestampType: 'create',
      key: null,
      value: 'g1',
      headers: [],
      leaderEpoch: 5,
    },
    {
      topic: 't',
      partition: 3,
      offset: 106n,
      timestamp: ts + 999,
      timestampType: 'log-append',
      key: null,
      value: 'l0',
      headers: [],
      leaderEpoch: 5,
    },
  ]);
  // records are plain objects, as literals would be
  assert.equal(Object.getPrototypeOf(d.records[0]), Object.prototype);
  assert.deepEqual(Object.keys(d.records[0]!), [
    'topic',
    'partition',
    'offset',
    'timestamp',
    'timestampType',
    'key',
    'value',
    'headers',
    'leaderEpoch',
  ]);
});

test('uncompressed blobs decode synchronously; the header scan finds the next offset without decoding', async () => {
  const a = await encodeRecordBatch({ baseOffset: 0n, records: [{ value: 'a' }, { value: 'b' }] });
  const b = await encodeRecordBatch({ baseOffset: 2n, records: [{ value: 'c' }], lastOffsetDelta: 4 });
  const d = decodeFetch('t', 0, Buffer.concat([a, b]));
  assert.ok(!(d instanceof Promise));
  assert.deepEqual(
    d.records.map((r) => r.offset),
    [0n, 1n, 2n],
  );
  assert.equal(d.nextFetchOffset, 7n);
  assert.deepEqual(scanFetch(Buffer.concat([a, b])), { nextFetchOffset: 7n, eager: false });
  assert.deepEqual(scanFetch(Buffer.concat([a, b.subarray(0, 20)])), { nextFetchOffset: 2n, eager: false });
  assert.deepEqual(scanFetch(await blob()), { nextFetchOffset: 104n, eager: true }); // stops at the gzip batch
  assert.deepEqual(scanFetch(Buffer.alloc(0)), { nextFetchOffset: null, eager: false });
});

test('offsets beyond 2^53 stay exact', async () => {
  const base = 2n ** 60n + 5n;
  const d = decodeFetch('t', 0, await encodeRecordBatch({ baseOffset: base, records: [{ value: 'a' }, { value: 'b' }] })) as DecodedFetch;
  assert.deepEqual(
    d.records.map((r) => r.offset),
    [base, base + 1n],
  );
  assert.equal(d.nextFetchOffset, base + 2n);
});

test('CRC mismatches are refused unless check.crcs is off; legacy message sets are refused', async () => {
  const batch = await encodeRecordBatch({ baseOffset: 0n, records: [{ value: 'hello' }] });
  batch[batch.length - 3] ^= 0xff; // inside the value
  assert.throws(
    () => decodeFetch('t', 0, batch),
    (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-crc',
  );
  const d = decodeFetch('t', 0, batch, false) as DecodedFetch;
  assert.equal(d.records.length, 1);
  const legacy = Buffer.from(batch);
  legacy.writeInt8(1, Off.Magic);
  assert.throws(
    () => decodeFetch('t', 0, legacy),
    (e: unknown) => e instanceof InvalidBatchError && e.problem === 'bad-magic',
  );
});

test('a corrupt fetch reaches the application as CORRUPT_MESSAGE and the position stays; check.crcs=false reads it', async () => {
  const mk = await startMiniKafka(1);
  const kafka = new Kafka({ bootstrapServers: mk.address });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'c', messages: [{ value: 'one' }, { value: 'two' }] });
    const stored = mk.topics.get('c')![0]!.batches[0]!.bytes;
    stored[stored.length - 2] ^= 0x01; // last record's value: 'two' -> 'twn'
    const tp = { topic: 'c', partition: 0 };
    const strict = kafka.consumer({ autoOffsetReset: 'earliest' });
    strict.assign([tp]);
    await assert.rejects(
      strict[Symbol.asyncIterator]().next(),
      (e: unknown) => e instanceof KafkaClientError && e.type === 'CORRUPT_MESSAGE',
    );
    assert.equal(strict.position(tp), 0n);
    await strict.close();
    const lax = kafka.consumer({ autoOffsetReset: 'earliest', checkCrcs: false });
    lax.assign([tp]);
    const b = (await lax.batches().next()).value as RecordBatchView;
    assert.deepEqual(
      b.records.map((r) => r.value!.toString()),
      ['one', 'twn'],
    );
    await lax.close();
  } finally {
    await kafka.close();
    await mk.close();
  }
});
