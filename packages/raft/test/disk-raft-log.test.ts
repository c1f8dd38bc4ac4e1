// DiskRaftLog: offsets and ranges, explicit flush (concurrent appends, truncations under an fsync
// in flight, crashes losing the unflushed tail), the epoch of every offset (endOffsetForEpoch,
// reopen), follower appends, read caps, batch iteration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Off } from '@tributary/protocol';
import { DiskRaftLog } from '../src/disk-raft-log.ts';
import { HeldFsyncFileSystem, LOG_DIR, SEGMENT_0, encodeValues, logEnv, valuesIn, type LogEnv } from './helpers/disk-log.ts';

describe('DiskRaftLog: appends and flush', () => {
  it('an empty log', () => {
    const log = logEnv().open();
    assert.deepEqual([log.startOffset, log.endOffset, log.flushedOffset, log.lastFetchedEpoch], [0, 0, 0, 0]);
    assert.deepEqual(log.endOffsetForEpoch(0), { epoch: -1, offset: 0 });
    assert.deepEqual(log.endOffsetForEpoch(7), { epoch: -1, offset: 0 });
    assert.equal(log.read(0, 100, 1000), null);
    assert.deepEqual([...log.batches(0)], []);
  });

  it('assigns offsets at once and makes them durable only on flush', async () => {
    const log = logEnv().open();
    assert.deepEqual(log.appendAsLeader(['a'], 1), { baseOffset: 0, lastOffset: 0 });
    assert.deepEqual(log.appendAsLeader(['b', 'c', 'd'], 1), { baseOffset: 1, lastOffset: 3 });
    assert.equal(log.endOffset, 4);
    assert.equal(log.flushedOffset, 0);
    await log.flush();
    assert.equal(log.flushedOffset, 4);
    assert.equal(log.lastFetchedEpoch, 1);
    assert.deepEqual(valuesIn(log.read(0, 4, 1 << 20)), ['a', 'b', 'c', 'd']);
  });

  it('rejects an append in an older epoch and an encoder returning more than one batch', () => {
    const env = logEnv();
    const log = env.open();
    log.appendAsLeader(['a'], 3);
    assert.throws(() => log.appendAsLeader(['b'], 2), /epoch 2 after epoch 3/);
    const two = twoBatchLog(env);
    assert.throws(() => two.appendAsLeader(['x'], 1), /exactly one batch/);
  });

  it('a crash keeps what was flushed and loses the rest', async () => {
    const env = logEnv();
    const log = env.open();
    log.appendAsLeader(['a', 'b'], 1);
    await log.flush();
    log.appendAsLeader(['c'], 2);
    env.fs.crash();
    const reopened = env.open();
    assert.equal(reopened.endOffset, 2);
    assert.equal(reopened.flushedOffset, 2);
    assert.equal(reopened.lastFetchedEpoch, 1);
    assert.deepEqual(reopened.endOffsetForEpoch(2), { epoch: 1, offset: 2 });
    assert.deepEqual(valuesIn(reopened.read(0, 10, 1 << 20)), ['a', 'b']);
  });

  it('a flush covers what was appended before it was called, not what came during its fsync', async () => {
    const fs = new HeldFsyncFileSystem();
    const log = logEnv(fs).open();
    log.appendAsLeader(['a'], 1);
    fs.hold = true;
    const first = log.flush();
    log.appendAsLeader(['b'], 1);
    assert.ok(fs.heldCount > 0);
    fs.hold = false;
    fs.release();
    await first;
    assert.equal(log.flushedOffset, 1);
    await log.flush();
    assert.equal(log.flushedOffset, 2);
  });

  it('concurrent flushes: each resolves once everything appended before it is durable', async () => {
    const fs = new HeldFsyncFileSystem();
    const log = logEnv(fs).open();
    log.appendAsLeader(['a'], 1);
    fs.hold = true;
    const first = log.flush();
    log.appendAsLeader(['b'], 1);
    const second = log.flush();
    fs.hold = false;
    fs.release();
    await first;
    await second;
    assert.equal(log.flushedOffset, 2);
    fs.crash();
    assert.equal(logEnv(fs).open().endOffset, 2);
  });

  it('a truncation during an fsync in flight: the truncated offsets are never reported durable', async () => {
    const fs = new HeldFsyncFileSystem();
    const log = logEnv(fs).open();
    for (const v of ['a', 'b', 'c', 'd']) log.appendAsLeader([v], 1);
    fs.hold = true;
    const flushing = log.flush();
    log.truncateTo(2);
    assert.equal(log.endOffset, 2);
    assert.ok(log.flushedOffset <= 2);
    log.appendAsLeader(['x'], 2);
    fs.hold = false;
    fs.release();
    await flushing;
    // the fsync began before the truncation: it vouches for [0, 2) only
    assert.equal(log.flushedOffset, 2);
    await log.flush();
    assert.equal(log.flushedOffset, 3);
  });

  it('a truncation under an fsync, then appends back to the same size: the next flush still syncs them', async () => {
    const fs = new HeldFsyncFileSystem();
    const log = logEnv(fs).open();
    for (const v of ['a', 'b', 'c']) log.appendAsLeader([v], 1);
    fs.hold = true;
    const first = log.flush(); // syncs a, b, c (held)
    log.truncateTo(1);
    log.appendAsLeader(['y'], 2); // same bytes as before but for the values and the epoch
    log.appendAsLeader(['z'], 2);
    const second = log.flush();
    fs.hold = false;
    fs.release();
    await first;
    await second;
    assert.equal(log.flushedOffset, 3);
    fs.crash();
    const reopened = logEnv(fs).open();
    assert.deepEqual(valuesIn(reopened.read(0, 10, 1 << 20)), ['a', 'y', 'z']);
    assert.deepEqual(reopened.endOffsetForEpoch(2), { epoch: 2, offset: 3 });
  });

  it('flushedOffset never exceeds endOffset after truncateTo', async () => {
    const log = logEnv().open();
    for (const v of ['a', 'b', 'c', 'd', 'e']) log.appendAsLeader([v], 1);
    await log.flush();
    log.truncateTo(3);
    assert.deepEqual([log.endOffset, log.flushedOffset], [3, 3]);
    log.truncateTo(0);
    assert.deepEqual([log.endOffset, log.flushedOffset, log.lastFetchedEpoch], [0, 0, 0]);
  });

  it('a flush after close fails', async () => {
    const log = logEnv().open();
    log.appendAsLeader(['a'], 1);
    log.close();
    await assert.rejects(log.flush(), /closed/);
  });

  it('a failed fsync fails the flush', async () => {
    const env = logEnv();
    const log = env.open();
    log.appendAsLeader(['a'], 1);
    env.fs.faults.failFsync = true;
    await assert.rejects(log.flush(), /offline|fsync failed/);
    assert.equal(log.flushedOffset, 0);
  });
});

describe('DiskRaftLog: epochs', () => {
  async function epochsLog() {
    const env = logEnv();
    const log = env.open();
    log.appendAsLeader(['a', 'b', 'c'], 1); // 0..2
    log.appendLeaderChange(3, 1, [1, 2, 3]); // 3
    log.appendAsLeader(['d', 'e'], 3); // 4..5
    log.appendAsLeader(['f', 'g'], 5); // 6..7
    await log.flush();
    return { env, log };
  }

  it('endOffsetForEpoch: the largest epoch at or below and where it ends', async () => {
    const { log } = await epochsLog();
    assert.equal(log.lastFetchedEpoch, 5);
    assert.deepEqual(log.endOffsetForEpoch(0), { epoch: -1, offset: 0 });
    assert.deepEqual(log.endOffsetForEpoch(-1), { epoch: -1, offset: 0 });
    assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, offset: 3 });
    assert.deepEqual(log.endOffsetForEpoch(2), { epoch: 1, offset: 3 });
    assert.deepEqual(log.endOffsetForEpoch(3), { epoch: 3, offset: 6 });
    assert.deepEqual(log.endOffsetForEpoch(4), { epoch: 3, offset: 6 });
    assert.deepEqual(log.endOffsetForEpoch(5), { epoch: 5, offset: 8 });
    assert.deepEqual(log.endOffsetForEpoch(9), { epoch: 5, offset: 8 });
  });

  it('truncation forgets the epochs above the new end', async () => {
    const { log } = await epochsLog();
    log.truncateTo(6);
    assert.equal(log.lastFetchedEpoch, 3);
    assert.deepEqual(log.endOffsetForEpoch(5), { epoch: 3, offset: 6 });
    log.truncateTo(5); // whole batches: 4..5 goes
    assert.equal(log.endOffset, 4);
    log.truncateTo(3);
    assert.equal(log.lastFetchedEpoch, 1);
    assert.deepEqual(log.endOffsetForEpoch(4), { epoch: 1, offset: 3 });
  });

  it('reopening (clean or after a crash) recovers the epochs', async () => {
    const { env, log } = await epochsLog();
    log.close();
    const a = env.open();
    assert.deepEqual([a.endOffset, a.flushedOffset, a.lastFetchedEpoch], [8, 8, 5]);
    assert.deepEqual(a.endOffsetForEpoch(4), { epoch: 3, offset: 6 });
    a.appendAsLeader(['h'], 7);
    await a.flush();
    a.appendAsLeader(['i'], 8);
    env.fs.crash();
    const b = env.open();
    assert.deepEqual([b.endOffset, b.lastFetchedEpoch], [9, 7]);
    assert.deepEqual(b.endOffsetForEpoch(8), { epoch: 7, offset: 9 });
    assert.deepEqual(b.endOffsetForEpoch(6), { epoch: 5, offset: 8 });
  });

  it('a torn tail is cut off when the log is opened', async () => {
    const { env, log } = await epochsLog();
    log.close();
    const size = env.fs.bytes(SEGMENT_0).length;
    env.fs.setLength(SEGMENT_0, size - 5);
    const reopened = env.open();
    assert.ok(reopened.recovery.truncatedBytes > 0);
    assert.deepEqual([reopened.endOffset, reopened.flushedOffset, reopened.lastFetchedEpoch], [6, 6, 3]);
  });
});

describe('DiskRaftLog: follower appends', () => {
  async function leaderLog() {
    const leader = logEnv().open();
    leader.appendLeaderChange(1, 1, [1, 2]);
    leader.appendAsLeader(['a', 'b'], 1);
    leader.appendLeaderChange(2, 2, [1, 2]);
    leader.appendAsLeader(['c'], 2);
    return leader;
  }

  it('keeps the fetched offsets and epochs', async () => {
    const leader = await leaderLog();
    const follower = logEnv().open();
    follower.appendAsFollower(leader.read(0, 3, 1 << 20)!);
    assert.deepEqual([follower.endOffset, follower.lastFetchedEpoch], [3, 1]);
    follower.appendAsFollower(leader.read(3, 5, 1 << 20)!);
    assert.deepEqual([follower.endOffset, follower.flushedOffset, follower.lastFetchedEpoch], [5, 0, 2]);
    for (const e of [0, 1, 2, 3]) assert.deepEqual(follower.endOffsetForEpoch(e), leader.endOffsetForEpoch(e));
    assert.deepEqual(follower.read(0, 5, 1 << 20), leader.read(0, 5, 1 << 20));
    await follower.flush();
    assert.equal(follower.flushedOffset, 5);
  });

  it('refuses batches not starting at the log end, corrupt ones, and epochs going back', async () => {
    const leader = await leaderLog();
    const follower = logEnv().open();
    assert.throws(() => follower.appendAsFollower(leader.read(1, 5, 1 << 20)!), /offset 1, expected 0/);
    const corrupt = Buffer.from(leader.read(0, 5, 1 << 20)!);
    corrupt[corrupt.length - 1]! ^= 0xff;
    assert.throws(() => follower.appendAsFollower(corrupt), /CRC/);
    assert.equal(follower.endOffset, 0);
    follower.appendAsFollower(leader.read(0, 5, 1 << 20)!);
    const older = encodeValues(['z'], 1, 0);
    older.writeBigInt64BE(5n, Off.BaseOffset);
    assert.throws(() => follower.appendAsFollower(older), /epoch 1 after epoch 2/);
    assert.throws(() => follower.appendAsFollower(Buffer.alloc(0)), /no whole batch/);
  });

  it('appends the whole batches of a fetch ending in a partial one', async () => {
    const leader = await leaderLog();
    const all = leader.read(0, 5, 1 << 20)!;
    const follower = logEnv().open();
    follower.appendAsFollower(all.subarray(0, all.length - 3));
    assert.equal(follower.endOffset, 4);
  });
});

describe('DiskRaftLog: read and batches', () => {
  async function threeBatches(segmentBytes?: number) {
    const env = logEnv();
    const log = env.open(segmentBytes);
    log.appendAsLeader(['a'], 1); // 0
    log.appendAsLeader(['b', 'c', 'd'], 1); // 1..3
    log.appendAsLeader(['e'], 2); // 4
    return { env, log };
  }

  it('whole batches from the one holding the offset, none ending at or past maxOffset', async () => {
    const { log } = await threeBatches();
    assert.deepEqual(valuesIn(log.read(0, 5, 1 << 20)), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(valuesIn(log.read(2, 5, 1 << 20)), ['b', 'c', 'd', 'e']);
    assert.deepEqual(valuesIn(log.read(0, 4, 1 << 20)), ['a', 'b', 'c', 'd']);
    // the batch 1..3 straddles 3 and 2: only batch 0 is below
    assert.deepEqual(valuesIn(log.read(0, 3, 1 << 20)), ['a']);
    assert.deepEqual(valuesIn(log.read(0, 1, 1 << 20)), ['a']);
    assert.equal(log.read(1, 3, 1 << 20), null);
    assert.equal(log.read(0, 0, 1 << 20), null);
    assert.equal(log.read(5, 10, 1 << 20), null);
  });

  it('maxBytes: the first batch even when larger, then whole batches within it', async () => {
    const { log } = await threeBatches();
    assert.deepEqual(valuesIn(log.read(1, 5, 1)), ['b', 'c', 'd']);
    const first = log.read(0, 5, 1)!;
    assert.deepEqual(valuesIn(log.read(0, 5, first.length)), ['a']);
    const two = log.read(0, 4, 1 << 20)!;
    assert.deepEqual(valuesIn(log.read(0, 5, two.length + 1)), ['a', 'b', 'c', 'd']);
  });

  it('batches(): epochs, control flags and offsets across segments, capped at toOffset', async () => {
    const { log } = await threeBatches(200); // a segment per batch or so
    log.appendLeaderChange(3, 1, [1]); // 5
    log.appendAsLeader(['f', 'g'], 3); // 6..7
    const all = [...log.batches(0)].map((b) => [b.baseOffset, b.lastOffset, b.epoch, b.isControl, valuesIn(b.isControl ? null : b.bytes)]);
    assert.deepEqual(all, [
      [0, 0, 1, false, ['a']],
      [1, 3, 1, false, ['b', 'c', 'd']],
      [4, 4, 2, false, ['e']],
      [5, 5, 3, true, []],
      [6, 7, 3, false, ['f', 'g']],
    ]);
    assert.deepEqual(
      [...log.batches(2, 6)].map((b) => b.baseOffset),
      [1, 4, 5],
    );
    assert.deepEqual([...log.batches(8)], []);
  });

  it('truncation across segments, then a reopen', async () => {
    const { env, log } = await threeBatches(200);
    log.appendAsLeader(['f'], 2); // 5
    await log.flush();
    log.truncateTo(1);
    assert.deepEqual([log.endOffset, log.flushedOffset, log.lastFetchedEpoch], [1, 1, 1]);
    log.appendAsLeader(['x'], 3);
    await log.flush();
    log.close();
    const reopened = env.open(200);
    assert.deepEqual(valuesIn(reopened.read(0, 10, 1 << 20)), ['a', 'x']);
    assert.deepEqual(reopened.endOffsetForEpoch(2), { epoch: 1, offset: 1 });
  });
});

describe('DiskRaftLog: files', () => {
  it('lives in <logDir>/__cluster_metadata-0 in Kafka layout', async () => {
    const env = logEnv();
    const log = env.open();
    assert.equal(log.dir, `${LOG_DIR}/__cluster_metadata-0`);
    log.appendAsLeader(['a'], 4);
    await log.flush();
    const names = env.fs.readdirSync(log.dir);
    for (const n of [
      '00000000000000000000.log',
      '00000000000000000000.index',
      '00000000000000000000.timeindex',
      'leader-epoch-checkpoint',
    ]) {
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    }
    assert.equal(env.fs.bytes(`${log.dir}/leader-epoch-checkpoint`).toString(), '0\n1\n4 0\n');
  });
});

/** A log whose encoder returns two batches for one append (a broken encoder). */
function twoBatchLog(env: LogEnv): DiskRaftLog<string[]> {
  return DiskRaftLog.open<string[]>({
    logDir: '/other',
    fs: env.fs,
    time: env.time,
    encode: (data, epoch, t) => Buffer.concat([encodeValues(data, epoch, t), encodeValues(data, epoch, t)]),
  });
}
