// A replica moved between log dirs (AlterReplicaLogDirs) is assigned to its new dir in the cluster
// metadata (KIP-858): once the swap is done, the broker's onReplicaDirChanged seam sends
// AssignReplicasToDirs and the controller records the new directory.id for the replica.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { replicaDirectory } from '@tributary/metadata';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';
import { produce } from './log-dir-helpers.ts';

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it("a moved replica's new dir reaches the controller's metadata (AssignReplicasToDirs)", async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-move-assign-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  const b = await startTestBroker({ 'log.dirs': `${dirA},${dirB}` }, {}, { keep: true });
  const c = await kafkaClient(b.port);
  try {
    const services = b.broker.services;
    const logs = services.replicas.logs;
    await topicsOf(b.broker).createTopic({ name: 'm', numPartitions: 1 });
    assert.equal((await produce(c, 'm', 0, 5)).errorCode, ErrorCode.NONE);
    const from = logs.logDirOf('m', 0)!;
    const to = from === dirA ? dirB : dirA;
    const dirOf = () => replicaDirectory(services.metadata.image.partition('m', 0)!, 1);
    await until('the replica assigned to its first dir', () => dirOf() === logs.metaProperties(from)!.directoryId);
    const r = await c.request(ApiKey.AlterReplicaLogDirs, 2, { dirs: [{ path: to, topics: [{ name: 'm', partitions: [0] }] }] });
    assert.equal(r.results[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    await until('the swap', () => logs.logDirOf('m', 0) === to);
    await until('the new dir in the metadata', () => dirOf() === logs.metaProperties(to)!.directoryId);
    assert.equal((await produce(c, 'm', 0, 1)).baseOffset, 5n);
  } finally {
    c.close();
    await b.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
