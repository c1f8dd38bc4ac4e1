// Producer snapshots (`<offset>.snapshot`, Kafka's ProducerSnapshot v1): the bytes, when they are
// written (roll, clean close) and deleted (segment deletion, truncation, strays), and loading the
// producer state after a restart from the latest one plus the log after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32cJs } from '@tributary/protocol';
import { testEnv } from './helpers/env.ts';
import { TS, marker, pbatch, txn } from './helpers/producer-batches.ts';
import { buildBatch } from './helpers/batches.ts';
import { decodeSnapshot, encodeSnapshot, type SnapshotEntry } from '../src/producer-snapshot.ts';
import type { FileSystem } from '../src/fs.ts';

const P1 = 1000n;
const P2 = 2000n;
const LEADER = { leaderEpoch: 0 };
const COORDINATOR = { leaderEpoch: 0, origin: 'coordinator' as const };
const DIR = '/data/t-0';

const snapshots = (fs: { readdirSync(p: string): string[] }) => fs.readdirSync(DIR).filter((n) => n.endsWith('.snapshot'));

test('snapshot bytes: version 1, CRC-32C of the rest, count, then 46 bytes per producer', () => {
  const entries: SnapshotEntry[] = [
    {
      producerId: 1000n,
      epoch: 3,
      lastSequence: 9,
      lastOffset: 41,
      offsetDelta: 4,
      timestamp: TS,
      coordinatorEpoch: 2,
      currentTxnFirstOffset: 37,
    },
    {
      producerId: 7n,
      epoch: 0,
      lastSequence: -1,
      lastOffset: -1,
      offsetDelta: 0,
      timestamp: -1,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: -1,
    },
  ];
  const buf = encodeSnapshot(entries);
  const body =
    '00000002' +
    ['00000000000003e8', '0003', '00000009', '0000000000000029', '00000004', '0000018bcfe56800', '00000002', '0000000000000025'].join('') +
    ['0000000000000007', '0000', 'ffffffff', 'ffffffffffffffff', '00000000', 'ffffffffffffffff', 'ffffffff', 'ffffffffffffffff'].join('');
  const crc = crc32cJs(Buffer.from(body, 'hex')).toString(16).padStart(8, '0');
  assert.equal(buf.toString('hex'), `0001${crc}${body}`);
  assert.equal(buf.length, 2 + 4 + 4 + 2 * 46);
  assert.deepEqual(decodeSnapshot(buf), entries);
  const flipped = Buffer.from(buf);
  flipped[20] ^= 1;
  assert.throws(() => decodeSnapshot(flipped), /CRC is no longer valid/);
  const v2 = Buffer.from(buf);
  v2.writeInt16BE(2, 0);
  assert.throws(() => decodeSnapshot(v2), /unknown file version 2/);
});

test('a roll snapshots the state below the new segment; a clean close snapshots the log end', () => {
  const env = testEnv();
  const logs = env.open();
  const log = logs.getOrCreateLog('t', 0);
  log.appendSync(pbatch(P1, 2, 0, { count: 3 }), LEADER); // 0-2
  log.appendSync(txn(P2, 1, 0), LEADER); // 3: P2 opens
  log.roll(); // 4
  assert.deepEqual(snapshots(env.fs), ['00000000000000000004.snapshot']);
  assert.deepEqual(decodeSnapshot(env.fs.readFileSync(`${DIR}/00000000000000000004.snapshot`)!), [
    {
      producerId: P1,
      epoch: 2,
      lastSequence: 2,
      lastOffset: 2,
      offsetDelta: 2,
      timestamp: TS,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: -1,
    },
    {
      producerId: P2,
      epoch: 1,
      lastSequence: 0,
      lastOffset: 3,
      offsetDelta: 0,
      timestamp: TS,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: 3,
    },
  ]);
  log.appendSync(marker(P2, 1, true, 5, TS + 9), COORDINATOR); // 4
  logs.shutdown();
  assert.deepEqual(snapshots(env.fs), ['00000000000000000004.snapshot', '00000000000000000005.snapshot']);
  assert.deepEqual(decodeSnapshot(env.fs.readFileSync(`${DIR}/00000000000000000005.snapshot`)!)[1], {
    producerId: P2,
    epoch: 1,
    lastSequence: 0,
    lastOffset: 3,
    offsetDelta: 0,
    timestamp: TS + 9,
    coordinatorEpoch: 5,
    currentTxnFirstOffset: -1,
  });
});

function olderSegmentState(env: ReturnType<typeof testEnv>) {
  const logs = env.open();
  const log = logs.getOrCreateLog('t', 0);
  log.appendSync(pbatch(P1, 0, 0, { count: 2 }), LEADER); // 0-1
  log.appendSync(txn(P2, 0, 0), LEADER); // 2: P2 opens in segment 0
  for (let i = 0; i < 3; i++) {
    log.roll();
    log.appendSync(buildBatch({ count: 2 }), LEADER); // plain data in segments 3, 5, 7
  }
  return { logs, log };
}

test('after a clean restart, producers and an open transaction of an older segment are known (from the close snapshot)', () => {
  const env = testEnv();
  const { logs } = olderSegmentState(env);
  logs.shutdown();
  const log = env.open().getLog('t', 0)!;
  assert.equal(log.firstUnstableOffset, 2);
  const retry = log.appendSync(pbatch(P1, 0, 0, { count: 2 }), LEADER);
  assert.deepEqual([retry.duplicate, retry.firstOffset, retry.lastOffset, log.logEndOffset], [true, 0, 1, 9]);
  assert.throws(() => log.appendSync(pbatch(P1, 0, 5), LEADER), { errorCode: 45 });
  assert.equal(log.appendSync(marker(P2, 0, false), COORDINATOR).firstOffset, 9);
  assert.deepEqual(log.activeSegment.txnIndex.all(), [{ producerId: P2, firstOffset: 2, lastOffset: 9, lastStableOffset: 10 }]);
});

test('after a crash, the state comes from the latest snapshot at or below the log end and the batches after it', () => {
  const env = testEnv();
  const { logs, log } = olderSegmentState(env);
  log.flush();
  logs.checkpointRecoveryPoints(); // 9: recovery starts at segment 7
  log.appendSync(txn(P1, 0, 2), LEADER); // 9: P1 opens after the last snapshot (7)
  log.flush();
  assert.deepEqual(snapshots(env.fs), ['00000000000000000003.snapshot', '00000000000000000005.snapshot', '00000000000000000007.snapshot']);
  // a torn snapshot: skipped and deleted; the state at 7 comes from the one at 5 and segment 5
  writeFile(env.fs, `${DIR}/00000000000000000007.snapshot`, Buffer.from('torn'));
  const mgr = env.open(); // no shutdown: unclean
  const l2 = mgr.getLog('t', 0)!;
  assert.equal(l2.logEndOffset, 10);
  assert.equal(l2.firstUnstableOffset, 2);
  assert.deepEqual(
    l2.producerState.snapshotEntries().map((e) => [e.producerId, e.lastSequence, e.lastOffset, e.currentTxnFirstOffset]),
    [
      [P1, 2, 9, 9],
      [P2, 0, 2, 2],
    ],
  );
  // the torn snapshot was rewritten, and the state after the recovered segment snapshotted
  assert.deepEqual(
    snapshots(env.fs).map((n) => [n, decodeSnapshot(env.fs.readFileSync(`${DIR}/${n}`)!).length]),
    [
      ['00000000000000000003.snapshot', 2],
      ['00000000000000000005.snapshot', 2],
      ['00000000000000000007.snapshot', 2],
      ['00000000000000000010.snapshot', 2],
    ],
  );
  assert.equal(mgr.startupReport.recovery.recoveredSegments, 1);
  l2.appendSync(marker(P2, 0, true), COORDINATOR); // 10
  l2.onHighWatermarkUpdated(11);
  assert.equal(l2.firstUnstableOffset, 9);
});

test('snapshots go with their segments (retention, DeleteRecords) and above a truncation; strays are removed at load', () => {
  const env = testEnv();
  const { logs, log } = olderSegmentState(env);
  log.deleteRecordsBefore(5);
  assert.deepEqual(snapshots(env.fs), ['00000000000000000005.snapshot', '00000000000000000007.snapshot']);
  log.truncateTo(6); // segment 7 goes, and the batch 5-6
  assert.equal(log.logEndOffset, 5);
  assert.deepEqual(snapshots(env.fs), ['00000000000000000005.snapshot']);
  // reloaded from the snapshot at the log start: P2's transaction (opened at 2) is still open
  assert.equal(log.firstUnstableOffset, 5);
  log.appendSync(buildBatch(), LEADER); // 5
  logs.shutdown(); // snapshot at 6
  writeFile(env.fs, `${DIR}/00000000000000000002.snapshot`, Buffer.alloc(0)); // a stray below the last segment base
  env.open();
  // the largest stray (6, the clean-close one, above the last segment base 5) stays
  assert.deepEqual(snapshots(env.fs), ['00000000000000000005.snapshot', '00000000000000000006.snapshot']);
});

test('a log without snapshots after a clean shutdown (written before snapshots existed) is not scanned', () => {
  const env = testEnv();
  const { logs } = olderSegmentState(env);
  logs.shutdown();
  for (const n of snapshots(env.fs)) env.fs.unlinkSync(`${DIR}/${n}`);
  const log = env.open().getLog('t', 0)!;
  assert.equal(log.producerState.producerCount, 0);
  assert.equal(log.firstUnstableOffset, -1);
  // Kafka's upgrade path: empty snapshots at the last two segment bases and the log end
  assert.deepEqual(snapshots(env.fs), ['00000000000000000005.snapshot', '00000000000000000007.snapshot', '00000000000000000009.snapshot']);
  assert.equal(log.appendSync(pbatch(P1, 0, 17), LEADER).firstOffset, 9);
});

function writeFile(fs: FileSystem, path: string, data: Buffer): void {
  const fd = fs.openSync(path, true);
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, data, 0, data.length, 0);
  fs.closeSync(fd);
}

test('a snapshot not yet fsynced is empty after a power loss: it is deleted and the state replayed from the log', () => {
  const env = testEnv();
  const logs = env.open();
  const log = logs.getOrCreateLog('t', 0);
  log.appendSync(txn(P1, 0, 0, 2), LEADER); // 0-1
  log.flush(); // the data is durable, the recovery point 2
  logs.checkpointRecoveryPoints();
  log.roll(); // snapshot at 2, written but not fsynced
  assert.deepEqual(snapshots(env.fs), ['00000000000000000002.snapshot']);
  env.fs.crash();
  assert.equal(env.fs.readFileSync(`${DIR}/00000000000000000002.snapshot`)!.length, 0);
  const l2 = env.open().getLog('t', 0)!;
  assert.deepEqual([l2.logEndOffset, l2.firstUnstableOffset, l2.producerState.lastEntry(P1)!.currentTxnFirstOffset], [2, 0, 0]);
  assert.deepEqual(snapshots(env.fs), ['00000000000000000002.snapshot']); // rewritten from the replayed state
  assert.equal(decodeSnapshot(env.fs.readFileSync(`${DIR}/00000000000000000002.snapshot`)!)[0]!.currentTxnFirstOffset, 0);
});
