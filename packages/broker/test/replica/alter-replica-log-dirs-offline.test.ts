// AlterReplicaLogDirs when a log dir has failed (JBOD, EIO injected through the storage fs seam):
// moving into the offline dir, moving a replica whose dir is offline, and moving between live
// dirs while any dir is offline all answer KAFKA_STORAGE_ERROR, as Kafka's alterReplicaLogDirs;
// nothing is created anywhere.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { FaultyFileSystem, NodeFileSystem } from '@tributary/storage';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';
import { produce } from './log-dir-helpers.ts';
import { silentLogger } from '../../src/logger.ts';

it('answers KAFKA_STORAGE_ERROR for an offline dir, an offline replica, and any new move while a dir is offline', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-alter-offline-'));
  const [dirA, dirB, dirC] = ['a', 'b', 'c'].map((d) => join(root, d)) as [string, string, string];
  const fs = new FaultyFileSystem(new NodeFileSystem());
  const b = await startTestBroker({ 'log.dirs': `${dirA},${dirB},${dirC}` }, { fs, log: silentLogger }, { keep: true });
  const c = await kafkaClient(b.port);
  try {
    await topicsOf(b.broker).createTopic({ name: 'o', numPartitions: 3 });
    const logs = b.broker.services.replicas.logs;
    assert.deepEqual(
      [0, 1, 2].map((p) => logs.logDirOf('o', p)),
      [dirA, dirB, dirC],
    );
    fs.fail(dirB, 'EIO');
    assert.equal((await produce(c, 'o', 1, 1)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.deepEqual(logs.offlineLogDirs(), [dirB]);
    const alter = async (path: string, partition: number) =>
      (await c.request(ApiKey.AlterReplicaLogDirs, 2, { dirs: [{ path, topics: [{ name: 'o', partitions: [partition] }] }] })).results[0]!
        .partitions[0]!.errorCode;
    assert.equal(await alter(dirB, 0), ErrorCode.KAFKA_STORAGE_ERROR, 'into the offline dir');
    assert.equal(await alter(dirA, 1), ErrorCode.KAFKA_STORAGE_ERROR, 'the replica is offline');
    assert.equal(await alter(dirC, 0), ErrorCode.KAFKA_STORAGE_ERROR, 'no future log while a dir is offline');
    assert.equal(await alter(dirA, 0), ErrorCode.NONE, 'already there: nothing to do');
    assert.equal(logs.getFutureLog('o', 0), undefined);
    assert.deepEqual(
      readdirSync(dirC).filter((n) => n.startsWith('o-')),
      ['o-2'],
    );
  } finally {
    c.close();
    await b.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
