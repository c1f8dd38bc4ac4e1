// PartitionLog.maxTimestampAndOffset (ListOffsets MAX_TIMESTAMP, KIP-734): the offset of the record
// carrying the largest timestamp, not the last offset of its batch; inside compressed batches, in an
// older segment, after a clean restart and after crash recovery, and for LogAppendTime batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionType, encodeRecordBatch } from '@tributary/protocol';
import { buildBatch } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';

const codecs = [
  ['none', CompressionType.None],
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const;

async function batch(timestamps: number[], compression: CompressionType): Promise<Buffer> {
  const records = timestamps.map((timestamp, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp }));
  return encodeRecordBatch({ records, compression });
}

for (const [name, compression] of codecs) {
  test(`max timestamp: the middle record of a batch stamped +100, +400, +250 (${name}), before and after a restart`, async () => {
    const env = testEnv();
    const T = env.time.now() - 100_000;
    let mgr = env.open({ indexIntervalBytes: 100 });
    let log = mgr.getOrCreateLog('t', 0);
    // offsets 0..29: ten batches below +100, so the offset index has entries before the batch looked for
    for (let k = 0; k < 10; k++) log.appendSync(await batch([T + 3 * k, T + 3 * k + 2, T + 3 * k + 1], compression), { leaderEpoch: 0 });
    log.appendSync(await batch([T + 100, T + 400, T + 250], compression), { leaderEpoch: 0 }); // offsets 30, 31, 32
    log.appendSync(await batch([T + 300, T + 399], compression), { leaderEpoch: 0 }); // 33, 34
    assert.ok(log.activeSegment.offsetIndex.count >= 5);
    assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 400, offset: 31 });
    // the max in an older segment than the active one
    log.roll();
    log.appendSync(await batch([T + 390, T + 200], compression), { leaderEpoch: 0 }); // 35, 36
    assert.equal(log.segments.length, 2);
    assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 400, offset: 31 });
    // clean restart: the segment's max comes back from its time index (the batch's last offset, 32)
    mgr.shutdown();
    mgr = env.open({ indexIntervalBytes: 100 });
    log = mgr.getLog('t', 0)!;
    assert.equal(mgr.startupReport.recovery.recoveredSegments, 0);
    assert.equal(log.logEndOffset, 37);
    assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 400, offset: 31 });
    // a later batch with a larger max takes over: its first record at that timestamp
    log.appendSync(await batch([T + 500, T + 401, T + 500], compression), { leaderEpoch: 0 }); // 37, 38, 39
    assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 500, offset: 37 });
    // crash (no clean shutdown): the active segment is recovered by scanning its batches
    mgr = env.open({ indexIntervalBytes: 100 });
    log = mgr.getLog('t', 0)!;
    assert.equal(mgr.startupReport.recovery.recoveredSegments, 1);
    assert.equal(log.logEndOffset, 40);
    assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: T + 500, offset: 37 });
  });
}

test('max timestamp: a LogAppendTime batch answers its first record (every record carries the append time)', async () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // offsets 0, 1
  log.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0, logAppendTimeMs: 42_000_000_000_000 }); // 2, 3, 4
  log.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0, logAppendTimeMs: 41_000_000_000_000 }); // 5, 6, 7
  assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: 42_000_000_000_000, offset: 2 });
});

test('max timestamp: an empty log answers timestamp -1, offset -1', async () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  assert.deepEqual(await log.maxTimestampAndOffset(), { timestamp: -1, offset: -1 });
});
