// A failed log dir taken offline without stopping the broker (Kafka's JBOD, LogDirFailureChannel):
// a broker with two log.dirs, EIO / ENOSPC / EROFS injected into one through the storage fs seam.
// The dir's partitions answer KAFKA_STORAGE_ERROR to Produce and Fetch, Metadata lists the broker
// among their offline replicas with leader -1, DescribeLogDirs answers the dir with
// KAFKA_STORAGE_ERROR, the failure is logged once at ERROR with the path and cause, and the other
// dir keeps serving (and takes new partitions).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, batchesIn } from '@tributary/protocol';
import { FaultyFileSystem, NodeFileSystem } from '@tributary/storage';
import type { Logger } from '../../src/logger.ts';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';
import { replicaManagerFamilies } from '../../src/metrics/replica-manager-metrics.ts';
import type { ReplicaManager } from '../../src/replica/replica-manager.ts';
import { produce } from './log-dir-helpers.ts';

/** OfflineReplicaCount, OfflineLogDirectoryCount and LogDirectoryOffline per dir, as scraped. */
function offlineMetrics(replicas: ReplicaManager) {
  const f = new Map(replicaManagerFamilies(replicas).map((m) => [m.name, m.samples]));
  return [
    f.get('kafka_server_replicamanager_offlinereplicacount')![0]!.value,
    f.get('kafka_log_logmanager_offlinelogdirectorycount')![0]!.value,
    f.get('kafka_log_logmanager_logdirectoryoffline')!.map((x) => [x.labels!.logDirectory, x.value]),
  ];
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

async function fetchAll(c: KafkaTestClient, topic: string, partitions: number[]) {
  const res = await c.request(ApiKey.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: partitions.map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: 0n,
          logStartOffset: -1n,
          partitionMaxBytes: 1 << 20,
        })),
      },
    ],
  });
  return res.responses[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.records ? [...batchesIn(p.records)].length : 0]);
}

for (const code of ['EIO', 'ENOSPC', 'EROFS'] as const) {
  describe(`a log dir failing with ${code}`, async () => {
    it('is taken offline; its partitions answer KAFKA_STORAGE_ERROR and are offline replicas; the other dir keeps serving', async () => {
      const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-fail-'));
      const dirA = join(root, 'a');
      const dirB = join(root, 'b');
      const fs = new FaultyFileSystem(new NodeFileSystem());
      const errors: Array<[string, Record<string, unknown> | undefined]> = [];
      const log: Logger = { debug() {}, info() {}, warn() {}, error: (msg, fields) => errors.push([msg, fields]) };
      const b = await startTestBroker({ 'log.dirs': `${dirA},${dirB}` }, { fs, log }, { keep: true });
      const c = await kafkaClient(b.port);
      try {
        await topicsOf(b.broker).createTopic({ name: 'f', numPartitions: 4 });
        const logs = b.broker.services.replicas.logs;
        assert.deepEqual(
          [0, 1, 2, 3].map((p) => logs.logDirOf('f', p)),
          [dirA, dirB, dirA, dirB],
        );
        for (let p = 0; p < 4; p++) assert.equal((await produce(c, 'f', p, 2)).errorCode, 0);

        fs.fail(dirB, code);
        const failed = await produce(c, 'f', 1, 1); // the write hits the fault
        assert.deepEqual([failed.errorCode, failed.baseOffset], [ErrorCode.KAFKA_STORAGE_ERROR, -1n]);
        assert.deepEqual(
          errors.map(([msg, f]) => [
            msg.startsWith(`Stopped serving replicas in dir ${dirB}: ${code}`),
            f?.logDir,
            f?.cause,
            f?.partitions,
          ]),
          [[true, dirB, code, ['f-1', 'f-3']]],
        );
        const after = await Promise.all([0, 1, 2, 3].map((p) => produce(c, 'f', p, 1)));
        assert.deepEqual(
          after.map((r) => [r.errorCode, r.baseOffset]),
          [
            [0, 2n],
            [ErrorCode.KAFKA_STORAGE_ERROR, -1n],
            [0, 2n],
            [ErrorCode.KAFKA_STORAGE_ERROR, -1n],
          ],
        );
        assert.equal(after[1]!.errorMessage, 'The log dir of partition f-1 is offline.');
        assert.deepEqual(await fetchAll(c, 'f', [0, 1, 2, 3]), [
          [0, 0, 2],
          [1, ErrorCode.KAFKA_STORAGE_ERROR, 0],
          [2, 0, 2],
          [3, ErrorCode.KAFKA_STORAGE_ERROR, 0],
        ]);

        const md = await c.request(ApiKey.Metadata, 12, {
          topics: [{ name: 'f', topicId: ZERO_UUID }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        });
        assert.deepEqual(
          md.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId, p.replicaNodes, p.offlineReplicas]),
          [
            [0, 0, 1, [1], []],
            [1, ErrorCode.LEADER_NOT_AVAILABLE, -1, [1], [1]],
            [2, 0, 1, [1], []],
            [3, ErrorCode.LEADER_NOT_AVAILABLE, -1, [1], [1]],
          ],
        );

        const dirs = await c.request(ApiKey.DescribeLogDirs, 4, { topics: null });
        assert.deepEqual(
          dirs.results.map((r) => [r.logDir, r.errorCode, r.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])]),
          [
            [dirA, 0, [['f', [0, 2]]]],
            [dirB, ErrorCode.KAFKA_STORAGE_ERROR, []],
          ],
        );
        assert.deepEqual([dirs.results[1]!.totalBytes, dirs.results[1]!.usableBytes], [-1n, -1n]);

        assert.deepEqual(offlineMetrics(b.broker.services.replicas), [
          2,
          1,
          [
            [dirA, 0],
            [dirB, 1],
          ],
        ]);
        // new partitions go to the live dir only
        await topicsOf(b.broker).createTopic({ name: 'g', numPartitions: 2 });
        assert.deepEqual([logs.logDirOf('g', 0), logs.logDirOf('g', 1)], [dirA, dirA]);
        assert.deepEqual((await produce(c, 'g', 1, 3)).errorCode, 0);
        assert.equal(errors.length, 1);
      } finally {
        c.close();
        await b.stop();
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
}

describe('a log dir failing before a restart', async () => {
  it('starts offline: its partitions are not recreated elsewhere and answer KAFKA_STORAGE_ERROR; back once the dir is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-restart-'));
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    const settings = { 'log.dirs': `${dirA},${dirB}` };
    const errors: string[] = [];
    const log: Logger = { debug() {}, info() {}, warn() {}, error: (msg) => errors.push(msg) };
    try {
      let b = await startTestBroker(settings, {}, { keep: true });
      let c = await kafkaClient(b.port);
      await topicsOf(b.broker).createTopic({ name: 'r', numPartitions: 2 });
      assert.deepEqual((await produce(c, 'r', 0, 2)).errorCode, 0);
      assert.deepEqual((await produce(c, 'r', 1, 3)).errorCode, 0);
      c.close();
      await b.stop();

      const fs = new FaultyFileSystem(new NodeFileSystem());
      fs.fail(dirB, 'EIO');
      b = await startTestBroker(settings, { fs, log }, { keep: true });
      c = await kafkaClient(b.port);
      const logs = b.broker.services.replicas.logs;
      assert.deepEqual(logs.offlineLogDirs(), [dirB]);
      assert.equal(logs.getLog('r', 1), undefined);
      assert.deepEqual(
        errors.filter((m) => !m.startsWith('Stopped serving replicas')),
        [`Can not create log for r-1 because log directories ${dirB} are offline`],
      );
      assert.deepEqual(
        [(await produce(c, 'r', 0, 1)).errorCode, (await produce(c, 'r', 1, 1)).errorCode],
        [0, ErrorCode.KAFKA_STORAGE_ERROR],
      );
      assert.deepEqual(await fetchAll(c, 'r', [0, 1]), [
        [0, 0, 2],
        [1, ErrorCode.KAFKA_STORAGE_ERROR, 0],
      ]);
      const md = await c.request(ApiKey.Metadata, 12, {
        topics: [{ name: 'r', topicId: ZERO_UUID }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      assert.deepEqual(
        md.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId, p.offlineReplicas]),
        [
          [0, 1, []],
          [1, -1, [1]],
        ],
      );
      assert.deepEqual(offlineMetrics(b.broker.services.replicas), [
        1,
        1,
        [
          [dirA, 0],
          [dirB, 1],
        ],
      ]);
      c.close();
      await b.stop();

      b = await startTestBroker(settings, {}, { keep: true });
      c = await kafkaClient(b.port);
      assert.deepEqual(
        [0, 1].map((p) => b.broker.services.replicas.logs.getLog('r', p)!.logEndOffset),
        [3, 3],
      );
      assert.deepEqual((await produce(c, 'r', 1, 1)).baseOffset, 3n);
      c.close();
      await b.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
