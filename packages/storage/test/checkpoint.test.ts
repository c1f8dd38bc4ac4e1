// Checkpoint files in Kafka's text formats: round trips, exact bytes, malformed input, crash-safe replace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import {
  CorruptCheckpointError,
  readEpochCheckpoint,
  readOffsetCheckpoint,
  readPartitionMetadata,
  readProperties,
  writeEpochCheckpoint,
  writeOffsetCheckpoint,
  writePartitionMetadata,
  writeProperties,
} from '../src/checkpoint-file.ts';
import { buildBatch } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';

function memfs(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.mkdirSync('/d');
  return fs;
}

test('offset checkpoint: exact bytes and round trip (topics with dashes and dots)', () => {
  const fs = memfs();
  const entries = [
    { topic: 'orders', partition: 0, offset: 42 },
    { topic: 'my-topic.v2', partition: 11, offset: 9007199254740000 },
  ];
  writeOffsetCheckpoint(fs, '/d/recovery-point-offset-checkpoint', entries);
  assert.equal(fs.bytes('/d/recovery-point-offset-checkpoint').toString(), '0\n2\norders 0 42\nmy-topic.v2 11 9007199254740000\n');
  assert.deepEqual(readOffsetCheckpoint(fs, '/d/recovery-point-offset-checkpoint'), entries);
  assert.deepEqual(readOffsetCheckpoint(fs, '/d/absent'), []);
  assert.equal(fs.statSync('/d/recovery-point-offset-checkpoint.tmp'), null);
  writeOffsetCheckpoint(fs, '/d/x', []);
  assert.equal(fs.bytes('/d/x').toString(), '0\n0\n');
});

test('malformed checkpoints are refused', () => {
  const fs = memfs();
  for (const text of ['1\n0\n', '0\n2\na 0 1\n', '0\n1\na 0\n', '0\n1\na zero 1\n', '']) {
    fs.put('/d/c', text);
    assert.throws(() => readOffsetCheckpoint(fs, '/d/c'), CorruptCheckpointError, JSON.stringify(text));
  }
});

test('leader-epoch-checkpoint, partition.metadata and meta.properties formats', () => {
  const fs = memfs();
  writeEpochCheckpoint(fs, '/d/leader-epoch-checkpoint', [
    { epoch: 0, startOffset: 0 },
    { epoch: 3, startOffset: 120 },
  ]);
  assert.equal(fs.bytes('/d/leader-epoch-checkpoint').toString(), '0\n2\n0 0\n3 120\n');
  assert.deepEqual(readEpochCheckpoint(fs, '/d/leader-epoch-checkpoint'), [
    { epoch: 0, startOffset: 0 },
    { epoch: 3, startOffset: 120 },
  ]);
  writePartitionMetadata(fs, '/d/partition.metadata', 'vDrBmGsqTHCasRJBSu8fKQ');
  assert.equal(fs.bytes('/d/partition.metadata').toString(), 'version: 0\ntopic_id: vDrBmGsqTHCasRJBSu8fKQ\n');
  assert.equal(readPartitionMetadata(fs, '/d/partition.metadata'), 'vDrBmGsqTHCasRJBSu8fKQ');
  writeProperties(fs, '/d/meta.properties', { version: '0', 'broker.id': '1', 'cluster.id': 'abc' }, new Date(0));
  assert.equal(fs.bytes('/d/meta.properties').toString(), '#\n#Thu, 01 Jan 1970 00:00:00 GMT\nversion=0\nbroker.id=1\ncluster.id=abc\n');
  assert.deepEqual(readProperties(fs, '/d/meta.properties'), { version: '0', 'broker.id': '1', 'cluster.id': 'abc' });
});

test('a failed fsync while replacing a checkpoint leaves the old content in place', () => {
  const fs = memfs();
  writeOffsetCheckpoint(fs, '/d/c', [{ topic: 'a', partition: 0, offset: 1 }]);
  fs.faults.failFsync = true;
  assert.throws(() => writeOffsetCheckpoint(fs, '/d/c', [{ topic: 'a', partition: 0, offset: 2 }]), /EIO/);
  fs.faults.failFsync = false;
  assert.deepEqual(readOffsetCheckpoint(fs, '/d/c'), [{ topic: 'a', partition: 0, offset: 1 }]);
});

test('LogManager: meta.properties, recovery points, clean-shutdown marker, partition.metadata, replication checkpoint', () => {
  const env = testEnv();
  let mgr = env.open({}, { brokerId: 1, clusterId: 'c1' });
  const meta = mgr.metaProperties()!;
  assert.deepEqual({ ...meta, directoryId: null }, { version: 1, clusterId: 'c1', nodeId: 1, directoryId: null });
  assert.match(meta.directoryId!, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  const a = mgr.getOrCreateLog('a', 0, { topicId: 'vDrBmGsqTHCasRJBSu8fKQ' });
  const b = mgr.getOrCreateLog('b-x', 3);
  a.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 });
  b.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  mgr.writeHighWatermarks([
    { topic: 'a', partition: 0, offset: 2 },
    { topic: 'b-x', partition: 3, offset: 1 },
  ]);
  assert.equal(env.fs.bytes('/data/replication-offset-checkpoint').toString(), '0\n2\na 0 2\nb-x 3 1\n');
  mgr.shutdown();
  assert.equal(env.fs.bytes('/data/recovery-point-offset-checkpoint').toString(), '0\n2\na 0 3\nb-x 3 1\n');
  assert.notEqual(env.fs.statSync('/data/.kafka_cleanshutdown'), null);
  assert.equal(env.fs.bytes('/data/a-0/partition.metadata').toString(), 'version: 0\ntopic_id: vDrBmGsqTHCasRJBSu8fKQ\n');
  mgr = env.open({}, { brokerId: 1, clusterId: 'c1' });
  assert.deepEqual(mgr.startupReport.cleanDirs, ['/data']);
  assert.equal(mgr.startupReport.recovery.recoveredSegments, 0);
  assert.equal(env.fs.statSync('/data/.kafka_cleanshutdown'), null); // a crash from now on must recover
  assert.equal(mgr.getLog('a', 0)!.logEndOffset, 3);
  assert.equal(mgr.getLog('a', 0)!.topicId, 'vDrBmGsqTHCasRJBSu8fKQ');
  assert.equal(mgr.getLog('b-x', 3)!.logEndOffset, 1);
  assert.deepEqual(
    [...mgr.readHighWatermarks()],
    [
      ['a-0', 2],
      ['b-x-3', 1],
    ],
  );
  assert.throws(() => env.open({}, { brokerId: 2 }), /\/data\/meta.properties belongs to node 1, but node.id is 2/);
  assert.equal(mgr.deleteLog('a', 0), true);
  assert.equal(env.fs.readdirSync('/data').filter((n) => n.startsWith('a-')).length, 0);
});

test('LogManager leaves the KRaft metadata log (__cluster_metadata-0) alone, as Kafka does', () => {
  const env = testEnv();
  env.fs.mkdirSync('/data/__cluster_metadata-0');
  env.fs.put('/data/__cluster_metadata-0/00000000000000000000.log', 'not a partition of the broker');
  const mgr = env.open();
  assert.equal(mgr.logCount, 0);
  assert.equal(mgr.getLog('__cluster_metadata', 0), undefined);
  assert.throws(() => mgr.getOrCreateLog('__cluster_metadata', 0), /invalid topic name '__cluster_metadata'/);
  mgr.shutdown();
  assert.equal(env.fs.bytes('/data/__cluster_metadata-0/00000000000000000000.log').toString(), 'not a partition of the broker');
  assert.equal(env.fs.bytes('/data/recovery-point-offset-checkpoint').toString(), '0\n0\n');
});
