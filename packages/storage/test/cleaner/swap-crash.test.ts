// A crash at every step of a clean and its swap: the Nth mutating filesystem call (open-create,
// write, truncate, fsync, rename, unlink, directory fsync) fails and the machine loses power
// (MemoryFileSystem.crash: unsynced bytes gone). For every N the reloaded log holds exactly the
// old content or the cleaned one, with consistent indexes, and no leftover .cleaned/.swap file.
// Also: aborts through the pacer and through a truncation leave the log as it was; the loader's
// handling of hand-made leftovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanLog } from '../../src/cleaner/cleaner.ts';
import { CleanAbortedError, type CleanerPacer } from '../../src/cleaner/clean-job.ts';
import type { FileStat, FileSystem } from '../../src/fs.ts';
import { MemoryFileSystem } from '../../src/memory-fs.ts';
import { MockTime } from '../../src/mock-time.ts';
import type { PartitionLog } from '../../src/partition-log.ts';
import {
  T0,
  append,
  appendMarker,
  batches,
  compactConfig,
  describe,
  filesEnding,
  job,
  layout,
  newEnv,
  noPacer,
  reload,
} from './helpers.ts';

/** Delegates to a MemoryFileSystem; the `failAt`-th mutating call, and every one after it, throws EIO. */
class FaultyFs implements FileSystem {
  mutations = 0;
  failAt = Number.POSITIVE_INFINITY;
  constructor(readonly mem: MemoryFileSystem) {}
  private mutate(): void {
    this.mutations++;
    if (this.mutations >= this.failAt) {
      const err = new Error(`EIO: injected failure at mutation ${this.mutations}`) as NodeJS.ErrnoException;
      err.code = 'EIO';
      throw err;
    }
  }
  openSync(path: string, create: boolean): number {
    if (create && this.mem.statSync(path) === null) this.mutate();
    return this.mem.openSync(path, create);
  }
  closeSync(fd: number): void {
    this.mem.closeSync(fd);
  }
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    return this.mem.readSync(fd, buf, offset, length, position);
  }
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    this.mutate();
    return this.mem.writeSync(fd, buf, offset, length, position);
  }
  fsyncSync(fd: number): void {
    this.mutate();
    this.mem.fsyncSync(fd);
  }
  fsync(fd: number): Promise<void> {
    try {
      this.mutate();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.mem.fsync(fd);
  }
  ftruncateSync(fd: number, length: number): void {
    this.mutate();
    this.mem.ftruncateSync(fd, length);
  }
  fstatSizeSync(fd: number): number {
    return this.mem.fstatSizeSync(fd);
  }
  statSync(path: string): FileStat | null {
    return this.mem.statSync(path);
  }
  readdirSync(path: string): string[] {
    return this.mem.readdirSync(path);
  }
  mkdirSync(path: string): void {
    this.mem.mkdirSync(path);
  }
  renameSync(from: string, to: string): void {
    this.mutate();
    this.mem.renameSync(from, to);
  }
  unlinkSync(path: string): void {
    this.mutate();
    this.mem.unlinkSync(path);
  }
  rmSync(path: string): void {
    this.mutate();
    this.mem.rmSync(path);
  }
  readFileSync(path: string): Buffer | null {
    return this.mem.readFileSync(path);
  }
  fsyncDirSync(path: string): void {
    this.mutate();
    this.mem.fsyncDirSync(path);
  }
}

const CONFIG = compactConfig({ segmentBytes: 600, indexIntervalBytes: 150 });
const P2 = 2n;

/** A log of 5 closed segments (keys a..f rewritten, a tombstone, an aborted transaction kept by its last batch) and an active one, all fsynced. */
async function build(fs: FaultyFs, time: MockTime): Promise<PartitionLog> {
  const { log } = newEnv(CONFIG, fs.mem, time, fs);
  let n = 0;
  for (let round = 0; round < 4; round++) {
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) {
      await append(log, [{ key: k, value: `${k}${round}`, timestamp: T0 + n++ }]);
    }
    if (round === 1) {
      await append(log, [{ key: 'c', value: 'p2-c' }], { producerId: P2, producerEpoch: 0, baseSequence: 0, transactional: true });
      appendMarker(log, P2, 0, false);
    }
  }
  await append(log, [{ key: 'b', value: null, timestamp: T0 + n++ }]);
  log.roll();
  await append(log, [{ key: 'a', value: 'active', timestamp: T0 + n++ }]);
  await log.flushAsync(); // (joins the flushes the rolls started)
  log.config = { ...CONFIG, segmentBytes: 1 << 20 }; // the clean makes one group of all closed segments
  return log;
}

/** Content, with each offset's read and each timestamp lookup checked against the batches (a wrong index shows). */
async function checkedContent(log: PartitionLog): Promise<string[]> {
  const bs = await batches(log);
  for (let o = log.logStartOffset; o < log.logEndOffset; o++) {
    const expected = bs.find((b) => Number(b.baseOffset) + b.lastOffsetDelta >= o)!;
    assert.equal(Number(log.read(o, 1).records.readBigInt64BE(0)), Number(expected.baseOffset), `read(${o})`);
  }
  for (const b of bs) {
    for (const r of b.records) {
      if (b.isControl) continue;
      const hit = await log.offsetForTimestamp(Number(r.timestamp));
      assert.ok(hit !== null && hit.offset <= Number(r.offset), `offsetForTimestamp(${r.timestamp})`);
    }
  }
  const txns = log.collectAbortedTransactions(0, log.logEndOffset).map((t) => `${t.firstOffset}-${t.lastOffset}`);
  return [...bs.map(describe), `segments ${log.segments.map((s) => s.baseOffset).join(' ')}`, `aborted ${txns.join(' ')}`];
}

test('a crash at every mutating call of a clean leaves the old content or the cleaned one, never both or neither', async () => {
  // reference run: the content before and after, and how many mutating calls a clean makes
  const refFs = new FaultyFs(new MemoryFileSystem(new MockTime(T0)));
  const ref = await build(refFs, new MockTime(T0));
  const oldContent = await checkedContent(reload({ mem: refFs.mem, time: new MockTime(T0) }, CONFIG, { recoveryPoint: ref.logEndOffset }));
  const start = refFs.mutations;
  const result = await cleanLog(ref, job(ref, { now: T0 }), noPacer);
  const total = refFs.mutations - start;
  const cleanedContent = await checkedContent(ref);
  assert.equal(result.segmentsBefore, 4);
  assert.equal(result.segmentsAfter, 1);
  assert.deepEqual(oldContent, [
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => `${i} ${i}:${k}=${k}0`),
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => `${6 + i} ${6 + i}:${k}=${k}1`),
    '12 12:c=p2-c p2 txn',
    '13 ABORT p2',
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => `${14 + i} ${14 + i}:${k}=${k}2`),
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => `${20 + i} ${20 + i}:${k}=${k}3`),
    '26 26:b=null',
    '27 27:a=active',
    'segments 0 8 16 24 27',
    'aborted 12-13',
  ]);
  assert.deepEqual(cleanedContent, [
    '12 empty p2 txn', // p2's last batch
    '13 ABORT p2',
    '20 20:a=a3',
    '22 22:c=c3',
    '23 23:d=d3',
    '24 24:e=e3',
    '25 25:f=f3',
    '26 26:b=null +h',
    '27 27:a=active',
    'segments 0 27',
    'aborted 12-13',
  ]);
  // 4 unlinks of stale .cleaned names, writing the cleaned files, then the swap: 4 renames, a directory fsync, 13 unlinks, ...
  assert.equal(total, 45);

  const seen = { old: 0, cleaned: 0 };
  for (let n = 1; n <= total + 1; n++) {
    const time = new MockTime(T0);
    const fs = new FaultyFs(new MemoryFileSystem(time));
    const log = await build(fs, time);
    fs.failAt = fs.mutations + n;
    let failed = false;
    try {
      await cleanLog(log, job(log, { now: T0 }), noPacer);
    } catch {
      failed = true;
    }
    assert.equal(failed, n <= total, `failure injected at call ${n}`);
    fs.mem.crash();
    const after = reload({ mem: fs.mem, time }, CONFIG, { recoveryPoint: log.logEndOffset });
    const content = await checkedContent(after);
    assert.deepEqual(filesEnding(fs.mem, '.cleaned'), [], `call ${n}`);
    assert.deepEqual(filesEnding(fs.mem, '.swap'), [], `call ${n}`);
    if (JSON.stringify(content) === JSON.stringify(oldContent)) seen.old++;
    else {
      assert.deepEqual(content, cleanedContent, `crash at call ${n} of ${total}`);
      seen.cleaned++;
    }
  }
  // up to the last rename to .swap the old segments come back; from the directory fsync after it, the cleaned one
  assert.deepEqual(seen, { old: 25, cleaned: 21 });
});

/** A pacer that runs `act` at its `at`-th step (then carries on). */
function pacerAt(at: number, act: () => void): CleanerPacer & { steps: number } {
  const p = {
    steps: 0,
    step() {
      p.steps++;
      if (p.steps === at) act();
    },
  };
  return p;
}

test('an abort from the pacer at any step leaves the log as it was and no .cleaned file', async () => {
  const time = new MockTime(T0);
  const counting = pacerAt(0, () => {});
  const ref = await build(new FaultyFs(new MemoryFileSystem(time)), time);
  await cleanLog(ref, job(ref), counting);
  // the map pass and the rewrite pass step once per chunk of each of the 4 segments
  assert.equal(counting.steps, 12);
  for (let at = 1; at <= counting.steps; at++) {
    const fs = new FaultyFs(new MemoryFileSystem(time));
    const log = await build(fs, time);
    const before = await layout(log);
    const segments = [...log.segments];
    await assert.rejects(
      cleanLog(
        log,
        job(log),
        pacerAt(at, () => {
          throw new CleanAbortedError('shutting down');
        }),
      ),
      (err: Error) => err instanceof CleanAbortedError && err.message === 'shutting down',
    );
    assert.deepEqual(await layout(log), before, `abort at step ${at}`);
    assert.deepEqual(log.segments, segments);
    assert.deepEqual(filesEnding(fs.mem, '.cleaned'), [], `abort at step ${at}`);
    assert.equal(log.isOffline, false);
  }
});

test('a truncation, a deletion of a segment being cleaned, or a close during the job aborts it', async () => {
  const time = new MockTime(T0);
  // steps 1-4: the map pass over segments 0, 8, 16, 24; 5-8: their indexes checked; 9-12: the rewrite pass over them
  const cases: Array<[string, number, (log: PartitionLog) => void, string, string]> = [
    ['truncateTo in the map pass', 2, (log) => log.truncateTo(25), 'log t-0 was truncated', '0 8 16 24'],
    ['truncateTo in the rewrite pass', 10, (log) => log.truncateTo(25), 'log t-0 was truncated', '0 8 16 24'],
    ['close', 3, (log) => log.close(), 'log t-0 was closed', '0 8 16 24 27'],
    [
      'deleteRecordsBefore, the segment being read',
      10,
      (log) => log.deleteRecordsBefore(17),
      'segment 8 of log t-0 was deleted',
      '16 24 27',
    ],
    [
      'deleteRecordsBefore, a segment already read',
      11,
      (log) => log.deleteRecordsBefore(9),
      'log t-0 no longer has segments 0, 8, 16, 24 before its active segment',
      '8 16 24 27',
    ],
  ];
  for (const [name, at, act, message, segmentsAfter] of cases) {
    const fs = new FaultyFs(new MemoryFileSystem(time));
    const log = await build(fs, time);
    const pacer = pacerAt(at, () => act(log));
    await assert.rejects(cleanLog(log, job(log), pacer), (err: Error) => err instanceof CleanAbortedError && err.message === message, name);
    assert.deepEqual(filesEnding(fs.mem, '.cleaned'), [], name);
    assert.equal(log.segments.map((s) => s.baseOffset).join(' '), segmentsAfter, name);
  }
});

test('segments deleted at the front during the map pass are simply not cleaned', async () => {
  const time = new MockTime(T0);
  const fs = new FaultyFs(new MemoryFileSystem(time));
  const log = await build(fs, time);
  const r = await cleanLog(
    log,
    job(log),
    pacerAt(2, () => log.deleteRecordsBefore(9)),
  );
  assert.equal(r.endOffset, 27);
  assert.equal(r.segmentsBefore, 3);
  assert.deepEqual(await layout(log), [
    '12 empty p2 txn',
    '13 ABORT p2',
    '20 20:a=a3',
    '22 22:c=c3',
    '23 23:d=d3',
    '24 24:e=e3',
    '25 25:f=f3',
    '26 26:b=null +h',
    '27 27:a=active',
  ]);
});

test('an abort in a later group keeps the groups already swapped', async () => {
  const time = new MockTime(T0);
  const fs = new FaultyFs(new MemoryFileSystem(time));
  const log = await build(fs, time);
  log.config = { ...CONFIG, segmentBytes: 1200 }; // two groups: segments 0 and 8, then 16 and 24
  const pacer = pacerAt(11, () => {
    throw new CleanAbortedError('stop');
  });
  await assert.rejects(cleanLog(log, job(log), pacer), CleanAbortedError);
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0, 16, 24, 27],
  );
  assert.deepEqual(await layout(log), [
    '12 empty p2 txn',
    '13 ABORT p2',
    // segment 8 held 8-15: a2 and b2 went with the first group
    ...['c', 'd', 'e', 'f'].map((k, i) => `${16 + i} ${16 + i}:${k}=${k}2`),
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => `${20 + i} ${20 + i}:${k}=${k}3`),
    '26 26:b=null',
    '27 27:a=active',
  ]);
  assert.deepEqual(filesEnding(fs.mem, '.cleaned'), []);
});
