// meta.properties as KRaft writes it (version 1: cluster.id, node.id, directory.id), version 0
// files of older builds, the LogManager's startup checks, and formatStorage (kafka-storage format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStorage } from '../src/format-storage.ts';
import { LogManager } from '../src/log-manager.ts';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import { MockTime } from '../src/mock-time.ts';
import { ensureMetaProperties, randomUuid, readMetaProperties, writeMetaProperties } from '../src/meta-properties.ts';

const UUID_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/;

function memFs(): MemoryFileSystem {
  return new MemoryFileSystem(new MockTime(0));
}

/** Replaces a file's content. */
function put(fs: MemoryFileSystem, path: string, content: string | Buffer): void {
  if (fs.statSync(path)) fs.unlinkSync(path);
  const fd = fs.openSync(path, true);
  const buf = Buffer.from(content);
  fs.writeSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
}

function text(fs: MemoryFileSystem, path: string): string {
  return fs.bytes(path).toString().split('\n').slice(2).join('\n'); // without the "#" and date lines
}

test('randomUuid: 22 base64url characters, never starting with -', () => {
  const ids = new Set(Array.from({ length: 500 }, randomUuid));
  assert.equal(ids.size, 500);
  for (const id of ids) assert.match(id, UUID_RE);
});

test('writes and reads version 1; reads version 0 of older builds; refuses malformed files', () => {
  const fs = memFs();
  fs.mkdirSync('/a');
  writeMetaProperties(fs, '/a', { version: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', nodeId: 3, directoryId: 'Ey4b2ZbXQ8KjR0YI5ZAvYw' });
  assert.equal(
    text(fs, '/a/meta.properties'),
    'version=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\nnode.id=3\ndirectory.id=Ey4b2ZbXQ8KjR0YI5ZAvYw\n',
  );
  assert.deepEqual(readMetaProperties(fs, '/a'), {
    version: 1,
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
    nodeId: 3,
    directoryId: 'Ey4b2ZbXQ8KjR0YI5ZAvYw',
  });
  put(fs, '/a/meta.properties', '#\n#Thu Jan 01 00:00:00 UTC 1970\nversion=0\nbroker.id=1\ncluster.id=old\n');
  assert.deepEqual(readMetaProperties(fs, '/a'), { version: 0, clusterId: 'old', nodeId: 1, directoryId: null });
  put(fs, '/a/meta.properties', 'cluster.id=c\n');
  assert.deepEqual(readMetaProperties(fs, '/a'), { version: 0, clusterId: 'c', nodeId: null, directoryId: null });
  put(fs, '/a/meta.properties', 'version=1\ncluster.id=c\n');
  assert.throws(() => readMetaProperties(fs, '/a'), { message: 'node.id was not specified in /a/meta.properties' });
  put(fs, '/a/meta.properties', 'version=1\nnode.id=1\n');
  assert.throws(() => readMetaProperties(fs, '/a'), { message: 'cluster.id was not specified in the v1 file: /a/meta.properties' });
  put(fs, '/a/meta.properties', 'version=2\n');
  assert.throws(() => readMetaProperties(fs, '/a'), { message: '/a/meta.properties: unknown version 2 (expected 0 or 1)' });
  put(fs, '/a/meta.properties', 'version=1\nnode.id=x\ncluster.id=c\n');
  assert.throws(() => readMetaProperties(fs, '/a'), { message: '/a/meta.properties: unable to read node.id "x" as a base-10 number' });
  assert.equal(readMetaProperties(fs, '/nothing'), null);
});

test('ensureMetaProperties: formats an empty dir when cluster and node are known, checks a formatted one, adds a directory.id', () => {
  const fs = memFs();
  fs.mkdirSync('/a');
  assert.equal(ensureMetaProperties(fs, '/a', { nodeId: 1 }), null);
  assert.equal(fs.statSync('/a/meta.properties'), null);
  const made = ensureMetaProperties(fs, '/a', { clusterId: 'c1', nodeId: 1 })!;
  assert.equal(made.version, 1);
  assert.match(made.directoryId!, UUID_RE);
  assert.deepEqual(ensureMetaProperties(fs, '/a', { clusterId: 'c1', nodeId: 1 }), made);
  assert.throws(() => ensureMetaProperties(fs, '/a', { clusterId: 'c2', nodeId: 1 }), {
    message: '/a/meta.properties is formatted for cluster c1, not c2',
  });
  assert.throws(() => ensureMetaProperties(fs, '/a', { clusterId: 'c1', nodeId: 2 }), {
    message:
      '/a/meta.properties belongs to node 1, but node.id is 2. If you moved your data, make sure node.id matches; to make a new node, empty the log directories.',
  });
  // a version 0 dir of an older build keeps its version and keys, and gains a directory.id
  put(fs, '/a/meta.properties', '#\n#date\nversion=0\nbroker.id=1\ncluster.id=c1\n');
  const upgraded = ensureMetaProperties(fs, '/a', { clusterId: 'c1', nodeId: 1 })!;
  assert.deepEqual({ ...upgraded, directoryId: null }, { version: 0, clusterId: 'c1', nodeId: 1, directoryId: null });
  assert.equal(text(fs, '/a/meta.properties'), `version=0\ncluster.id=c1\nbroker.id=1\ndirectory.id=${upgraded.directoryId}\n`);
});

test('LogManager formats empty log dirs for its cluster and node and refuses a copied directory id', () => {
  const fs = memFs();
  const time = new MockTime(0);
  const open = (logDirs: string[]) => new LogManager({ logDirs, fs, time, backgroundTasks: false, brokerId: 5, clusterId: 'c1' }).startup();
  let mgr = open(['/d1', '/d2']);
  const [m1, m2] = [mgr.metaProperties('/d1')!, mgr.metaProperties('/d2')!];
  assert.deepEqual([m1.clusterId, m1.nodeId, m2.clusterId, m2.nodeId], ['c1', 5, 'c1', 5]);
  assert.notEqual(m1.directoryId, m2.directoryId);
  mgr.shutdown();
  mgr = open(['/d1', '/d2']);
  assert.deepEqual(mgr.metaProperties('/d1'), m1); // unchanged on restart
  mgr.shutdown();
  fs.mkdirSync('/d3');
  put(fs, '/d3/meta.properties', fs.bytes('/d1/meta.properties'));
  assert.throws(() => open(['/d1', '/d3']), {
    message: `Duplicate directory ID ${m1.directoryId} found. It was the ID of /d1, but also of /d3`,
  });
});

test('formatStorage: formats every dir, refuses dirs of another cluster or node, and formatted dirs unless ignoreFormatted', () => {
  const fs = memFs();
  const r = formatStorage({ fs, logDirs: ['/x/a', '/x/b'], clusterId: 'c1', nodeId: 2 });
  assert.deepEqual(r, { formatted: ['/x/a', '/x/b'], alreadyFormatted: [] });
  const a = readMetaProperties(fs, '/x/a')!;
  assert.deepEqual({ ...a, directoryId: null }, { version: 1, clusterId: 'c1', nodeId: 2, directoryId: null });
  assert.match(a.directoryId!, UUID_RE);
  assert.notEqual(readMetaProperties(fs, '/x/b')!.directoryId, a.directoryId);

  assert.throws(() => formatStorage({ fs, logDirs: ['/x/a'], clusterId: 'c1', nodeId: 2 }), {
    message: 'Log directory /x/a is already formatted. Use --ignore-formatted to ignore this directory and format the others.',
  });
  assert.deepEqual(formatStorage({ fs, logDirs: ['/x/a', '/x/c'], clusterId: 'c1', nodeId: 2, ignoreFormatted: true }), {
    formatted: ['/x/c'],
    alreadyFormatted: ['/x/a'],
  });
  // another cluster or node: refused even with ignoreFormatted, and nothing is written
  assert.throws(() => formatStorage({ fs, logDirs: ['/x/d', '/x/a'], clusterId: 'c9', nodeId: 2, ignoreFormatted: true }), {
    message: '/x/a/meta.properties is formatted for cluster c1, not c9',
  });
  assert.equal(fs.statSync('/x/d'), null);
  assert.throws(
    () => formatStorage({ fs, logDirs: ['/x/a'], clusterId: 'c1', nodeId: 3, ignoreFormatted: true }),
    /belongs to node 2, but node.id is 3/,
  );
  assert.throws(() => formatStorage({ fs, logDirs: ['/y'], clusterId: 'c1', nodeId: -1 }), {
    message: 'You must specify a valid non-negative node ID.',
  });
  assert.throws(() => formatStorage({ fs, logDirs: ['/y'], clusterId: '', nodeId: 1 }), {
    message: 'invalid cluster id "": it must be non-empty, without whitespace',
  });
  assert.throws(() => formatStorage({ fs, logDirs: [], clusterId: 'c1', nodeId: 1 }), {
    message: 'You must specify at least one directory to format',
  });
});
