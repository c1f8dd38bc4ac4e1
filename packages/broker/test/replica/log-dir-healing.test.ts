// A failed log dir that heals without a restart (tributary.log.dir.failure.recovery.interval.ms):
// a broker with two log.dirs, EIO / ENOSPC / EROFS injected into one through the storage fs seam
// during an append, a segment roll and a background checkpoint. While the fault lasts the dir's
// partitions answer KAFKA_STORAGE_ERROR to Produce and Fetch, Metadata lists them offline with
// leader -1 and DescribeLogDirs reports the dir's error; once it clears, the next probe re-opens
// the dir, the partitions answer again with every acknowledged record at its offset, the leader is
// back in Metadata, DescribeLogDirs lists the dir's partitions, the onLogDirOnline event fires,
// and the log says all of it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import { FaultyFileSystem, NodeFileSystem, type FaultCode } from '@tributary/storage';
import type { Logger } from '../../src/logger.ts';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';
import { BrokerConfig, ConfigError } from '../../src/config/broker-config.ts';
import { replicaManagerFamilies } from '../../src/metrics/replica-manager-metrics.ts';
import type { ReplicaManager } from '../../src/replica/replica-manager.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

async function produceValues(c: KafkaTestClient, topic: string, partition: number, values: string[]) {
  const records = await encodeRecordBatch({ records: values.map((value, i) => ({ value, timestamp: 1_700_000_000_000 + i })) });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

async function fetchOnce(c: KafkaTestClient, topic: string, partition: number, offset: number) {
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
        partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      },
    ],
  });
  return res.responses[0]!.partitions[0]!;
}

/** Every record of a partition as [offset, value], fetched segment by segment up to the HW. */
async function fetchAll(c: KafkaTestClient, topic: string, partition: number): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for (;;) {
    const p = await fetchOnce(c, topic, partition, out.length ? out[out.length - 1]![0] + 1 : 0);
    assert.equal(p.errorCode, 0);
    const batches = p.records ? await decodeRecordBatches(p.records) : [];
    if (batches.length === 0) return out;
    for (const b of batches) out.push(...b.records.map((r, i): [number, string] => [Number(b.baseOffset) + i, r.value!.toString()]));
  }
}

async function metadata(c: KafkaTestClient, topic: string) {
  const md = await c.request(ApiKey.Metadata, 12, {
    topics: [{ name: topic, topicId: ZERO_UUID }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  return md.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId, p.offlineReplicas]);
}

async function describeDirs(c: KafkaTestClient) {
  const dirs = await c.request(ApiKey.DescribeLogDirs, 4, { topics: null });
  return dirs.results.map((r) => [
    r.logDir,
    r.errorCode,
    r.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}`)).sort(),
  ]);
}

/** OfflineReplicaCount and OfflineLogDirectoryCount, as scraped. */
function offlineMetrics(replicas: ReplicaManager) {
  const f = new Map(replicaManagerFamilies(replicas).map((m) => [m.name, m.samples]));
  return [
    f.get('kafka_server_replicamanager_offlinereplicacount')![0]!.value,
    f.get('kafka_log_logmanager_offlinelogdirectorycount')![0]!.value,
  ];
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How the fault is met: by a Produce, by a Produce that rolls a segment (after its first step), by the background checkpoint. */
const TRIGGERS = ['append', 'segment roll', 'recovery-point checkpoint'] as const;

for (const code of ['EIO', 'ENOSPC', 'EROFS'] as FaultCode[]) {
  describe(`a log dir failing with ${code} heals without a restart`, () => {
    it('offline while the fault lasts (append, roll, checkpoint), then served again with every acknowledged record', async () => {
      const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-heal-'));
      const dirA = join(root, 'a');
      const dirB = join(root, 'b');
      const fs = new FaultyFileSystem(new NodeFileSystem());
      const lines: string[] = [];
      const at = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
      const log: Logger = { debug() {}, info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
      const b = await startTestBroker(
        { 'log.dirs': `${dirA},${dirB}`, 'tributary.log.dir.failure.recovery.interval.ms': 20 },
        { fs, log },
        { keep: true },
      );
      const c = await kafkaClient(b.port);
      const online: string[] = [];
      try {
        const replicas = b.broker.services.replicas;
        const stopListening = replicas.logDirFailures.onLogDirOnline((dir) => online.push(dir));
        await topicsOf(b.broker).createTopic({ name: 'h', numPartitions: 2, configs: { 'segment.bytes': '1024' } });
        assert.deepEqual([replicas.logs.logDirOf('h', 0), replicas.logs.logDirOf('h', 1)], [dirA, dirB]);
        const acked: Array<[number, string]> = [];
        let n = 0;
        const produceAcked = async (count: number) => {
          const values = Array.from({ length: count }, () => `value-${n++}-${'x'.repeat(40)}`);
          const r = await produceValues(c, 'h', 1, values);
          if (r.errorCode === 0) acked.push(...values.map((v, i): [number, string] => [Number(r.baseOffset) + i, v]));
          return r;
        };
        for (let i = 0; i < 5; i++) assert.equal((await produceAcked(3)).errorCode, 0);

        for (const [round, trigger] of TRIGGERS.entries()) {
          const what = `${trigger} (${code})`;
          lines.length = 0;
          if (trigger === 'append') {
            fs.fail(dirB, code);
            assert.equal((await produceAcked(2)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR, what);
          } else if (trigger === 'segment roll') {
            while (replicas.logs.getLog('h', 1)!.activeSegment.size < 700) assert.equal((await produceAcked(2)).errorCode, 0);
            fs.failAtStep(dirB, code, 1); // the roll's first step passes, the next fails
            assert.equal((await produceAcked(6)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR, what);
          } else {
            assert.equal((await produceAcked(2)).errorCode, 0);
            fs.fail(dirB, code);
            await replicas.logs.flushAndCheckpointRecoveryPoints();
          }
          assert.deepEqual(replicas.logs.offlineLogDirs(), [dirB], what);
          // offline: Produce, Fetch, Metadata, DescribeLogDirs
          assert.equal((await produceAcked(1)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR, what);
          assert.equal((await fetchOnce(c, 'h', 1, 0)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR, what);
          assert.deepEqual(
            await metadata(c, 'h'),
            [
              [0, 1, []],
              [1, -1, [1]],
            ],
            what,
          );
          assert.deepEqual((await describeDirs(c))[1], [dirB, ErrorCode.KAFKA_STORAGE_ERROR, []], what);
          assert.deepEqual(offlineMetrics(replicas), [1, 1], what);
          // still failing: probed, not brought back
          await new Promise((r) => setTimeout(r, 100));
          assert.deepEqual(replicas.logs.offlineLogDirs(), [dirB], what);
          assert.equal((await produceValues(c, 'h', 0, ['other dir'])).errorCode, 0, what);

          fs.heal(dirB);
          await until(`${dirB} back online`, () => replicas.logs.offlineLogDirs().length === 0);
          assert.deepEqual(online, Array(round + 1).fill(dirB), what);
          // the dir is registered with the controller again (KIP-858), which elects the replica back
          await until(`${what}: partition 1 led again`, async () => (await metadata(c, 'h'))[1]![1] === 1);
          assert.deepEqual(
            await metadata(c, 'h'),
            [
              [0, 1, []],
              [1, 1, []],
            ],
            what,
          );
          assert.deepEqual((await describeDirs(c))[1], [dirB, 0, ['h-1']], what);
          assert.deepEqual(offlineMetrics(replicas), [0, 0], what);
          // every acknowledged record at its offset (an append refused by the fault may have landed after them)
          const all = await fetchAll(c, 'h', 1);
          assert.deepEqual(all.slice(0, acked.length), acked, what);
          const r = await produceAcked(1);
          assert.deepEqual([r.errorCode, Number(r.baseOffset)], [0, all.length], what);
          // the log says so (what the broker tells the controller, KIP-858, is checked in log-dir-failure-controller)
          const said = lines.filter(
            (l) => !l.startsWith('INFO Recovering unflushed') && !l.startsWith('INFO Completed load') && !/controller/.test(l),
          );
          assert.match(said[0]!, new RegExp(`^WARN Logs for partitions h-1 are offline due to failure on log directory ${dirB}$`), what);
          assert.match(said[1]!, new RegExp(`^ERROR Stopped serving replicas in dir ${dirB}: ${code}`), what);
          assert.deepEqual(
            said
              .slice(2)
              .map((l) => l.replace(/ in \d+ms/g, ' in Nms').replace(/failing with .*: re-opening/, 'failing with X: re-opening')),
            [
              `WARN Log directory ${dirB} passed its health check after failing with X: re-opening its 1 logs as after an unclean shutdown`,
              `INFO Recovering 1 logs from ${dirB} since no clean shutdown file was found`,
              said.find((l) => l.startsWith(`INFO Loaded 1 logs from ${dirB}`))!.replace(/ in \d+ms/g, ' in Nms'),
              `INFO Log directory ${dirB} is back online with 1 logs, re-opened in Nms`,
              `INFO Resumed serving replicas in dir ${dirB}`,
              `INFO Log dir ${dirB} is back online`,
            ],
            what,
          );
          assert.ok(said[1]!.includes(code), what);
        }
        stopListening();
      } finally {
        c.close();
        await b.stop();
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
}

describe('a log dir failing before a restart heals without another', () => {
  it('its partitions, hosted offline without a log, are made once it is back, with their records', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-heal-restart-'));
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    const settings = { 'log.dirs': `${dirA},${dirB}`, 'tributary.log.dir.failure.recovery.interval.ms': 20 };
    try {
      let b = await startTestBroker(settings, {}, { keep: true });
      let c = await kafkaClient(b.port);
      await topicsOf(b.broker).createTopic({ name: 'r', numPartitions: 2 });
      assert.equal((await produceValues(c, 'r', 0, ['a0', 'a1'])).errorCode, 0);
      assert.equal((await produceValues(c, 'r', 1, ['b0', 'b1', 'b2'])).errorCode, 0);
      c.close();
      await b.stop();

      const fs = new FaultyFileSystem(new NodeFileSystem());
      fs.fail(dirB, 'EIO');
      const lines: string[] = [];
      const at = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
      b = await startTestBroker(
        settings,
        { fs, log: { debug() {}, info: at('INFO'), warn: at('WARN'), error: at('ERROR') } },
        { keep: true },
      );
      c = await kafkaClient(b.port);
      const replicas = b.broker.services.replicas;
      assert.deepEqual(replicas.logs.offlineLogDirs(), [dirB]);
      assert.equal((await produceValues(c, 'r', 1, ['refused'])).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
      assert.equal(replicas.offlinePartitionCount, 1);
      assert.deepEqual(await metadata(c, 'r'), [
        [0, 1, []],
        [1, -1, [1]],
      ]);
      fs.heal(dirB);
      await until(`${dirB} back online`, () => replicas.logs.offlineLogDirs().length === 0);
      assert.equal(replicas.offlinePartitionCount, 0);
      // registered with the controller again (KIP-858), which elects the replica back
      await until('partition 1 led again', async () => (await metadata(c, 'r'))[1]![1] === 1);
      assert.deepEqual(await metadata(c, 'r'), [
        [0, 1, []],
        [1, 1, []],
      ]);
      assert.deepEqual(await fetchAll(c, 'r', 1), [
        [0, 'b0'],
        [1, 'b1'],
        [2, 'b2'],
      ]);
      const r = await produceValues(c, 'r', 1, ['b3']);
      assert.deepEqual([r.errorCode, Number(r.baseOffset)], [0, 3]);
      assert.ok(lines.includes(`INFO Resumed serving replicas in dir ${dirB}`), lines.join('\n'));
      c.close();
      await b.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('tributary.log.dir.failure.recovery.interval.ms', () => {
  it('defaults to 10 s; 0 disables healing (Kafka); a negative value is refused', () => {
    const get = (v?: number) =>
      BrokerConfig.load({
        settings: v === undefined ? {} : { 'tributary.log.dir.failure.recovery.interval.ms': v },
      }).get('tributary.log.dir.failure.recovery.interval.ms');
    assert.deepEqual([get(), get(0), get(250)], [10000, 0, 250]);
    assert.throws(
      () => get(-1),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.some((p) => p.startsWith('tributary.log.dir.failure.recovery.interval.ms=-1: must be at least 0')),
    );
  });
});

describe('a log dir holding __consumer_offsets failing before a restart', () => {
  it('its group coordinator partition is loaded once the dir heals: committed offsets are served again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-heal-groups-'));
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    const settings = {
      'log.dirs': `${dirA},${dirB}`,
      'tributary.log.dir.failure.recovery.interval.ms': 20,
      'offsets.topic.num.partitions': 2,
    };
    const commit = (groupId: string, offset: number) => ({
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: BigInt(offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'm' },
          ],
        },
      ],
    });
    const fetchOffset = async (c: KafkaTestClient, groupId: string) => {
      const r = await c.request(ApiKey.OffsetFetch, 5, { groupId, topics: [{ name: 't', partitionIndexes: [0] }] });
      return [r.errorCode, Number(r.topics[0]?.partitions[0]?.committedOffset ?? -1)];
    };
    try {
      let b = await startTestBroker(settings, {}, { keep: true });
      let c = await kafkaClient(b.port);
      await topicsOf(b.broker).createTopic({ name: 't', numPartitions: 1 });
      await c.request(ApiKey.FindCoordinator, 1, { key: 'any', keyType: 0 });
      const logs = b.broker.services.replicas.logs;
      await until('__consumer_offsets', () => logs.getLog('__consumer_offsets', 1) !== undefined);
      const dirs = [logs.logDirOf('__consumer_offsets', 0), logs.logDirOf('__consumer_offsets', 1)];
      assert.deepEqual([...dirs].sort(), [dirA, dirB]);
      const inB = dirs.indexOf(dirB);
      const groupInB = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'].find((g) => b.broker.services.groupCoordinator.partitionFor(g) === inB)!;
      const res = await c.request(ApiKey.OffsetCommit, 2, commit(groupInB, 42));
      assert.equal(res.topics[0]!.partitions[0]!.errorCode, 0);
      c.close();
      await b.stop();

      const fs = new FaultyFileSystem(new NodeFileSystem());
      fs.fail(dirB, 'EIO');
      b = await startTestBroker(settings, { fs }, { keep: true });
      c = await kafkaClient(b.port);
      const [offlineError] = await fetchOffset(c, groupInB);
      assert.notEqual(offlineError, 0); // its coordinator partition cannot be loaded
      fs.heal(dirB);
      await until(`${dirB} back online`, () => b.broker.services.replicas.logs.offlineLogDirs().length === 0);
      let got = await fetchOffset(c, groupInB);
      for (let i = 0; i < 200 && got[0] !== 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        got = await fetchOffset(c, groupInB);
      }
      assert.deepEqual(got, [0, 42]);
      c.close();
      await b.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
