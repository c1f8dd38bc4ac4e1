// PartitionLog over the in-memory fs: offsets, reads, index lookups at every boundary, roll, time lookups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionType, Off, encodeRecordBatch } from '@tributary/protocol';
import { buildBatch, batchOffsets } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';
import { OffsetOutOfRangeError } from '../src/errors.ts';

test('append assigns offsets, rewrites BaseOffset and PartitionLeaderEpoch, reads return batches as stored', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  const b1 = buildBatch({ count: 3 });
  const info1 = log.appendSync(b1, { leaderEpoch: 5 });
  assert.deepEqual([info1.firstOffset, info1.lastOffset, info1.logAppendTimeMs, info1.recordCount], [0, 2, -1, 3]);
  assert.equal(info1.maxTimestamp, 1_700_000_000_002);
  const info2 = log.appendSync(Buffer.concat([buildBatch({ count: 2 }), buildBatch({ count: 1 })]), { leaderEpoch: 5 });
  assert.deepEqual([info2.firstOffset, info2.lastOffset, info2.batchCount], [3, 5, 2]);
  assert.equal(log.logEndOffset, 6);
  const r = log.read(0, 1 << 20);
  assert.deepEqual(batchOffsets(r.records), [
    [0, 2],
    [3, 4],
    [5, 5],
  ]);
  assert.equal(r.records.readInt32BE(Off.PartitionLeaderEpoch), 5);
  assert.deepEqual(r.records.subarray(0, b1.length), b1);
  // a read starting inside a batch starts at that batch
  assert.deepEqual(batchOffsets(log.read(4, 1 << 20).records), [
    [3, 4],
    [5, 5],
  ]);
  assert.equal(log.read(6, 100).records.length, 0);
  assert.throws(
    () => log.read(7, 100),
    (e: unknown) => e instanceof OffsetOutOfRangeError && e.errorCode === 1 && e.logEndOffset === 6,
  );
  assert.throws(() => log.read(-1, 100), OffsetOutOfRangeError);
  assert.deepEqual(log.leaderEpochCache.all, [{ epoch: 5, startOffset: 0 }]);
});

test('read: first batch even over budget, then only whole batches within budget, none at or past maxOffset', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const b = buildBatch({ count: 2, valueSize: 100 });
    sizes.push(b.length);
    log.appendSync(b, { leaderEpoch: 0 });
  }
  assert.deepEqual(batchOffsets(log.read(0, 1).records), [[0, 1]]);
  assert.deepEqual(batchOffsets(log.read(0, sizes[0]! + sizes[1]! - 1).records), [[0, 1]]);
  assert.deepEqual(batchOffsets(log.read(0, sizes[0]! + sizes[1]!).records), [
    [0, 1],
    [2, 3],
  ]);
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20, 4).records), [
    [0, 1],
    [2, 3],
  ]);
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20, 5).records), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  assert.equal(log.read(4, 1 << 20, 4).records.length, 0);
  assert.equal(log.read(3, 1 << 20, 3).records.length, 0);
});

test('offset index: Kafka entry rule, every lookup from 0 to logEnd finds the containing batch, file layout', () => {
  const env = testEnv();
  const log = env.open({ indexIntervalBytes: 200 }).getOrCreateLog('t', 0);
  const batches: Array<[number, number, number]> = []; // base, last, position
  let pos = 0;
  for (let i = 0; i < 40; i++) {
    const b = buildBatch({ count: 1 + (i % 4), valueSize: 20 + (i % 3) * 30 });
    const info = log.appendSync(b, { leaderEpoch: 0 });
    batches.push([info.firstOffset, info.lastOffset, pos]);
    pos += b.length;
  }
  // expected entries: before a batch, if bytesSince > interval -> (batch.lastOffset, batch.position)
  const expected: Array<[number, number]> = [];
  let since = 0;
  for (let i = 0; i < batches.length; i++) {
    const [, last, p] = batches[i]!;
    if (since > 200) {
      expected.push([last, p]);
      since = 0;
    }
    since += (batches[i + 1]?.[2] ?? pos) - p;
  }
  const seg = log.activeSegment;
  assert.equal(seg.offsetIndex.count, expected.length);
  assert.ok(expected.length > 5);
  log.flush();
  const file = env.fs.bytes('/data/t-0/00000000000000000000.index');
  assert.equal(file.length, expected.length * 8);
  expected.forEach(([off, p], i) => {
    assert.equal(file.readInt32BE(i * 8), off);
    assert.equal(file.readInt32BE(i * 8 + 4), p);
  });
  for (let off = 0; off < log.logEndOffset; off++) {
    const want = batches.find(([b, l]) => b <= off && off <= l)!;
    const got = seg.findBatch(off)!;
    assert.deepEqual([got.baseOffset, got.lastOffset, got.position], want, `offset ${off}`);
    assert.equal(batchOffsets(log.read(off, 1).records)[0]![0], want[0]);
  }
  // lookups exactly at entries, just before and just after
  expected.forEach(([off, p], i) => {
    assert.deepEqual(seg.offsetIndex.lookupOffset(off), { offset: off, position: p });
    assert.ok(seg.offsetIndex.lookupOffset(off - 1).position < p);
    const next = expected[i + 1];
    if (!next || next[0] > off + 1) assert.equal(seg.offsetIndex.lookupOffset(off + 1).position, p);
  });
  assert.deepEqual(seg.offsetIndex.lookupOffset(0), { offset: 0, position: 0 });
  assert.equal(seg.findBatch(log.logEndOffset), null);
});

test('roll on segment.bytes: files named by 20-digit base offset, reads continue across segments', () => {
  const env = testEnv();
  const mgr = env.open({ segmentBytes: 1000 });
  const log = mgr.getOrCreateLog('t', 0);
  assert.equal(buildBatch({ count: 2, valueSize: 150 }).length, 379);
  for (let i = 0; i < 10; i++) log.appendSync(buildBatch({ count: 2, valueSize: 150 }), { leaderEpoch: 0 });
  // rolls when size > segment.bytes - incoming: 758 > 1000 - 379, so two batches per segment
  const bases = log.segments.map((s) => s.baseOffset);
  assert.deepEqual(bases, [0, 4, 8, 12, 16]);
  assert.deepEqual(
    log.segments.map((s) => s.size),
    [758, 758, 758, 758, 758],
  );
  const files = env.fs.readdirSync('/data/t-0').filter((f) => f.endsWith('.log'));
  assert.deepEqual(
    files,
    bases.map((b) => `${String(b).padStart(20, '0')}.log`),
  );
  assert.deepEqual(files[1], '00000000000000000004.log');
  const all: Array<[number, number]> = [];
  let off = 0;
  while (off < log.logEndOffset) {
    const got = batchOffsets(log.read(off, 1 << 20).records);
    all.push(...got);
    off = got[got.length - 1]![1] + 1;
  }
  assert.deepEqual(
    all,
    Array.from({ length: 10 }, (_, i) => [i * 2, i * 2 + 1]),
  );
});

test('roll on segment.ms (incoming timestamp minus the first batch timestamp, as Kafka), on a full index, and roll() by hand', async () => {
  const env = testEnv();
  const log = env.open({ segmentMs: 1000, indexIntervalBytes: 1, segmentIndexBytes: 8 * 3 }).getOrCreateLog('t', 0);
  const old = env.time.now() - 86_400_000; // day-old CreateTime timestamps: no roll per append
  log.appendSync(buildBatch({ baseTimestamp: old }), { leaderEpoch: 0 });
  await env.time.advance(5000);
  log.appendSync(buildBatch({ baseTimestamp: old + 1000 }), { leaderEpoch: 0 });
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0],
  );
  log.appendSync(buildBatch({ baseTimestamp: old + 1001 }), { leaderEpoch: 0 });
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0, 2],
  );
  await env.time.advance(1);
  // index full: 3 entries max (24 bytes / 8); an entry is added before every batch but the first
  for (let i = 0; i < 4; i++) log.appendSync(buildBatch({ baseTimestamp: old + 1001 }), { leaderEpoch: 0 });
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 6],
  );
  assert.equal(log.segments[1]!.offsetIndex.count, 3);
  log.roll();
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 6, 7],
  );
  log.roll(); // empty active segment: no-op
  assert.equal(log.segments.length, 4);
});

test('time index and offsetForTimestamp: exact record inside a batch, before all, after all, max timestamp', async () => {
  const env = testEnv();
  const T = env.time.now() - 100_000;
  const log = env.open({ indexIntervalBytes: 100 }).getOrCreateLog('t', 0);
  // batch k (k = 0..19) holds 3 records with timestamps T + 10k, +1, +2 ... except batch 7 which goes back in time
  for (let k = 0; k < 20; k++) {
    const base = k === 7 ? T - 500 : T + 10 * k;
    log.appendSync(buildBatch({ records: [0, 1, 2].map((i) => ({ value: 'v'.repeat(30), timestamp: base + i })), baseTimestamp: base }), {
      leaderEpoch: 0,
    });
  }
  assert.equal(log.segments.length, 1);
  assert.ok(log.activeSegment.timeIndex.count > 10);
  assert.deepEqual(await log.offsetForTimestamp(0), { offset: 0, timestamp: T });
  assert.deepEqual(await log.offsetForTimestamp(T), { offset: 0, timestamp: T });
  assert.deepEqual(await log.offsetForTimestamp(T + 1), { offset: 1, timestamp: T + 1 });
  assert.deepEqual(await log.offsetForTimestamp(T + 3), { offset: 3, timestamp: T + 10 });
  assert.deepEqual(await log.offsetForTimestamp(T + 122), { offset: 38, timestamp: T + 122 });
  assert.deepEqual(await log.offsetForTimestamp(T + 190), { offset: 57, timestamp: T + 190 });
  assert.deepEqual(await log.offsetForTimestamp(T + 192), { offset: 59, timestamp: T + 192 });
  assert.equal(await log.offsetForTimestamp(T + 193), null);
  for (let k = 0; k < 20; k++) {
    if (k === 7) continue;
    for (let i = 0; i < 3; i++) {
      const ts = T + 10 * k + i;
      assert.deepEqual(await log.offsetForTimestamp(ts), { offset: 3 * k + i, timestamp: ts }, `ts ${ts}`);
    }
  }
  // the out-of-order batch 7 (T-500..) is found by a target below T only after batch 0 (first at or after wins)
  assert.deepEqual(await log.offsetForTimestamp(T - 500), { offset: 0, timestamp: T });
  assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 192, offset: 59 });
  // time index file: strictly increasing timestamps, 12-byte entries
  log.flush();
  const tix = env.fs.bytes('/data/t-0/00000000000000000000.timeindex');
  assert.equal(tix.length % 12, 0);
  assert.ok(tix.length / 12 > 10);
  for (let i = 12; i < tix.length; i += 12) assert.ok(tix.readBigInt64BE(i) > tix.readBigInt64BE(i - 12));
  // across segments: roll, then look up in the second segment
  log.roll();
  log.appendSync(
    buildBatch({
      records: [
        { value: 'x', timestamp: T + 500 },
        { value: 'y', timestamp: T + 501 },
      ],
      baseTimestamp: T + 500,
    }),
    { leaderEpoch: 0 },
  );
  assert.deepEqual(await log.offsetForTimestamp(T + 193), { offset: 60, timestamp: T + 500 });
  assert.deepEqual(await log.offsetForTimestamp(T + 501), { offset: 61, timestamp: T + 501 });
  assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 501, offset: 61 });
});

test("offsetForTimestamp after the log start offset moved: the record at or after it, with that record's timestamp", async () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  // batch [0:1000, 1:1001], batch [2:3000, 3:1500], batch [4:2000, 5:2001]
  for (const ts of [
    [1000, 1001],
    [3000, 1500],
    [2000, 2001],
  ]) {
    log.appendSync(buildBatch({ records: ts.map((t) => ({ value: 'v', timestamp: t })), baseTimestamp: ts[0] }), { leaderEpoch: 0 });
  }
  log.deleteRecordsBefore(1);
  assert.deepEqual(await log.offsetForTimestamp(0), { offset: 1, timestamp: 1001 });
  assert.deepEqual(await log.offsetForTimestamp(1001), { offset: 1, timestamp: 1001 });
  log.deleteRecordsBefore(3);
  // batch 2's only record at or after 2500 (offset 2) is below the log start: the next match wins
  assert.deepEqual(await log.offsetForTimestamp(2500), null);
  assert.deepEqual(await log.offsetForTimestamp(1200), { offset: 3, timestamp: 1500 });
  assert.deepEqual(await log.offsetForTimestamp(1600), { offset: 4, timestamp: 2000 });
  log.deleteRecordsBefore(4);
  assert.deepEqual(await log.offsetForTimestamp(1200), { offset: 4, timestamp: 2000 });
});

test('LogAppendTime: stamps MaxTimestamp and the attribute bit, CRC stays valid', async () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  const info = log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 1, logAppendTimeMs: 42_000 });
  assert.equal(info.logAppendTimeMs, 42_000);
  assert.equal(info.maxTimestamp, 42_000);
  const { validateBatch } = await import('@tributary/protocol');
  const rec = log.read(0, 1000).records;
  validateBatch(rec, 0);
  assert.equal(rec.readBigInt64BE(Off.MaxTimestamp), 42_000n);
  assert.equal(rec.readInt16BE(Off.Attributes) & 0x08, 0x08);
  assert.deepEqual(await log.offsetForTimestamp(41_999), { offset: 0, timestamp: 42_000 });
});

test('append event fires after each append (long-poll wakeup)', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  const seen: number[] = [];
  log.on('append', (i: { lastOffset: number }) => seen.push(i.lastOffset));
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  assert.deepEqual(seen, [1, 2]);
});

test('follower append keeps the leader offsets and epochs, refuses going backwards, allows a gap', () => {
  const env = testEnv();
  const mgr = env.open();
  const leader = mgr.getOrCreateLog('t', 0);
  leader.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 3 });
  leader.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 5 });
  const fetched = leader.read(0, 1 << 20).records;
  const follower = mgr.getOrCreateLog('t', 1);
  const info = follower.appendAsFollower(Buffer.from(fetched));
  assert.deepEqual([info.firstOffset, info.lastOffset, follower.logEndOffset], [0, 4, 5]);
  assert.deepEqual(follower.read(0, 1 << 20).records, fetched);
  assert.deepEqual(follower.leaderEpochCache.all, [
    { epoch: 3, startOffset: 0 },
    { epoch: 5, startOffset: 2 },
  ]);
  assert.throws(() => follower.appendAsFollower(Buffer.from(fetched)), /below the expected 5/);
  const later = buildBatch({ count: 1 });
  later.writeBigInt64BE(9n, 0);
  later.writeInt32BE(6, Off.PartitionLeaderEpoch);
  assert.equal(follower.appendAsFollower(later).firstOffset, 9);
  assert.equal(follower.logEndOffset, 10);
  assert.deepEqual(batchOffsets(follower.read(5, 1 << 20).records), [[9, 9]]);
  assert.deepEqual(follower.leaderEpochCache.endOffsetFor(5, follower.logEndOffset), { epoch: 5, endOffset: 9 });
});

test('sequential reads continue from where the previous read ended, also across appends and truncation', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  log.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 });
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20).records), [
    [0, 1],
    [2, 4],
  ]);
  assert.equal(log.read(5, 1 << 20).records.length, 0);
  log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  assert.deepEqual(batchOffsets(log.read(5, 1 << 20).records), [[5, 5]]);
  // a budget smaller than the first batch still returns it whole
  assert.deepEqual(batchOffsets(log.read(2, 10).records), [[2, 4]]);
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20, 2).records), [[0, 1]]);
  assert.deepEqual(batchOffsets(log.read(2, 1 << 20).records), [
    [2, 4],
    [5, 5],
  ]);
  log.truncateTo(2);
  log.appendSync(buildBatch({ count: 4 }), { leaderEpoch: 0 });
  assert.deepEqual(batchOffsets(log.read(2, 1 << 20).records), [[2, 5]]);
  assert.deepEqual(batchOffsets(log.read(6, 1 << 20).records), []);
});

test('read with minOneBatch false never reads or allocates a first batch larger than maxBytes', async () => {
  const { BufferPool } = await import('../src/buffer-pool.ts');
  const acquired: number[] = [];
  class CountingPool extends BufferPool {
    override acquire(size: number): Buffer {
      acquired.push(size);
      return super.acquire(size);
    }
  }
  const pool = new CountingPool();
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  const big = buildBatch({ count: 20 });
  log.appendSync(big, { leaderEpoch: 0 });
  assert.ok(big.length > 300);
  assert.equal(log.read(0, 0, log.logEndOffset, pool, false).records.length, 0);
  assert.equal(log.read(0, 40, log.logEndOffset, pool, false).records.length, 0);
  assert.deepEqual(acquired, []); // below a batch header: not even a header read
  assert.equal(log.read(0, 300, log.logEndOffset, pool, false).records.length, 0);
  assert.deepEqual(acquired, [300]); // the budget only, not the whole batch
  assert.throws(() => log.read(99, 0, log.logEndOffset, pool, false), OffsetOutOfRangeError);
  assert.equal(log.read(0, big.length, log.logEndOffset, pool, false).records.length, big.length);
  assert.equal(log.read(0, 300, log.logEndOffset, pool, true).records.length, big.length);
});

test('offsetForTimestamp reads inside compressed batches (gzip, lz4, zstd) and by offset delta where a batch has gaps', async () => {
  const env = testEnv();
  const T = env.time.now() - 100_000;
  const log = env.open().getOrCreateLog('t', 0);
  const codecs = [CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd];
  for (const [k, compression] of codecs.entries()) {
    const records = [0, 1, 2, 3].map((i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${k}.${i}`), timestamp: T + 10 * k + i }));
    log.appendSync(await encodeRecordBatch({ records, compression }), { leaderEpoch: 0 });
  }
  // a batch as the log cleaner leaves it: base offset 12, records at deltas 2 and 3 only (12 and 13 removed)
  const gapped = await encodeRecordBatch({
    records: [
      { key: Buffer.from('a'), value: Buffer.from('x'), timestamp: T + 102, offsetDelta: 2 },
      { key: Buffer.from('b'), value: Buffer.from('y'), timestamp: T + 103, offsetDelta: 3 },
    ],
    compression: CompressionType.Lz4,
    baseTimestamp: BigInt(T + 100),
  });
  log.appendSync(gapped, { leaderEpoch: 0 });
  assert.equal(log.logEndOffset, 16);
  for (const [k] of codecs.entries())
    for (let i = 0; i < 4; i++)
      assert.deepEqual(
        await log.offsetForTimestamp(T + 10 * k + i),
        { offset: 4 * k + i, timestamp: T + 10 * k + i },
        `batch ${k} record ${i}`,
      );
  assert.deepEqual(await log.offsetForTimestamp(T + 25), { offset: 12 + 2, timestamp: T + 102 });
  assert.deepEqual(await log.offsetForTimestamp(T + 103), { offset: 15, timestamp: T + 103 });
  assert.equal(await log.offsetForTimestamp(T + 104), null);
});
