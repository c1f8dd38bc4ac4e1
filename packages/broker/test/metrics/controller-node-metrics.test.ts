// A dedicated controller's /metrics (ControllerNode with tributary.metrics.port), in one process,
// read with a real Prometheus text-format parser: the lone voter is the active controller and
// the quorum leader, its raft gauges agree with its log, the applied and committed offsets are
// the log's last, each operation counts once (started, and timed in the event queue histograms),
// and no broker family is served. Without the setting: no endpoint.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { ControllerNode } from '../../src/controller-node.ts';
import { silentLogger } from '../../src/logger.ts';
import { scrape } from '../helpers/prometheus-text.ts';

const NODE_ID = 3000;
const dir = mkdtempSync(join(tmpdir(), 'tributary-controller-metrics-'));

function controllerNode(name: string, extra: Record<string, string | number>): ControllerNode {
  return new ControllerNode(
    BrokerConfig.load({
      settings: {
        'controller.listener.names': 'CONTROLLER',
        'process.roles': 'controller',
        'node.id': NODE_ID,
        listeners: 'CONTROLLER://127.0.0.1:0',
        'log.dirs': join(dir, name),
        ...extra,
      },
      env: { CLUSTER_ID: 'q1ZeHqh8TQuAbLDhVyQk1w' },
    }),
    { log: silentLogger },
  );
}

describe("a dedicated controller's /metrics", () => {
  let node: ControllerNode;
  const startedAt = Date.now();

  before(async () => {
    node = controllerNode('metered', { 'tributary.metrics.port': 0 });
    await node.start();
  });

  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the active controller, its quorum and its log', async () => {
    assert.match(node.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const m = await scrape(node.metricsUrl!);
    const kc = (name: string) => m.value(`kafka_controller_kafkacontroller_${name}`);
    assert.deepEqual(
      [
        'activecontrollercount',
        'offlinepartitionscount',
        'globaltopiccount',
        'globalpartitioncount',
        'activebrokercount',
        'fencedbrokercount',
      ].map(kc),
      [1, 0, 0, 0, 0, 0],
    );
    const local = node.localController;
    const end = local.nextOffset;
    assert.ok(end > 0, 'the bootstrap records');
    assert.deepEqual(
      [kc('lastappliedrecordoffset'), kc('lastcommittedrecordoffset'), kc('lastappliedrecordlagms'), kc('metadataerrorcount')],
      [end - 1, end - 1, 0, 0],
    );
    const applied = kc('lastappliedrecordtimestamp')!;
    assert.ok(applied >= startedAt && applied <= Date.now(), `applied at ${applied}`);
    const rm = (name: string) => m.value(`kafka_server_raftmetrics_${name}`);
    assert.deepEqual(m.labelSets('kafka_server_raftmetrics_current_state'), [{ current_state: 'leader' }]);
    assert.deepEqual(['current_leader', 'current_epoch', 'current_vote', 'high_watermark', 'log_end_offset'].map(rm), [
      NODE_ID,
      local.leaderEpoch,
      NODE_ID,
      end,
      end,
    ]);
    assert.ok(local.leaderEpoch >= 1);
    // a lone voter commits by its own fsync: no Raft commit to time
    assert.ok(Number.isNaN(rm('commit_latency_avg')!));
    for (const name of [
      'kafka_server_kafkaserver_brokerstate',
      'kafka_server_replicamanager_partitioncount',
      'kafka_network_requestmetrics_requests_total',
    ])
      assert.equal(m.byName.has(name), false, `no ${name}`);
  });

  it('counts and times each operation of its queue once', async () => {
    const ev = 'kafka_controller_controllereventmanager_';
    const before = await scrape(node.metricsUrl!);
    const started = before.value('kafka_controller_kafkacontroller_eventqueueoperationsstartedcount')!;
    assert.equal(before.value(`${ev}eventqueuetimems_count`), started);
    assert.equal(before.value(`${ev}eventqueueprocessingtimems_count`), started);
    // no broker is registered: the operation runs and answers an error, writing nothing
    const [r] = await node.localController.createTopics([{ name: 'orders', numPartitions: 3, replicationFactor: 1 }]);
    assert.equal(r!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    const after = await scrape(node.metricsUrl!);
    assert.equal(after.value('kafka_controller_kafkacontroller_eventqueueoperationsstartedcount'), started + 1);
    assert.equal(after.value(`${ev}eventqueuetimems_count`), started + 1);
    assert.equal(after.value(`${ev}eventqueueprocessingtimems_count`), started + 1);
    assert.deepEqual(
      after.labelSets(`${ev}eventqueueprocessingtimems`).map((l) => l.quantile),
      ['0.50', '0.75', '0.95', '0.98', '0.99', '0.999'],
    );
    const p999 = after.value(`${ev}eventqueueprocessingtimems`, { quantile: '0.999' })!;
    assert.ok(p999 >= 0 && p999 <= after.value(`${ev}eventqueueprocessingtimems_sum`)!, `p99.9 ${p999}`);
    assert.equal(after.value('kafka_controller_kafkacontroller_globaltopiccount'), 0);
  });

  it('serves nothing without tributary.metrics.port', async () => {
    const plain = controllerNode('plain', {});
    await plain.start();
    try {
      assert.equal(plain.metricsUrl, null);
    } finally {
      await plain.stop();
    }
  });
});
