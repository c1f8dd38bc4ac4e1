// cleaner-offset-checkpoint: Kafka's offset-checkpoint bytes, read back by a new instance (a
// restart), removal, lowering on truncation, dropping partitions that are gone, crash safety, and a
// malformed file treated as empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/memory-fs.ts';
import { CLEANER_OFFSET_CHECKPOINT, CleanerOffsetCheckpoints } from '../../src/cleaner/cleaner-checkpoint.ts';
import { recordingLogger } from './fake-cleaning.ts';

const FILE = `/d/${CLEANER_OFFSET_CHECKPOINT}`;

function memfs(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.mkdirSync('/d');
  return fs;
}

test('update writes the offset-checkpoint format and a new instance reads it back', () => {
  const fs = memfs();
  const cp = new CleanerOffsetCheckpoints(fs);
  assert.equal(cp.get('/d', 'orders', 0), undefined);
  cp.update('/d', 'orders', 0, 120);
  cp.update('/d', 'my-topic.v2', 3, 7);
  cp.update('/d', 'orders', 0, 150);
  assert.equal(fs.bytes(FILE).toString(), '0\n2\norders 0 150\nmy-topic.v2 3 7\n');
  assert.equal(fs.statSync(`${FILE}.tmp`), null);
  const again = new CleanerOffsetCheckpoints(fs);
  assert.equal(again.get('/d', 'orders', 0), 150);
  assert.equal(again.get('/d', 'my-topic.v2', 3), 7);
  assert.deepEqual(
    [...again.all(['/d'])],
    [
      ['orders-0', 150],
      ['my-topic.v2-3', 7],
    ],
  );
});

test('the file survives a crash right after the update (fsynced before rename)', () => {
  const fs = memfs();
  new CleanerOffsetCheckpoints(fs).update('/d', 't', 1, 42);
  fs.crash();
  assert.equal(fs.bytes(FILE).toString(), '0\n1\nt 1 42\n');
  assert.equal(new CleanerOffsetCheckpoints(fs).get('/d', 't', 1), 42);
});

test('remove drops an entry; maybeTruncate only lowers', () => {
  const fs = memfs();
  const cp = new CleanerOffsetCheckpoints(fs);
  cp.update('/d', 'a', 0, 100);
  cp.update('/d', 'b', 0, 50);
  assert.equal(cp.maybeTruncate('/d', 'a', 0, 120), false);
  assert.equal(cp.maybeTruncate('/d', 'a', 0, 100), false);
  assert.equal(cp.maybeTruncate('/d', 'a', 0, 60), true);
  assert.equal(cp.maybeTruncate('/d', 'zzz', 0, 1), false);
  assert.equal(fs.bytes(FILE).toString(), '0\n2\na 0 60\nb 0 50\n');
  assert.equal(cp.remove('/d', 'b', 0), true);
  assert.equal(cp.remove('/d', 'b', 0), false);
  assert.equal(fs.bytes(FILE).toString(), '0\n1\na 0 60\n');
  assert.equal(new CleanerOffsetCheckpoints(fs).get('/d', 'b', 0), undefined);
});

test('a rewrite keeps only partitions that still have a log in the dir', () => {
  const fs = memfs();
  fs.put(FILE, '0\n3\na 0 1\nb 0 2\nc 0 3\n');
  const live = new Set(['a-0', 'c-0']);
  const cp = new CleanerOffsetCheckpoints(fs, () => live);
  cp.update('/d', 'c', 0, 30);
  assert.equal(fs.bytes(FILE).toString(), '0\n2\na 0 1\nc 0 30\n');
});

test('a malformed file is logged and treated as empty; the next update rewrites it', () => {
  const fs = memfs();
  fs.put(FILE, '0\n2\na 0 1\n');
  const logger = recordingLogger();
  const cp = new CleanerOffsetCheckpoints(fs, () => null, logger);
  assert.equal(cp.get('/d', 'a', 0), undefined);
  assert.deepEqual(logger.lines, [
    { level: 'error', msg: 'Cleaner checkpoint file cleaner-offset-checkpoint in dir /d is malformed; treating it as empty' },
  ]);
  cp.update('/d', 'b', 1, 9);
  assert.equal(fs.bytes(FILE).toString(), '0\n1\nb 1 9\n');
});

test('a failed write is logged, not thrown, and the entry stays in memory', () => {
  const fs = memfs();
  const logger = recordingLogger();
  const cp = new CleanerOffsetCheckpoints(fs, () => null, logger);
  fs.faults.failFsync = true;
  cp.update('/d', 'a', 0, 5);
  fs.faults.failFsync = false;
  assert.equal(cp.get('/d', 'a', 0), 5);
  assert.deepEqual(logger.lines, [{ level: 'error', msg: 'Failed to write cleaner-offset-checkpoint in dir /d' }]);
});

test('move takes an entry from one dir file to another (its log moved dirs); nothing to move writes nothing', () => {
  const fs = memfs();
  fs.mkdirSync('/e');
  const cp = new CleanerOffsetCheckpoints(fs);
  cp.update('/d', 'a', 0, 40);
  cp.update('/d', 'b', 0, 7);
  assert.equal(cp.move('/d', '/e', 'a', 0), true);
  assert.equal(fs.bytes(FILE).toString(), '0\n1\nb 0 7\n');
  assert.equal(fs.bytes(`/e/${CLEANER_OFFSET_CHECKPOINT}`).toString(), '0\n1\na 0 40\n');
  assert.equal(cp.move('/d', '/e', 'a', 0), false);
  assert.equal(cp.move('/d', '/e', 'zzz', 3), false);
  assert.equal(fs.bytes(`/e/${CLEANER_OFFSET_CHECKPOINT}`).toString(), '0\n1\na 0 40\n');
  const again = new CleanerOffsetCheckpoints(fs);
  assert.equal(again.get('/e', 'a', 0), 40);
  assert.equal(again.get('/d', 'a', 0), undefined);
});
