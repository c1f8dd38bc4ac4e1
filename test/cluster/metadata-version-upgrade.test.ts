// Upgrading metadata.version on a running cluster (kafka-features.sh upgrade): a controller and two
// broker processes with two log dirs each, the metadata log bootstrapped at 3.6-IV2
// (inter.broker.protocol.version on the controller), so directories are not tracked. With
// `tributary features`:
//   - describe prints each broker's supported range and the finalized level, as kafka-features.sh;
//   - a level no node supports is refused with the controller's message, and nothing changes;
//   - --dry-run validates without changing the level;
//   - upgrade --metadata 3.7-IV2 finalizes 17; every broker then registers again with its log
//     dirs and assigns each of its replicas to the dir that holds it (AssignReplicasToDirs): read
//     back from the controller's metadata log on disk, every replica of the topic names the
//     directory.id of the dir its log is in;
//   - a downgrade back to 3.6-IV2 is refused (it would lose the directories).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MetadataImage, applyRecords, decodeMetadataBatches, type MetadataRecord } from '@tributary/metadata';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { runCli } from '../../packages/tributary/test/cli-process.ts';
import { createReplicatedTopic, startFaultCluster, waitFor } from './harness.ts';

const TOPIC = 'mv-upgrade';
const PARTITIONS = 4;

/** The controller's metadata log, replayed from its segment files (a torn last batch is left out). */
function controllerImage(dataDir: string): MetadataImage {
  const dir = join(dataDir, 'controller', '__cluster_metadata-0');
  const records: MetadataRecord[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    for (const b of decodeMetadataBatches(readFileSync(join(dir, f)))) for (const r of b.records) records.push(r.record);
  }
  return applyRecords(MetadataImage.EMPTY, records).image;
}

/** directory.id of a log dir (meta.properties). */
function directoryId(logDir: string): string {
  const m = /^directory\.id=(.+)$/m.exec(readFileSync(join(logDir, 'meta.properties'), 'utf8'));
  if (!m) throw new Error(`no directory.id in ${logDir}`);
  return m[1]!;
}

/** The directory.id of the dir holding broker `id`'s replica of TOPIC-`p`. */
function dirHolding(cluster: LocalCluster, id: number, p: number): string {
  const dir = cluster.logDirsOf(id).find((d) => existsSync(join(d, `${TOPIC}-${p}`)));
  if (!dir) throw new Error(`broker ${id} has no log of ${TOPIC}-${p}`);
  return directoryId(dir);
}

describe('metadata.version upgrade (kafka-features.sh)', { timeout: 120_000 }, () => {
  it('3.6-IV2 -> 3.7-IV2 with tributary features: brokers register their dirs and every replica gets its directory', async (t) => {
    const { cluster, dataDir } = await startFaultCluster(t, {
      brokers: 2,
      logDirsPerBroker: 2,
      controllerSettings: { 'inter.broker.protocol.version': '3.6-IV2' },
      brokerSettings: { 'broker.heartbeat.interval.ms': 500 },
    });
    await createReplicatedTopic(cluster, TOPIC, PARTITIONS, 2);
    const bootstrap = `127.0.0.1:${cluster.portOf(1)}`;
    const cli = (...args: string[]) => runCli([...args, '--bootstrap-server', bootstrap]);
    const line = (level: string, epoch: string) =>
      `Feature: metadata.version\tSupportedMinVersion: 3.6-IV2\tSupportedMaxVersion: 3.7-IV2\tFinalizedVersionLevel: ${level}\tEpoch: ${epoch}`;

    const before = await cli('features', 'describe');
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /^Feature: metadata\.version\t.*\tEpoch: \d+\n$/);
    assert.equal(before.stdout.replace(/Epoch: \d+/, 'Epoch: N'), `${line('3.6-IV2', 'N')}\n`);
    let image = controllerImage(dataDir);
    assert.equal(image.features.metadataVersion, 14);
    for (const id of [1, 2]) assert.deepEqual(image.cluster.broker(id)!.directories, [], `broker ${id} registered without dirs at 3.6-IV2`);

    const tooHigh = await cli('features', 'upgrade', '--metadata', '3.8');
    assert.equal(tooHigh.code, 1, tooHigh.stderr);
    assert.equal(
      tooHigh.stdout,
      'Could not upgrade metadata.version to 20. The update failed for all features since the following feature had an error: Invalid update version 20 for feature metadata.version. Local controller 0 only supports versions 14-17\n',
    );
    assert.equal(tooHigh.stderr, 'tributary features: 1 out of 1 operation(s) failed.\n');

    const dry = await cli('features', 'upgrade', '--metadata', '3.7-IV2', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, 'metadata.version can be upgraded to 17.\n');
    assert.equal(controllerImage(dataDir).features.metadataVersion, 14);

    const up = await cli('features', 'upgrade', '--metadata', '3.7-IV2');
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, 'metadata.version was upgraded to 17.\n');
    for (const id of [1, 2]) {
      const d = await runCli(['features', 'describe', '--bootstrap-server', `127.0.0.1:${cluster.portOf(id)}`]);
      assert.equal(d.stdout.replace(/Epoch: \d+/, 'Epoch: N'), `${line('3.7-IV2', 'N')}\n`, `broker ${id}`);
    }

    // every broker registers its two dirs again, and assigns each replica to the dir holding it
    image = await waitFor(
      'every replica assigned to the dir holding its log',
      () => {
        const img = controllerImage(dataDir);
        for (const id of [1, 2]) {
          const dirs = cluster.logDirsOf(id).map(directoryId).sort();
          if (JSON.stringify(img.cluster.broker(id)?.directories) !== JSON.stringify(dirs)) return false;
        }
        const topic = img.topic(TOPIC)!;
        for (const [p, reg] of topic.partitions) {
          for (const [i, id] of reg.replicas.entries()) if (reg.directories[i] !== dirHolding(cluster, id, p)) return false;
        }
        return img;
      },
      30_000,
    );
    assert.equal(image.features.metadataVersion, 17);
    assert.equal(image.topic(TOPIC)!.partitions.size, PARTITIONS);

    const down = await cli('features', 'downgrade', '--metadata', '3.6-IV2');
    assert.equal(down.code, 1, down.stderr);
    assert.equal(down.stderr, 'tributary features: 1 out of 1 operation(s) failed.\n');
    assert.equal(
      down.stdout,
      'Could not downgrade metadata.version to 14. The update failed for all features since the following feature had an error: Invalid metadata.version 14. Refusing to perform the requested downgrade because it might delete metadata information.\n',
    );
    assert.equal(controllerImage(dataDir).features.metadataVersion, 17);
  });
});
