// FileRecords (zero-copy reads): a read `{ fileRecords: true }` on the real filesystem names the
// same bytes a read into a buffer returns, for random offsets and budgets (segment ends, offsets
// inside batches, max bytes of 1, minOneBatch false, a maxOffset inside the log), checked
// batches or not (a reopened log has not checked its CRCs: the first slice reads them through
// the checked read); the descriptor stays usable after the segment is deleted until released;
// on a filesystem whose descriptors are not the kernel's (in memory) the read falls back to bytes.
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
import { buildBatch } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';

const dir = mkdtempSync(join(tmpdir(), 'tributary-file-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pool = new BufferPool();

function open(): LogManager {
  return new LogManager({
    logDirs: [dir],
    fs: new NodeFileSystem(),
    time: new MockTime(1_700_000_000_000),
    defaultConfig: { segmentBytes: 30_000 },
  }).startup();
}

test('a file region holds exactly the bytes of the copy read, for random reads, checked or not', () => {
  let mgr = open();
  let log = mgr.getOrCreateLog('t', 0);
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 120; i++)
    log.appendSync(buildBatch({ count: 1 + Math.floor(rand() * 20), valueSize: 1 + Math.floor(rand() * 600) }), { leaderEpoch: 0 });
  const end = log.logEndOffset;
  const check = (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      const offset = Math.floor(rand() * (end + 1));
      const maxBytes = [1, Math.floor(rand() * 100), Math.floor(rand() * 5000), Math.floor(rand() * 40_000)][Math.floor(rand() * 4)]!;
      const maxOffset = rand() < 0.2 ? offset + Math.floor(rand() * 50) : end;
      const minOne = rand() < 0.7;
      const region = log.read(offset, maxBytes, maxOffset, { fileRecords: true, pool }, minOne).records;
      const bytes = log.read(offset, maxBytes, maxOffset, undefined, minOne).records;
      if (bytes.length === 0) {
        assert.equal(region.length, 0, `empty at ${offset}/${maxBytes}`);
        continue;
      }
      assert.ok(region instanceof FileRecords, 'a region');
      const read = region.read()!;
      region.release();
      assert.ok(read.equals(bytes), `offset ${offset} maxBytes ${maxBytes} maxOffset ${maxOffset} minOne ${minOne}`);
    }
  };
  check(300);
  mgr.shutdown();
  // reopened: nothing checked in this process yet
  mgr = open();
  log = mgr.getOrCreateLog('t', 0);
  check(300);
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
