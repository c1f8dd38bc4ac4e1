// cleanLog on data records: latest value per key at its original offset, tombstones and their
// delete horizon, keyless records, compressed batches, a full offset map, segment grouping, the
// uncleanable bounds, and reads (fetch by offset, by timestamp) on the compacted log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attr, CompressionType, Off } from '@tributary/protocol';
import { cleanLog } from '../../src/cleaner/cleaner.ts';
import { CLEANED_FILE_SUFFIX } from '../../src/cleaner/segment-swap.ts';
import { HOUR, T0, append, batches, compactConfig, filesEnding, job, newEnv, noPacer, reload, rows, summary, type Row } from './helpers.ts';
import type { PartitionLog } from '../../src/partition-log.ts';

/** What a clean of [0, endOffset) with a map of the whole dirty section keeps: each key's last record below endOffset, and everything from it on. */
function expectedAfterClean(before: Row[], endOffset: number): string[] {
  const last = new Map<string, number>();
  for (const r of before) if (r.offset < endOffset && r.key !== null) last.set(r.key, r.offset);
  return before
    .filter((r) => r.offset >= endOffset || (r.key !== null && last.get(r.key) === r.offset && r.value !== null))
    .map((r) => `${r.offset}:${r.key}=${r.value}`);
}

/** 120 records of 8 keys in batches of 1-3 (8 closed segments at segment.bytes 700), then a roll; returns the rows. */
async function fillKeys(log: PartitionLog): Promise<Row[]> {
  let n = 0;
  for (let b = 0; n < 120; b++) {
    const size = (b % 3) + 1;
    await append(
      log,
      Array.from({ length: size }, (_, i) => ({ key: `k${(n + i) % 8}`, value: `v${n + i}`, timestamp: T0 + n + i })),
    );
    n += size;
  }
  log.roll();
  return rows(log);
}

test('many versions of each key over many segments: the latest value per key stays at its offset, in order, with gaps', async () => {
  const env = newEnv(compactConfig({ segmentBytes: 700 }));
  const log = env.log;
  const before = await fillKeys(log);
  assert.equal(log.logEndOffset, 120);
  const segsBefore = log.segments.length;
  assert.equal(segsBefore, 9);
  const r = await cleanLog(log, job(log), noPacer);
  assert.equal(r.endOffset, 120);
  assert.equal(r.mapKeys, 8);
  assert.equal(r.mapMessages, 120);
  assert.equal(r.messagesRead, 120);
  assert.equal(r.messagesWritten, 8);
  assert.equal(r.invalidMessages, 0);
  assert.equal(r.segmentsBefore, 8);
  assert.equal(r.segmentsAfter, 8);
  assert.equal(r.bytesRead, 5110);
  assert.equal(r.mapBytesRead, 5110);
  assert.equal(r.bytesWritten, 348);
  assert.equal(r.nextDeleteHorizonMs, -1);
  // every old segment was near 700 bytes: one per group; those left empty stay (a later clean merges them)
  assert.deepEqual(
    log.segments.map((s) => [s.baseOffset, s.size]),
    [
      [0, 0],
      [15, 0],
      [31, 0],
      [48, 0],
      [63, 0],
      [79, 0],
      [96, 0],
      [111, 348],
      [120, 0],
    ],
  );
  assert.deepEqual(await summary(log), expectedAfterClean(before, 120));
  assert.deepEqual(await summary(log), [
    '112:k0=v112',
    '113:k1=v113',
    '114:k2=v114',
    '115:k3=v115',
    '116:k4=v116',
    '117:k5=v117',
    '118:k6=v118',
    '119:k7=v119',
  ]);
  // timestamps unchanged
  assert.deepEqual(
    (await rows(log)).map((x) => x.timestamp - T0),
    [112, 113, 114, 115, 116, 117, 118, 119],
  );
  assert.equal(log.logStartOffset, 0);
  assert.equal(log.logEndOffset, 120);
  assert.deepEqual(filesEnding(env.mem, CLEANED_FILE_SUFFIX), []);
  assert.deepEqual(filesEnding(env.mem, '.swap'), []);
  // the same after a reload that recovers every segment
  const again = reload(env, log.config, { cleanShutdown: false, recoveryPoint: 0 });
  assert.deepEqual(await summary(again), expectedAfterClean(before, 120));
});

test('reads on a compacted log: an offset in a gap, inside or between segments, returns the next batch; time lookups too', async () => {
  const { log } = newEnv(compactConfig({ segmentBytes: 700, indexIntervalBytes: 100 }));
  await fillKeys(log);
  await cleanLog(log, job(log), noPacer);
  const kept = (await batches(log)).map((b) => [Number(b.baseOffset), Number(b.baseOffset) + b.lastOffsetDelta]);
  for (let o = 0; o < 120; o++) {
    const { records } = log.read(o, 1);
    const base = Number(records.readBigInt64BE(0));
    const expected = kept.find(([, last]) => last! >= o)!;
    assert.equal(base, expected[0], `read(${o})`);
  }
  // record timestamps are T0 + offset: the first kept record at or after each time
  const keptRows = await rows(log);
  for (let t = 0; t < 120; t += 7) {
    const hit = await log.offsetForTimestamp(T0 + t);
    const first = keptRows.find((x) => x.timestamp >= T0 + t)!;
    assert.deepEqual(hit, { offset: first.offset, timestamp: first.timestamp }, `offsetForTimestamp(T0 + ${t})`);
  }
  // every closed segment's indexes pass their check
  for (const seg of log.segments) assert.equal(seg.ensureIndexes(100), false);
});

test('the active segment is never cleaned, whatever the job says', async () => {
  const { log } = newEnv(compactConfig({ segmentBytes: 700 }));
  await fillKeys(log);
  for (let i = 0; i < 5; i++) await append(log, [{ key: 'k0', value: `active${i}` }]);
  const active = log.activeSegment;
  const activeBytes = active.size;
  const r = await cleanLog(log, job(log, { firstUncleanableOffset: log.logEndOffset }), noPacer);
  assert.equal(r.endOffset, 120);
  assert.equal(log.activeSegment, active);
  assert.equal(active.size, activeBytes);
  assert.deepEqual((await summary(log)).slice(-6), [
    '119:k7=v119',
    '120:k0=active0',
    '121:k0=active1',
    '122:k0=active2',
    '123:k0=active3',
    '124:k0=active4',
  ]);
  // below the active segment k0 keeps its latest there (112), whatever the active segment holds
  assert.deepEqual(
    (await summary(log)).filter((s) => s.includes(':k0=')),
    ['112:k0=v112', '120:k0=active0', '121:k0=active1', '122:k0=active2', '123:k0=active3', '124:k0=active4'],
  );
});

test('tombstones are kept with a delete horizon, then removed by a clean after delete.retention.ms', async () => {
  const { log } = newEnv(compactConfig({ deleteRetentionMs: HOUR }));
  await append(log, [
    { key: 'a', value: 'a1' },
    { key: 'b', value: 'b1' },
    { key: 'c', value: 'c1' },
  ]);
  await append(log, [
    { key: 'b', value: null, timestamp: T0 + 5 },
    { key: 'c', value: 'c2', timestamp: T0 + 6 },
  ]);
  log.roll();
  await append(log, [{ key: 'x', value: 'x1' }]);
  const r1 = await cleanLog(log, job(log, { now: T0 + 1000 }), noPacer);
  assert.equal(r1.endOffset, 5);
  assert.equal(r1.nextDeleteHorizonMs, T0 + 1000 + HOUR);
  assert.deepEqual(await summary(log), ['0:a=a1', '3:b=null', '4:c=c2', '5:x=x1']);
  const bs = await batches(log);
  assert.equal(bs[1]!.hasDeleteHorizon, true);
  assert.equal(bs[1]!.baseTimestamp, BigInt(T0 + 1000 + HOUR));
  assert.equal(bs[1]!.maxTimestamp, BigInt(T0 + 6));
  assert.equal(bs[1]!.baseOffset, 3n);
  assert.equal(bs[1]!.lastOffsetDelta, 1);
  assert.deepEqual(
    bs[1]!.records.map((x) => Number(x.timestamp) - T0),
    [5, 6],
  );
  assert.equal(bs[0]!.hasDeleteHorizon, false); // a batch without tombstones gets none
  assert.equal(bs[0]!.baseTimestamp, BigInt(T0)); // its first kept record's timestamp

  // before the horizon: still there (a run with an empty dirty section rewrites the clean one)
  const r2 = await cleanLog(log, job(log, { firstDirtyOffset: 5, now: T0 + 1000 + HOUR - 1 }), noPacer);
  assert.equal(r2.endOffset, 5);
  assert.deepEqual(await summary(log), ['0:a=a1', '3:b=null', '4:c=c2', '5:x=x1']);
  assert.equal((await batches(log))[1]!.baseTimestamp, BigInt(T0 + 1000 + HOUR)); // the horizon is not moved
  // at the horizon: gone; the batch keeps c2 and its horizon
  const r3 = await cleanLog(log, job(log, { firstDirtyOffset: 5, now: T0 + 1000 + HOUR }), noPacer);
  assert.equal(r3.endOffset, 5);
  assert.deepEqual(await summary(log), ['0:a=a1', '4:c=c2', '5:x=x1']);
  const after = (await batches(log))[1]!;
  assert.equal(after.baseOffset, 3n);
  assert.equal(after.lastOffsetDelta, 1);
  assert.equal(after.records[0]!.offset, 4n);
  assert.equal(after.records[0]!.timestamp, BigInt(T0 + 6));
});

test('a newer value for a tombstoned key removes the tombstone at once; keyless records are dropped and counted', async () => {
  const { log } = newEnv(compactConfig({ deleteRetentionMs: HOUR }));
  await append(log, [
    { key: 'a', value: 'a1' },
    { key: null, value: 'nokey' },
    { key: 'a', value: null },
  ]);
  await append(log, [
    { key: 'a', value: 'a2' },
    { key: null, value: 'nokey2' },
  ]);
  log.roll();
  const r = await cleanLog(log, job(log), noPacer);
  assert.equal(r.invalidMessages, 2);
  assert.deepEqual(await summary(log), ['3:a=a2']);
  // the first batch went whole; the second keeps LastOffsetDelta 1 with one record
  const [b] = await batches(log);
  assert.equal(b!.baseOffset, 3n);
  assert.equal(b!.lastOffsetDelta, 1);
  assert.equal(b!.recordsCount, 1);
});

test('a batch whose records are all kept is copied byte for byte', async () => {
  const { log } = newEnv(compactConfig());
  await append(log, [{ key: 'a', value: 'a1' }]);
  await append(log, [
    { key: 'b', value: 'b1' },
    { key: 'c', value: 'c1' },
  ]);
  await append(log, [{ key: 'a', value: 'a2' }]);
  log.roll();
  const before = log.read(1, 1 << 20).records;
  const secondBatch = Buffer.from(before.subarray(0, before.readInt32BE(Off.BatchLength) + 12));
  await cleanLog(log, job(log), noPacer);
  const after = log.read(1, 1 << 20).records;
  assert.deepEqual(after.subarray(0, secondBatch.length), secondBatch);
});

for (const [name, codec] of [
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const) {
  test(`${name} batches are re-encoded with ${name}, keeping offsets, timestamps and header fields`, async () => {
    const { log } = newEnv(compactConfig({ segmentBytes: 600 }));
    for (let b = 0; b < 12; b++) {
      await append(
        log,
        Array.from({ length: 5 }, (_, i) => ({
          key: `k${(b * 5 + i) % 7}`,
          value: `value-${b * 5 + i}`.repeat(3),
          timestamp: T0 + b * 5 + i,
        })),
        { compression: codec },
      );
    }
    log.roll();
    const before = await rows(log);
    const r = await cleanLog(log, job(log), noPacer);
    assert.equal(r.endOffset, 60);
    assert.deepEqual(await summary(log), expectedAfterClean(before, 60));
    assert.deepEqual(await summary(log), [
      '53:k4=value-53value-53value-53',
      '54:k5=value-54value-54value-54',
      '55:k6=value-55value-55value-55',
      '56:k0=value-56value-56value-56',
      '57:k1=value-57value-57value-57',
      '58:k2=value-58value-58value-58',
      '59:k3=value-59value-59value-59',
    ]);
    const bs = await batches(log);
    for (const b of bs) {
      if (b.recordsCount === 0) continue;
      assert.equal(b.compression, codec);
      assert.equal(b.lastOffsetDelta, 4);
      assert.equal(b.baseTimestamp, b.records[0]!.timestamp);
      assert.equal(b.maxTimestamp, b.records.at(-1)!.timestamp);
    }
    assert.deepEqual(
      (await rows(log)).map((x) => x.timestamp - T0),
      [53, 54, 55, 56, 57, 58, 59],
    );
  });
}

test('a map too small for the dirty section: the clean stops where it filled, endOffset says where, the rest stays', async () => {
  const { log } = newEnv(compactConfig({ segmentBytes: 700 }));
  const before = await fillKeys(log);
  // 5 keys at most: k0..k4 are mapped from offsets 0..4, k5 at offset 5 does not fit
  const r = await cleanLog(log, job(log, { dedupeBufferBytes: 5 * 24, loadFactor: 1 }), noPacer);
  assert.equal(r.mapKeys, 5);
  assert.equal(r.endOffset, 5);
  assert.deepEqual(
    await summary(log),
    before.map((x) => `${x.offset}:${x.key}=${x.value}`),
  );
  // a map of 8 keys covers it all
  const r2 = await cleanLog(log, job(log, { firstDirtyOffset: 5, dedupeBufferBytes: 8 * 24, loadFactor: 1 }), noPacer);
  assert.equal(r2.endOffset, 120);
  assert.deepEqual(await summary(log), expectedAfterClean(before, 120));
});

test('a map filling in a later segment: earlier records of the mapped keys go, the rest waits for the next run', async () => {
  const { log } = newEnv(compactConfig({ segmentBytes: 400 }));
  // segment 0: a, b, c (x2); segment 1: a, b, d, e
  for (const k of ['a', 'b', 'c', 'a', 'b', 'c']) await append(log, [{ key: k, value: `${k}0` }]);
  log.roll();
  for (const k of ['a', 'b', 'd', 'e']) await append(log, [{ key: k, value: `${k}1` }]);
  log.roll();
  const r = await cleanLog(log, job(log, { dedupeBufferBytes: 4 * 24, loadFactor: 1 }), noPacer);
  // a, b, c, then a, b, d mapped; e (offset 9) does not fit
  assert.equal(r.mapKeys, 4);
  assert.equal(r.endOffset, 9);
  assert.deepEqual(await summary(log), ['5:c=c0', '6:a=a1', '7:b=b1', '8:d=d1', '9:e=e1']);
});

test('small segments are grouped into one cleaned segment up to segment.bytes; a later clean merges further', async () => {
  const { log } = newEnv(compactConfig({ segmentBytes: 300 }));
  for (let i = 0; i < 60; i++) await append(log, [{ key: `k${i % 20}`, value: `v${i}` }]);
  log.roll();
  assert.deepEqual(
    log.segments.map((s) => s.size),
    [288, 288, 292, 296, 296, 292, 292, 294, 296, 296, 292, 292, 294, 296, 296, 0],
  );
  log.config = { ...log.config, segmentBytes: 1000 };
  const r = await cleanLog(log, job(log), noPacer);
  // three old segments make 868-888 bytes, four would pass 1000: groups of three
  assert.equal(r.segmentsBefore, 15);
  assert.equal(r.segmentsAfter, 5);
  assert.deepEqual(
    log.segments.map((s) => [s.baseOffset, s.size]),
    [
      [0, 61], // the groups emptied by the clean keep their last batch, empty (see clean-segments.ts)
      [12, 61],
      [24, 61],
      [36, 584],
      [48, 886],
      [60, 0],
    ],
  );
  const kept = Array.from({ length: 20 }, (_, i) => `${40 + i}:k${i}=v${40 + i}`);
  assert.deepEqual(await summary(log), kept);
  const r2 = await cleanLog(log, job(log, { firstDirtyOffset: 60 }), noPacer);
  // 61 + 61 + 61 + 584 fit in 1000, 886 more do not
  assert.equal(r2.segmentsBefore, 5);
  assert.equal(r2.segmentsAfter, 2);
  assert.deepEqual(
    log.segments.map((s) => [s.baseOffset, s.size]),
    [
      [0, 584],
      [48, 886],
      [60, 0],
    ],
  );
  assert.deepEqual(await summary(log), kept);
});

test('the job never rewrites a segment reaching past firstUncleanableOffset', async () => {
  const { log } = newEnv(compactConfig({ segmentBytes: 700 }));
  const before = await fillKeys(log);
  const fourth = log.segments[3]!;
  assert.equal(fourth.baseOffset, 48);
  // an uncleanable offset inside segment 48: the map covers [0, 51), segments 0, 15, 31 are rewritten
  const r = await cleanLog(log, job(log, { firstUncleanableOffset: 51 }), noPacer);
  assert.equal(r.endOffset, 51);
  assert.equal(r.segmentsBefore, 3);
  assert.equal(log.segments[3], fourth);
  const after = await summary(log);
  assert.deepEqual(
    after.filter((s) => Number(s.split(':')[0]) < 48),
    ['43:k3=v43', '44:k4=v44', '45:k5=v45', '46:k6=v46', '47:k7=v47'],
  );
  assert.deepEqual(
    after.filter((s) => Number(s.split(':')[0]) >= 48),
    before.filter((x) => x.offset >= 48).map((x) => `${x.offset}:${x.key}=${x.value}`),
  );
});

test('delete horizon: Attr bits of a rebuilt batch are the original ones plus DeleteHorizon', async () => {
  const { log } = newEnv(compactConfig({ deleteRetentionMs: 10 }));
  await append(
    log,
    [
      { key: 'a', value: 'a1' },
      { key: 'a', value: null },
    ],
    { compression: CompressionType.Lz4 },
  );
  log.roll();
  await cleanLog(log, job(log), noPacer);
  const raw = log.read(0, 1 << 20).records;
  assert.equal(raw.readInt16BE(Off.Attributes), CompressionType.Lz4 | Attr.DeleteHorizon);
  assert.equal(raw.readBigInt64BE(Off.BaseTimestamp), BigInt(T0 + 10));
});
