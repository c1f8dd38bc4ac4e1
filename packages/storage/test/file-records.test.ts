// FileRecords (zero-copy reads): a read `{ fileRecords: true }` on the real filesystem names the
// same bytes a read into a buffer returns, for random offsets and budgets (segment ends, offsets
// inside batches, max bytes of 1, minOneBatch false, a maxOffset inside the log), checked
// batches or not (a reopened log has not checked its CRCs: the first slice reads them through
// the checked read), with an index entry for every batch, the default sparse index, or none, and
// with offset gaps between batches (a follower's copy of a compacted log); finding a region of
// checked batches reads O(1) headers, not one per batch (also for 16 consumers taking turns); the descriptor stays usable after the
// segment is deleted until released; on a filesystem whose descriptors are not the kernel's (in
// memory) the read falls back to bytes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BufferPool } from '../src/buffer-pool.ts';
import { FileRecords } from '../src/file-records.ts';
import { NodeFileSystem } from '../src/fs.ts';
import { LogManager } from '../src/log-manager.ts';
import { MockTime } from '../src/mock-time.ts';
import { batchOffsets, buildBatch } from './helpers/batches.ts';
import type { PartitionLog } from '../src/partition-log.ts';
import { testEnv } from './helpers/env.ts';

const dir = mkdtempSync(join(tmpdir(), 'tributary-file-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pool = new BufferPool();

/** Counts the reads of the log's files. */
class CountingFileSystem extends NodeFileSystem {
  reads = 0;
  override readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    this.reads++;
    return super.readSync(fd, buf, offset, length, position);
  }
}

function open(indexIntervalBytes = 4096, fs: NodeFileSystem = new NodeFileSystem(), segmentBytes = 30_000): LogManager {
  return new LogManager({
    logDirs: [dir],
    fs,
    time: new MockTime(1_700_000_000_000),
    defaultConfig: { segmentBytes, indexIntervalBytes },
  }).startup();
}

const cases: Array<{ name: string; indexIntervalBytes: number; gaps: boolean }> = [
  { name: 'default index', indexIntervalBytes: 4096, gaps: false },
  { name: 'an index entry per batch', indexIntervalBytes: 1, gaps: false },
  { name: 'no index entries', indexIntervalBytes: 1 << 30, gaps: false },
  { name: 'offset gaps, an entry per batch', indexIntervalBytes: 1, gaps: true },
  { name: 'offset gaps, default index', indexIntervalBytes: 4096, gaps: true },
];

for (const c of cases)
  test(`a file region holds exactly the bytes of the copy read, for random reads, checked or not (${c.name})`, () => {
    const topic = `t-${cases.indexOf(c)}`;
    let mgr = open(c.indexIntervalBytes);
    let log = mgr.getOrCreateLog(topic, 0);
    let seed = 7 + cases.indexOf(c);
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let next = 0;
    for (let i = 0; i < 120; i++) {
      const batch = buildBatch({ count: 1 + Math.floor(rand() * 20), valueSize: 1 + Math.floor(rand() * 600) });
      if (!c.gaps) {
        log.appendSync(batch, { leaderEpoch: 0 });
        continue;
      }
      // a follower's copy of a compacted log: base offsets skip ahead (the offset is not in the CRC)
      next += Math.floor(rand() * 3) * 7;
      batch.writeBigInt64BE(BigInt(next), 0);
      batch.writeInt32BE(0, 12);
      log.appendAsFollower(batch);
      next = log.logEndOffset;
    }
    check(log, rand, 300);
    mgr.shutdown();
    // reopened: nothing checked in this process yet
    mgr = open(c.indexIntervalBytes);
    log = mgr.getOrCreateLog(topic, 0);
    check(log, rand, 300);
    mgr.shutdown();
  });

function check(log: PartitionLog, rand: () => number, rounds: number): void {
  const end = log.logEndOffset;
  for (let i = 0; i < rounds; i++) {
    const offset = Math.floor(rand() * (end + 1));
    const maxBytes = [1, Math.floor(rand() * 100), Math.floor(rand() * 5000), Math.floor(rand() * 40_000)][Math.floor(rand() * 4)]!;
    const maxOffset = rand() < 0.3 ? offset + Math.floor(rand() * 50) : end;
    const minOne = rand() < 0.7;
    if (offset < log.logStartOffset) continue;
    // the region first: a copy read before it would check the batches' CRCs for it
    const region = log.read(offset, maxBytes, maxOffset, { fileRecords: true, pool }, minOne).records;
    const bytes = log.read(offset, maxBytes, maxOffset, undefined, minOne).records;
    const what = `offset ${offset} maxBytes ${maxBytes} maxOffset ${maxOffset} minOne ${minOne}`;
    if (bytes.length === 0) {
      assert.equal(region.length, 0, `empty: ${what}`);
      continue;
    }
    assert.ok(region instanceof FileRecords, 'a region');
    const read = region.read()!;
    region.release();
    assert.ok(read.equals(bytes), what);
    const last = batchOffsets(bytes).at(-1)!;
    assert.equal(region.nextOffset, last[1] + 1, `next offset: ${what}`);
    // a second region from the same place (now checked): the same bytes again
    const again = log.read(offset, maxBytes, maxOffset, { fileRecords: true, pool }, minOne).records as FileRecords;
    assert.ok(again.read()!.equals(bytes), `again: ${what}`);
    assert.equal(again.nextOffset, last[1] + 1);
    again.release();
  }
}

test('a region of checked batches is found with O(1) reads, not one per batch', () => {
  const fs = new CountingFileSystem();
  const mgr = open(4096, fs, 64 << 20);
  const log = mgr.getOrCreateLog('o1', 0);
  // 200 batches of about 16 KiB (an index entry each), then 8000 of about 300 B (one every ~4 KiB)
  for (let i = 0; i < 200; i++) log.appendSync(buildBatch({ count: 16, valueSize: 1000 }), { leaderEpoch: 0 });
  const smallFrom = log.logEndOffset;
  for (let i = 0; i < 8000; i++) log.appendSync(buildBatch({ count: 3, valueSize: 90 }), { leaderEpoch: 0 });
  // each read continues where the previous one ended, as a consumer does (no index lookup for its start)
  const reads = (offset: number, maxBytes: number, maxOffset = log.logEndOffset): { reads: number; length: number; next: number } => {
    const before = fs.reads;
    const r = log.read(offset, maxBytes, maxOffset, { fileRecords: true, pool }).records as FileRecords;
    const n = fs.reads - before;
    const out = { reads: n, length: r.length, next: r.nextOffset };
    r.release();
    return out;
  };
  // 1 MiB of 16 KiB batches: the index names the last boundary; its header and the one before it are read
  let next = reads(0, 1 << 20).next;
  for (let i = 0; i < 2; i++) {
    const big = reads(next, 1 << 20);
    assert.ok(big.length > 1_000_000 && big.length <= 1 << 20, `length ${big.length}`);
    assert.ok(big.reads <= 2, `${big.reads} reads for ${big.length} bytes`);
    next = big.next;
  }
  // 16 consumers at their own offsets, taking turns: each continues without an index lookup and scan
  const consumers = Array.from({ length: 16 }, (_, i) => reads(i * 100, 64 << 10).next);
  for (let round = 0; round < 3; round++)
    for (let c = 0; c < consumers.length; c++) {
      const r = reads(consumers[c]!, 64 << 10);
      assert.ok(r.reads <= 2, `consumer ${c}: ${r.reads} reads`);
      consumers[c] = r.next;
    }
  // 1 MiB of ~300 B batches: one read of the headers after the last index entry
  next = reads(smallFrom, 1 << 20).next;
  const small = reads(next, 1 << 20);
  assert.ok(small.length > 1_000_000 && small.length <= 1 << 20, `length ${small.length}`);
  assert.ok(small.reads <= 2, `${small.reads} reads for ${small.length} bytes`);
  // a maxOffset inside the budget: still a few reads
  const capped = reads(small.next, 1 << 20, small.next + 999);
  assert.ok(capped.reads <= 2, `${capped.reads} reads`);
  assert.equal(capped.next, small.next + 999);
  // to the end of the segment, whose next offset is known: no read at all
  const tail = reads(capped.next, 1 << 30);
  assert.equal(tail.reads, 0);
  assert.equal(tail.next, log.logEndOffset);
  mgr.shutdown();
});

test('a region of a deleted segment stays readable until released', () => {
  const mgr = open();
  const log = mgr.getOrCreateLog('d', 0);
  log.appendSync(buildBatch({ count: 5, valueSize: 100 }), { leaderEpoch: 0 });
  const expected = log.read(0, 1 << 20).records;
  const region = log.read(0, 1 << 20, log.logEndOffset, { fileRecords: true, pool }).records as FileRecords;
  mgr.deleteLog('d', 0);
  assert.ok(region.read()!.equals(expected));
  region.release();
  mgr.shutdown();
});

test('on the in-memory filesystem the read falls back to bytes', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('m', 0);
  log.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 });
  const r = log.read(0, 1 << 20, log.logEndOffset, { fileRecords: true, pool }).records;
  assert.ok(Buffer.isBuffer(r));
  assert.ok(r.equals(log.read(0, 1 << 20).records));
});
