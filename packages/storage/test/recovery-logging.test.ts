// Recovery after an unclean shutdown says what it did, as Kafka's LogManager, LogLoader and
// LogSegment do: per dir whether recovery runs, per segment scanned "Recovering unflushed
// segment", at WARN where invalid bytes were found and how much was cut (past the last flush, or
// below the recovery point), the later segments deleted, one "Completed load" line per recovered
// log, per dir and in total how many logs and how long. The crash is a process killed mid-write
// (nothing shut down, a torn or garbage tail) on the real filesystem, and on the in-memory one for
// exact byte counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch } from './helpers/batches.ts';
import { LogManager } from '../src/log-manager.ts';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import { MockTime } from '../src/mock-time.ts';
import { NodeFileSystem, type FileSystem } from '../src/fs.ts';

const SEG0 = '/data/t-0/00000000000000000000';

function captured() {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
  return { lines, logger: { info: at('INFO'), warn: at('WARN'), error: at('ERROR') } };
}

function open(fs: FileSystem, time: MockTime, dir: string, logger?: ReturnType<typeof captured>['logger']) {
  return new LogManager({ logDirs: [dir], fs, time, backgroundTasks: false, logger }).startup();
}

/** Durations vary: `in 12ms` becomes `in Nms`. */
const timeless = (lines: string[]) => lines.map((l) => l.replace(/ in \d+ms/g, ' in Nms'));

test('a garbage tail after a crash: the segment is scanned, the bytes past the last flush cut at WARN, the dir and the total summed up', () => {
  const time = new MockTime();
  const fs = new MemoryFileSystem(time);
  const lm = open(fs, time, '/data');
  const log = lm.getOrCreateLog('t', 0);
  for (let i = 0; i < 3; i++) log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  log.flush();
  lm.checkpointRecoveryPoints();
  log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }); // 6: not flushed, survives
  const size = log.activeSegment.size;
  fs.poke(`${SEG0}.log`, size, Buffer.from('deadbeef'.repeat(25), 'hex')); // 100 bytes a crash left
  const { lines, logger } = captured();
  const again = open(fs, time, '/data', logger); // no shutdown: unclean
  assert.equal(again.getLog('t', 0)!.logEndOffset, 7);
  assert.deepEqual(timeless(lines), [
    'INFO Loading logs from log dirs /data',
    'INFO Recovering 1 logs from /data since no clean shutdown file was found',
    'INFO Recovering unflushed segment 0. 0/1 recovered for t-0.',
    `WARN Found invalid messages in log segment ${SEG0}.log at byte offset ${size}.`,
    'WARN Corruption found in segment 0 of t-0, truncating to offset 7: 100 bytes and 0 later segments past the last flush (recovery point 6) cut',
    `INFO Completed load of t-0 in dir /data with 1 segments, log-start-offset 0 and log-end-offset 7 in Nms: recovered from recovery point 6, 1 segments (${size + 100} bytes) scanned, 100 bytes truncated, 0 segments deleted`,
    `INFO Loaded 1 logs from /data in Nms after an unclean shutdown: 1 segments (${size + 100} bytes) scanned, 100 bytes truncated, 0 segments deleted, 0 indexes rebuilt`,
    'INFO Loaded 1 logs in Nms (unclean log dirs = [/data])',
  ]);
  // a clean shutdown: nothing scanned, nothing to say but the counts
  again.shutdown();
  lines.length = 0;
  open(fs, time, '/data', logger);
  assert.deepEqual(timeless(lines), [
    'INFO Loading logs from log dirs /data',
    'INFO Skipping recovery of 1 logs from /data since clean shutdown file was found',
    'INFO Loaded 1 logs from /data in Nms',
    'INFO Loaded 1 logs in Nms',
  ]);
});

test('damage below the recovery point: flushed data lost is said at WARN, the later segments deleted are named', () => {
  const time = new MockTime();
  const fs = new MemoryFileSystem(time);
  const lm = open(fs, time, '/data');
  const log = lm.getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // 0-1
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // 2-3
  log.roll();
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // 4-5
  log.roll();
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // 6-7
  log.flush();
  lm.checkpointRecoveryPoints(); // recovery point 8
  lm.getOrCreateLog('u', 0).appendSync(buildBatch(), { leaderEpoch: 0 });
  // the disk damaged the second batch of segment 0: recovery must scan it (its point is unknown)
  fs.unlinkSync('/data/recovery-point-offset-checkpoint');
  const b = log.segments[0]!.findBatch(2)!;
  fs.poke(`${SEG0}.log`, b.position + b.size - 1, Buffer.from([~fs.bytes(`${SEG0}.log`)[b.position + b.size - 1]! & 0xff]));
  const { lines, logger } = captured();
  const again = open(fs, time, '/data', logger);
  assert.equal(again.getLog('t', 0)!.logEndOffset, 2);
  const t0 = timeless(lines).filter((l) => l.includes('t-0') || l.includes('segment'));
  assert.deepEqual(t0, [
    'INFO Recovering unflushed segment 0. 0/3 recovered for t-0.',
    `WARN Found invalid messages in log segment ${SEG0}.log at byte offset ${b.position}.`,
    `WARN Corruption found in segment 0 of t-0, truncating to offset 2: ${b.size} bytes and 2 later segments past the last flush (recovery point 0) cut`,
    'INFO Deleting segment files /data/t-0/00000000000000000004.log,/data/t-0/00000000000000000006.log',
    'INFO Completed load of t-0 in dir /data with 1 segments, log-start-offset 0 and log-end-offset 2 in Nms: recovered from recovery point 0, 1 segments (' +
      `${b.position + b.size} bytes) scanned, ${b.size} bytes truncated, 2 segments deleted`,
    'INFO Recovering unflushed segment 0. 0/1 recovered for u-0.',
    'INFO Completed load of u-0 in dir /data with 1 segments, log-start-offset 0 and log-end-offset 1 in Nms: recovered from recovery point 0, 1 segments (' +
      `${again.getLog('u', 0)!.activeSegment.size} bytes) scanned, 0 bytes truncated, 0 segments deleted`,
    `INFO Loaded 2 logs from /data in Nms after an unclean shutdown: 2 segments (${b.position + b.size + again.getLog('u', 0)!.activeSegment.size} bytes) ` +
      `scanned, ${b.size} bytes truncated, 2 segments deleted, 0 indexes rebuilt`,
  ]);
  // with the checkpoint in place, the same damage is below the recovery point: flushed data was lost
  const fs2 = new MemoryFileSystem(time);
  const lm2 = open(fs2, time, '/data');
  const l2 = lm2.getOrCreateLog('t', 0);
  for (let i = 0; i < 3; i++) l2.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // 0-5
  l2.flush();
  lm2.checkpointRecoveryPoints(); // 6
  const c = l2.segments[0]!.findBatch(2)!;
  fs2.poke(`${SEG0}.log`, c.position + 20, Buffer.from([~fs2.bytes(`${SEG0}.log`)[c.position + 20]! & 0xff]));
  const second = captured();
  open(fs2, time, '/data', second.logger);
  assert.deepEqual(
    second.lines.filter((l) => l.startsWith('WARN')),
    [
      `WARN Found invalid messages in log segment ${SEG0}.log at byte offset ${c.position}.`,
      `WARN Corruption found in segment 0 of t-0, truncating to offset 2: ${l2.activeSegment.size - c.position} bytes and 0 later segments cut, below the recovery point 6: data that had been flushed was lost`,
    ],
  );
});

test('a process killed mid-write (real filesystem): the torn batch is cut and the log says how much, at WARN', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-recovery-log-'));
  try {
    const time = new MockTime();
    const fs = new NodeFileSystem();
    const lm = open(fs, time, root);
    const log = lm.getOrCreateLog('t', 0);
    for (let i = 0; i < 4; i++) log.appendSync(buildBatch({ count: 3, valueSize: 100 }), { leaderEpoch: 0 });
    const torn = buildBatch({ count: 3, valueSize: 100 }).subarray(0, 150); // a write the kill cut short
    const file = join(root, 't-0', '00000000000000000000.log');
    const size = statSync(file).size;
    appendFileSync(file, torn);
    lm.ctx.fds.closeAll(); // the process is gone: nothing flushed, no checkpoint, no clean-shutdown marker
    const { lines, logger } = captured();
    const again = open(fs, time, root, logger);
    assert.equal(again.getLog('t', 0)!.logEndOffset, 12);
    assert.equal(statSync(file).size, size);
    assert.deepEqual(
      timeless(lines).filter((l) => l.startsWith('WARN') || l.startsWith('INFO Loaded')),
      [
        `WARN Found invalid messages in log segment ${file} at byte offset ${size}.`,
        'WARN Corruption found in segment 0 of t-0, truncating to offset 12: 150 bytes and 0 later segments past the last flush (recovery point 0) cut',
        `INFO Loaded 1 logs from ${root} in Nms after an unclean shutdown: 1 segments (${size + 150} bytes) scanned, 150 bytes truncated, 0 segments deleted, 0 indexes rebuilt`,
        `INFO Loaded 1 logs in Nms (unclean log dirs = [${root}])`,
      ],
    );
    again.shutdown();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
