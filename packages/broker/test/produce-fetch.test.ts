// Produce and Fetch over a real socket: offsets, errors, LogAppendTime, recompression, long poll,
// size limits, restart.
// The fetch-path suites run on both paths: zero-copy (records sent with sendfile) and the copy path.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  ApiKey,
  CompressionType,
  ErrorCode,
  Off,
  crc32c,
  decodeRecordBatches,
  encodeRecordBatch,
  type RecordInput,
} from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const batch = (records: RecordInput[], compression = CompressionType.None) => encodeRecordBatch({ records, compression });
const values = (n: number, prefix = 'v') =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}${i}`, timestamp: 1_700_000_000_000 + i }));

async function produce(
  c: KafkaTestClient,
  topic: string,
  partition: number,
  records: Buffer | null,
  opts: { acks?: number; version?: number } = {},
) {
  const res = await c.request(ApiKey.Produce, opts.version ?? 9, {
    acks: opts.acks ?? -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

function fetchReq(
  topic: string,
  partition: number,
  offset: number,
  o: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {},
) {
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: BigInt(offset),
            logStartOffset: -1n,
            partitionMaxBytes: o.partitionMaxBytes ?? 1 << 20,
          },
        ],
      },
    ],
  };
}

for (const zeroCopy of [true, false]) {
  describe(`Produce and Fetch (${zeroCopy ? 'zero-copy' : 'copy path'})`, async () => {
    const b = await startTestBroker({ 'tributary.zero.copy.enable': zeroCopy });
    const c = await kafkaClient(b.port);
    const tm = topicsOf(b.broker);
    await tm.createTopic({ name: 't', numPartitions: 2 });
    await tm.createTopic({ name: 'lat', numPartitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } });
    await tm.createTopic({ name: 'gz', numPartitions: 1, configs: { 'compression.type': 'gzip' } });
    await tm.createTopic({ name: 'small', numPartitions: 1, configs: { 'max.message.bytes': '200' } });
    await tm.createTopic({ name: 'misr', numPartitions: 1, configs: { 'min.insync.replicas': '2' } });
    after(async () => {
      c.close();
      await b.stop();
    });

    it('assigns contiguous offsets and fetch returns the bytes as stored', async () => {
      const r1 = await produce(c, 't', 0, await batch(values(3)));
      assert.deepEqual([r1.errorCode, r1.baseOffset, r1.logAppendTimeMs, r1.logStartOffset], [0, 0n, -1n, 0n]);
      const r2 = await produce(c, 't', 0, await batch(values(2, 'w')), { acks: 1, version: 11 });
      assert.deepEqual([r2.errorCode, r2.baseOffset], [0, 3n]);
      const r3 = await produce(c, 't', 1, await batch(values(1)), { version: 3 });
      assert.deepEqual([r3.errorCode, r3.baseOffset, r3.logStartOffset], [0, 0n, -1n]);
      tm.partition('t', 1)!.log.truncateTo(0);
      assert.equal(tm.partition('t', 1)!.highWatermark, 0);
      const f = await c.request(ApiKey.Fetch, 12, fetchReq('t', 0, 0));
      assert.equal(f.sessionId, 0);
      const p = f.responses[0]!.partitions[0]!;
      assert.deepEqual(
        [p.errorCode, p.highWatermark, p.lastStableOffset, p.logStartOffset, p.preferredReadReplica, p.abortedTransactions],
        [0, 5n, 5n, 0n, -1, null],
      );
      const batches = await decodeRecordBatches(p.records!);
      assert.deepEqual(
        batches.map((x) => x.baseOffset),
        [0n, 3n],
      );
      assert.deepEqual(
        batches.flatMap((x) => x.records.map((r) => [Number(r.offset), r.value!.toString(), Number(r.timestamp)])),
        [
          [0, 'v0', 1_700_000_000_000],
          [1, 'v1', 1_700_000_000_001],
          [2, 'v2', 1_700_000_000_002],
          [3, 'w0', 1_700_000_000_000],
          [4, 'w1', 1_700_000_000_001],
        ],
      );
      const mid = await c.request(ApiKey.Fetch, 4, fetchReq('t', 0, 3));
      assert.deepEqual(
        (await decodeRecordBatches(mid.responses[0]!.partitions[0]!.records!)).map((x) => x.baseOffset),
        [3n],
      );
      const end = await c.request(ApiKey.Fetch, 11, fetchReq('t', 0, 5));
      assert.equal(end.responses[0]!.partitions[0]!.records!.length, 0);
    });

    it('answers per-partition errors with Kafka codes', async () => {
      assert.equal((await produce(c, 'nope', 0, await batch(values(1)))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.equal((await produce(c, 't', 9, await batch(values(1)))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.equal((await produce(c, 'bad name', 0, await batch(values(1)))).errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
      await tm.createTopic({ name: '__consumer_offsets', numPartitions: 1 });
      assert.equal((await produce(c, '__consumer_offsets', 0, await batch(values(1)))).errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
      const corrupt = await batch(values(2));
      corrupt[corrupt.length - 1] ^= 0xff;
      const rc = await produce(c, 't', 1, corrupt);
      assert.equal(rc.errorCode, ErrorCode.CORRUPT_MESSAGE);
      assert.equal(rc.baseOffset, -1n);
      assert.match(rc.errorMessage!, /CRC/);
      const legacy = await batch(values(1));
      legacy[Off.Magic] = 1;
      const rl = await produce(c, 't', 1, legacy);
      assert.deepEqual(
        [rl.errorCode, rl.errorMessage],
        [ErrorCode.INVALID_RECORD, 'Produce requests with version 9 are only allowed to contain record batches with magic version 2'],
      );
      // count must equal lastOffsetDelta + 1 (Kafka's LogValidator), CRC re-stamped so only the count is wrong
      const recount = async (count: number, lastDelta: number) => {
        const b2 = await batch(values(3));
        b2.writeInt32BE(lastDelta, Off.LastOffsetDelta);
        b2.writeInt32BE(count, Off.RecordsCount);
        b2.writeUInt32BE(crc32c(b2.subarray(Off.Attributes)), Off.Crc);
        const r = await produce(c, 't', 1, b2);
        return [r.errorCode, r.errorMessage];
      };
      assert.deepEqual(await recount(3, 5), [
        ErrorCode.INVALID_RECORD,
        'Inconsistent batch offset range [0, 5] and count of records 3 in topic partition t-1.',
      ]);
      assert.deepEqual(await recount(0, 2), [
        ErrorCode.INVALID_RECORD,
        'Invalid reported count for record batch: 0 in topic partition t-1.',
      ]);
      assert.deepEqual(await recount(3, 1), [
        ErrorCode.INVALID_RECORD,
        'Inconsistent batch offset range [0, 1] and count of records 3 in topic partition t-1.',
      ]);
      const two = Buffer.concat([await batch(values(1)), await batch(values(1))]);
      assert.equal((await produce(c, 't', 1, two)).errorCode, ErrorCode.INVALID_RECORD);
      assert.equal((await produce(c, 't', 1, null)).errorCode, ErrorCode.INVALID_RECORD);
      const zstd = await batch(values(1), CompressionType.Zstd);
      assert.equal((await produce(c, 't', 1, zstd, { version: 6 })).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      const big = await produce(c, 'small', 0, await batch(values(20)));
      assert.equal(big.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
      // min.insync.replicas 2 on a single replica: capped at the replica count (Kafka 3.7+), so acks=all is accepted
      assert.equal((await produce(c, 'misr', 0, await batch(values(1)))).errorCode, ErrorCode.NONE);
      const future = await produce(c, 't', 1, await batch([{ value: 'f', timestamp: Date.now() + 2 * 3_600_000 }]));
      assert.equal(future.errorCode, ErrorCode.INVALID_TIMESTAMP);
      await tm.createTopic({ name: 'recent', numPartitions: 1, configs: { 'message.timestamp.before.max.ms': '60000' } });
      assert.equal((await produce(c, 'recent', 0, await batch(values(1)))).errorCode, ErrorCode.INVALID_TIMESTAMP);
      assert.equal((await produce(c, 'recent', 0, await batch([{ value: 'now', timestamp: Date.now() }]))).errorCode, ErrorCode.NONE);
      assert.equal((await produce(c, 'misr', 0, await batch(values(1)), { acks: 1 })).errorCode, ErrorCode.NONE);
      assert.equal((await produce(c, 't', 1, await batch(values(1)), { acks: 2 })).errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
      assert.equal((await produce(c, 't', 1, await batch(values(1)), { version: 2 })).errorCode, ErrorCode.UNSUPPORTED_VERSION);
      // nothing was appended to t-1 by the refused requests
      assert.equal(tm.partition('t', 1)!.logEndOffset, 0);
      const f = await c.request(ApiKey.Fetch, 12, fetchReq('t', 0, 99));
      assert.deepEqual(
        [f.responses[0]!.partitions[0]!.errorCode, f.responses[0]!.partitions[0]!.highWatermark],
        [ErrorCode.OFFSET_OUT_OF_RANGE, -1n],
      );
      const u = await c.request(ApiKey.Fetch, 12, fetchReq('nope', 0, 0));
      assert.equal(u.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const fenced = fetchReq('t', 0, 0);
      fenced.topics[0]!.partitions[0]!.currentLeaderEpoch = 3;
      assert.equal((await c.request(ApiKey.Fetch, 12, fenced)).responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    });

    it('acks=0 gets no response but appends', async () => {
      c.send(ApiKey.Produce, 9, {
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 1, records: await batch(values(4)) }] }],
      });
      const md = await c.request(ApiKey.Metadata, 1, { topics: [] }); // answered next: acks=0 produced no frame
      assert.equal(md.topics.length, 0);
      assert.equal(tm.partition('t', 1)!.logEndOffset, 4);
    });

    it('acks=0 with a failed partition closes the connection after earlier answers', async () => {
      const c2 = await kafkaClient(b.port);
      const md = c2.request(ApiKey.Metadata, 1, { topics: [] }); // answered before the close
      c2.send(ApiKey.Produce, 9, {
        acks: 0,
        timeoutMs: 1000,
        topicData: [
          {
            name: 't',
            partitionData: [
              { index: 0, records: await batch(values(1)) },
              { index: 7, records: await batch(values(1)) },
            ],
          },
        ],
      });
      c2.send(ApiKey.Metadata, 1, { topics: [] }); // after the failed produce: dropped
      assert.equal((await md).topics.length, 0);
      await c2.wire.closed;
      assert.equal(c2.wire.pending.length, 0);
      c2.close();
    });

    it('LogAppendTime topics stamp the broker time and answer it', async () => {
      const before = Date.now();
      const r = await produce(c, 'lat', 0, await batch(values(2)));
      assert.equal(r.errorCode, 0);
      const t = Number(r.logAppendTimeMs);
      assert.ok(t >= before && t <= Date.now());
      const f = await c.request(ApiKey.Fetch, 12, fetchReq('lat', 0, 0));
      const [d] = await decodeRecordBatches(f.responses[0]!.partitions[0]!.records!);
      assert.equal(d!.timestampType, 'LogAppendTime');
      assert.equal(d!.maxTimestamp, BigInt(t));
    });

    it('recompresses to the topic codec, keeping records exactly', async () => {
      const recs = values(5).map((r) => ({ ...r, headers: [{ key: 'h', value: Buffer.from('x') }] }));
      assert.equal((await produce(c, 'gz', 0, await batch(recs, CompressionType.Lz4))).errorCode, 0);
      const f = await c.request(ApiKey.Fetch, 12, fetchReq('gz', 0, 0));
      const [d] = await decodeRecordBatches(f.responses[0]!.partitions[0]!.records!);
      assert.equal(d!.compression, CompressionType.Gzip);
      assert.deepEqual(
        d!.records.map((r) => [Number(r.offset), r.key!.toString(), r.value!.toString(), Number(r.timestamp), r.headers[0]!.key]),
        recs.map((r, i) => [i, r.key, r.value, r.timestamp, 'h']),
      );
    });

    it('long poll: a waiting fetch is answered by an append, well before max.wait.ms', async () => {
      await tm.createTopic({ name: 'lp', numPartitions: 1 });
      const c2 = await kafkaClient(b.port);
      try {
        const started = Date.now();
        const waiting = c2.request(ApiKey.Fetch, 12, fetchReq('lp', 0, 0, { maxWaitMs: 30_000 }));
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(tm.replicas.fetchPurgatory.size, 1);
        await produce(c, 'lp', 0, await batch(values(1)));
        const f = await waiting;
        assert.ok(Date.now() - started < 10_000);
        const p = f.responses[0]!.partitions[0]!;
        assert.equal(p.highWatermark, 1n);
        assert.equal((await decodeRecordBatches(p.records!))[0]!.records[0]!.value!.toString(), 'v0');
        assert.equal(tm.replicas.fetchPurgatory.size, 0);
        // maxWait elapses with nothing produced: empty answer
        const empty = await c2.request(ApiKey.Fetch, 12, fetchReq('lp', 0, 1, { maxWaitMs: 20 }));
        assert.equal(empty.responses[0]!.partitions[0]!.records!.length, 0);
        // minBytes larger than one batch (72 bytes each here): waits for a second append
        const bigStarted = Date.now();
        const big = c2.request(ApiKey.Fetch, 12, fetchReq('lp', 0, 1, { maxWaitMs: 30_000, minBytes: 100 }));
        await produce(c, 'lp', 0, await batch(values(1)));
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(tm.replicas.fetchPurgatory.size, 1);
        await produce(c, 'lp', 0, await batch(values(1)));
        assert.deepEqual(
          (await decodeRecordBatches((await big).responses[0]!.partitions[0]!.records!)).map((x) => x.baseOffset),
          [1n, 2n],
        );
        assert.ok(Date.now() - bigStarted < 10_000);
      } finally {
        c2.close();
      }
    });

    it('max bytes: first batch always, later partitions only what fits (KIP-74)', async () => {
      await tm.createTopic({ name: 'mb', numPartitions: 2 });
      const b0 = await batch(values(10));
      const b1 = await batch(values(10));
      await produce(c, 'mb', 0, b0);
      await produce(c, 'mb', 0, await batch(values(10)));
      await produce(c, 'mb', 1, b1);
      const req = fetchReq('mb', 0, 0, { maxBytes: 10 });
      req.topics[0]!.partitions.push({ ...req.topics[0]!.partitions[0]!, partition: 1 });
      const f = await c.request(ApiKey.Fetch, 12, req);
      const [p0, p1] = f.responses[0]!.partitions;
      assert.equal(p0!.records!.length, b0.length);
      // budget used up: no records, but the partition's offsets are answered
      assert.deepEqual(
        [p1!.errorCode, p1!.records!.length, p1!.highWatermark, p1!.lastStableOffset, p1!.logStartOffset],
        [0, 0, 10n, 10n, 0n],
      );
      const oor = fetchReq('mb', 0, 0, { maxBytes: 10 });
      oor.topics[0]!.partitions.push({ ...oor.topics[0]!.partitions[0]!, partition: 1, fetchOffset: 99n });
      assert.equal((await c.request(ApiKey.Fetch, 12, oor)).responses[0]!.partitions[1]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
      const pm = fetchReq('mb', 0, 0, { partitionMaxBytes: b0.length + 5 });
      assert.equal((await c.request(ApiKey.Fetch, 12, pm)).responses[0]!.partitions[0]!.records!.length, b0.length);
    });
  });
}

describe('durability', () => {
  it('fsync mode and restart keep every acknowledged record at its offset', async () => {
    const b = await startTestBroker({ 'tributary.durability': 'fsync' }, {}, { keep: true });
    const c = await kafkaClient(b.port);
    await topicsOf(b.broker).createTopic({ name: 'd', numPartitions: 1, configs: { 'segment.bytes': '300' } });
    const offsets = [];
    for (let i = 0; i < 5; i++) offsets.push((await produce(c, 'd', 0, await batch(values(2, `r${i}-`)))).baseOffset);
    assert.deepEqual(offsets, [0n, 2n, 4n, 6n, 8n]);
    c.close();
    await b.broker.stop();
    const b2 = await startTestBroker({ 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(b2.port);
    try {
      const f = await c2.request(ApiKey.Fetch, 12, fetchReq('d', 0, 0, { maxBytes: 1 << 20 }));
      const p = f.responses[0]!.partitions[0]!;
      assert.equal(p.highWatermark, 10n);
      let next = 0;
      const seen: string[] = [];
      while (next < 10) {
        const r = await c2.request(ApiKey.Fetch, 12, fetchReq('d', 0, next));
        const bs = await decodeRecordBatches(r.responses[0]!.partitions[0]!.records!);
        for (const x of bs)
          for (const rec of x.records) {
            seen.push(`${rec.offset}:${rec.value}`);
            next = Number(rec.offset) + 1;
          }
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 10 }, (_, i) => `${i}:r${Math.floor(i / 2)}-${i % 2}`),
      );
    } finally {
      c2.close();
      await b2.stop();
    }
  });
});

for (const zeroCopy of [true, false]) {
  describe(`large fetch (${zeroCopy ? 'zero-copy' : 'copy path'})`, () => {
    it('splices big record buffers into the response frame and they arrive intact', async () => {
      const b = await startTestBroker({ 'tributary.zero.copy.enable': zeroCopy });
      const c = await kafkaClient(b.port);
      try {
        await topicsOf(b.broker).createTopic({ name: 'big', numPartitions: 2 });
        const big = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1000, i), timestamp: 1 }));
        await produce(c, 'big', 0, await batch(big));
        await produce(c, 'big', 1, await batch(big.slice(0, 10)));
        const req = fetchReq('big', 0, 0);
        req.topics[0]!.partitions.push({ ...req.topics[0]!.partitions[0]!, partition: 1 });
        const f = await c.request(ApiKey.Fetch, 12, req);
        const [p0, p1] = f.responses[0]!.partitions;
        const r0 = (await decodeRecordBatches(p0!.records!))[0]!.records;
        assert.equal(r0.length, 50);
        assert.deepEqual(r0[49]!.value, Buffer.alloc(1000, 49));
        assert.equal((await decodeRecordBatches(p1!.records!))[0]!.records.length, 10);
        const v4 = await c.request(ApiKey.Fetch, 4, req);
        assert.deepEqual(v4.responses[0]!.partitions[0]!.records, p0!.records);
      } finally {
        c.close();
        await b.stop();
      }
    });
  });
}

describe('waiting fetches end early', () => {
  it('on topic deletion and on broker stop', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    const tm = topicsOf(b.broker);
    await tm.createTopic({ name: 'del', numPartitions: 1 });
    await tm.createTopic({ name: 'stay', numPartitions: 1 });
    try {
      const t0 = Date.now();
      const w1 = c.request(ApiKey.Fetch, 12, fetchReq('del', 0, 0, { maxWaitMs: 60_000 }));
      await new Promise((r) => setTimeout(r, 30));
      await tm.deleteTopic('del');
      assert.equal((await w1).responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const w2 = c.request(ApiKey.Fetch, 12, fetchReq('stay', 0, 0, { maxWaitMs: 60_000 }));
      await new Promise((r) => setTimeout(r, 30));
      const stopping = b.broker.stop();
      const r2 = await w2;
      assert.deepEqual([r2.responses[0]!.partitions[0]!.errorCode, r2.responses[0]!.partitions[0]!.records!.length], [0, 0]);
      await stopping;
      assert.ok(Date.now() - t0 < 30_000);
    } finally {
      c.close();
      await b.stop();
    }
  });
});

describe('idempotent producer', () => {
  it('checks epochs and sequences; a retried duplicate returns the original offsets', async () => {
    const b = await startTestBroker({}, {}, { keep: true });
    const c = await kafkaClient(b.port);
    await topicsOf(b.broker).createTopic({ name: 'idem', numPartitions: 1 });
    const ib = (seq: number, n: number, epoch = 0, pid = 7n) =>
      encodeRecordBatch({ records: values(n), producerId: pid, producerEpoch: epoch, baseSequence: seq });
    try {
      const p = async (buf: Buffer) => {
        const r = await produce(c, 'idem', 0, buf);
        return [r.errorCode, r.baseOffset];
      };
      assert.deepEqual(await p(await ib(0, 2)), [0, 0n]);
      assert.deepEqual(await p(await ib(2, 3)), [0, 2n]);
      assert.deepEqual(await p(await ib(0, 2)), [0, 0n]); // duplicate: original offsets
      assert.deepEqual(await p(await ib(2, 3)), [0, 2n]);
      assert.equal(topicsOf(b.broker).partition('idem', 0)!.logEndOffset, 5);
      assert.deepEqual(await p(await ib(9, 1)), [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n]);
      assert.deepEqual(await p(await ib(5, 1)), [0, 5n]);
      assert.deepEqual(await p(await ib(3, 1, 1)), [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n]);
      assert.deepEqual(await p(await ib(0, 1, 1)), [0, 6n]);
      assert.deepEqual(await p(await ib(1, 1, 0)), [ErrorCode.INVALID_PRODUCER_EPOCH, -1n]);
      assert.deepEqual(await p(await ib(42, 1, 0, 8n)), [0, 7n]); // unknown producer: any sequence
      assert.deepEqual(await p(await ib(2147483647, 2, 0, 9n)), [0, 8n]); // wraps at Int32.MAX
      assert.deepEqual(await p(await ib(1, 1, 0, 9n)), [0, 10n]);
    } finally {
      c.close();
      await b.broker.stop();
    }
    // after a restart the state comes back from the log: duplicates and gaps are still detected
    const b2 = await startTestBroker({ 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(b2.port);
    try {
      const p = async (buf: Buffer) => {
        const r = await produce(c2, 'idem', 0, buf);
        return [r.errorCode, r.baseOffset];
      };
      assert.deepEqual(await p(await ib(1, 1, 0, 9n)), [0, 10n]);
      assert.deepEqual(await p(await ib(5, 1, 0, 9n)), [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n]);
      assert.deepEqual(await p(await ib(0, 1, 1)), [0, 6n]);
      assert.deepEqual(await p(await ib(1, 1, 1)), [0, 11n]);
    } finally {
      c2.close();
      await b2.stop();
    }
  });
});
