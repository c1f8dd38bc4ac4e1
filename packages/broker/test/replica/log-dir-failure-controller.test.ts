// A failed log dir told to the controller (JBOD in KRaft, KIP-858), in one process through the
// storage fs seam (the cluster test with a real ENOSPC is test/cluster/jbod-log-dir-failure.test.ts):
// a broker with two log.dirs registers both dirs' directory.id, assigns each new replica to the dir
// its log is in (AssignReplicasToDirs: the partitions first get UNASSIGNED, the broker holding two
// dirs), and when one dir fails its next heartbeat, sent at once, lists it in OfflineLogDirs: the
// controller drops the dir from the broker's registration and takes the leadership of the
// partitions in it (leader -1: no other replica), while the partitions in the other dir keep theirs;
// a dir announced back online (logDirOnline, the disk-healing seam) is registered again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DirectoryId, partitionsInOrder, replicaDirectory, type MetadataImage } from '@tributary/metadata';
import { FaultyFileSystem, NodeFileSystem } from '@tributary/storage';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';
import { produce } from './log-dir-helpers.ts';

async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const view = (image: MetadataImage) =>
  partitionsInOrder(image.topic('f')!).map(([p, r]) => `${p}: leader=${r.leader} dir=${replicaDirectory(r, 1)}`);

describe('a failed log dir told to the controller', () => {
  it('registers the dirs, assigns replicas to them, and moves leadership off the failed one only', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-ctl-'));
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    const fs = new FaultyFileSystem(new NodeFileSystem());
    const b = await startTestBroker(
      { 'log.dirs': `${dirA},${dirB}`, 'broker.heartbeat.interval.ms': 60_000 },
      { fs, log: { debug() {}, info() {}, warn() {}, error() {} } },
      { keep: true },
    );
    const c = await kafkaClient(b.port);
    try {
      const services = b.broker.services;
      const logs = services.replicas.logs;
      const idA = logs.metaProperties(dirA)!.directoryId!;
      const idB = logs.metaProperties(dirB)!.directoryId!;
      assert.notEqual(idA, idB);
      assert.deepEqual(services.metadata.image.cluster.broker(1)!.directories, [idA, idB].sort());

      await topicsOf(b.broker).createTopic({ name: 'f', numPartitions: 4 });
      // created UNASSIGNED (two dirs), then assigned by the broker to where each log is
      const assigned = await until('every replica assigned', () => {
        const v = view(services.metadata.image);
        return v.every((x) => !x.endsWith(DirectoryId.UNASSIGNED)) && v;
      });
      assert.deepEqual(assigned, [`0: leader=1 dir=${idA}`, `1: leader=1 dir=${idB}`, `2: leader=1 dir=${idA}`, `3: leader=1 dir=${idB}`]);

      fs.fail(dirB, 'ENOSPC');
      assert.notEqual((await produce(c, 'f', 1, 1)).errorCode, 0);
      // told at once (the heartbeat interval is a minute)
      const moved = await until('the controller to take dir b offline', () => {
        const image = services.metadata.image;
        return image.cluster.broker(1)!.directories.length === 1 && image;
      });
      assert.deepEqual(moved.cluster.broker(1)!.directories, [idA]);
      assert.deepEqual(view(moved), [
        `0: leader=1 dir=${idA}`,
        `1: leader=-1 dir=${idB}`,
        `2: leader=1 dir=${idA}`,
        `3: leader=-1 dir=${idB}`,
      ]);
      assert.deepEqual(moved.partition('f', 1)!.isr, [1]); // an ISR keeps its last member
      assert.equal((await produce(c, 'f', 0, 1)).errorCode, 0);

      // The disk-healing seam: once the LogManager serves the dir again (simulated here: the
      // healing itself is another part), LogDirFailureHandler.logDirOnline(dir) tells the
      // controller through a registration of the same incarnation: same epoch, the dir online,
      // the leaderless partitions in it led by the broker again.
      const epoch = moved.cluster.broker(1)!.epoch;
      logs.offlineLogDirs = () => [];
      logs.logDirFailure = () => null;
      services.replicas.logDirFailures.logDirOnline(dirB);
      const back = await until('the controller to count dir b online', () => {
        const image = services.metadata.image;
        return image.cluster.broker(1)!.directories.length === 2 && image.partition('f', 3)!.leader === 1 && image;
      });
      assert.equal(back.cluster.broker(1)!.epoch, epoch);
      assert.equal(back.cluster.broker(1)!.fenced, false);
      assert.deepEqual(view(back), [
        `0: leader=1 dir=${idA}`,
        `1: leader=1 dir=${idB}`,
        `2: leader=1 dir=${idA}`,
        `3: leader=1 dir=${idB}`,
      ]);
    } finally {
      c.close();
      await b.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
