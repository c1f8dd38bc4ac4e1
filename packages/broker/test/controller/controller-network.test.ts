// The controller over the network (one voter): a ControllerServer on 127.0.0.1 over a
// LocalController in a temp dir, and three brokers as RemoteControllers with their
// BrokerLifecycleManagers. They register, heartbeat and are unfenced; a topic created through the
// wire (RF 2) reaches every broker's image within one long poll; AlterPartition round-trips; a
// broker that stops heartbeating is fenced after broker.session.timeout.ms and leaves every ISR;
// a controlled shutdown moves the broker's leaderships and ends with ShouldShutDown; client quotas
// altered through any broker reach every broker.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalController, SecurityProtocol, type MetadataImage } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { BrokerLifecycleManager } from '../../src/controller/broker-lifecycle-manager.ts';
import { ControllerServer } from '../../src/controller/controller-server.ts';
import { RemoteController } from '../../src/controller/remote-controller.ts';
import { silentLogger } from '../../src/logger.ts';
import { controllerOptions } from '../../src/metadata/controller-options.ts';

const SESSION_MS = 1500;
const HEARTBEAT_MS = 100;
const FETCH_WAIT_MS = 5000; // long: a change must arrive by the long poll's wake-up, not its timeout
const CLUSTER_ID = 'q1ZeHqh8TQuAbLDhVyQk1w';

const dir = mkdtempSync(join(tmpdir(), 'tributary-controller-'));
const config = BrokerConfig.load({
  settings: { 'broker.session.timeout.ms': String(SESSION_MS), 'broker.heartbeat.interval.ms': String(HEARTBEAT_MS) },
});
let local: LocalController;
let server: ControllerServer;
const brokers: Array<{ id: number; remote: RemoteController; lifecycle: BrokerLifecycleManager }> = [];

function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve(Date.now() - start);
      if (Date.now() - start > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

const describePartitions = (image: MetadataImage, topic: string) =>
  [...image.topic(topic)!.partitions].sort((a, b) => a[0] - b[0]).map(([p, r]) => `${p}:${r.leader}[${r.isr.join(',')}]`);

before(async () => {
  local = await LocalController.open({ logDir: dir, controller: controllerOptions(config) });
  server = new ControllerServer({
    controller: local,
    config,
    nodeId: 3000,
    clusterId: CLUSTER_ID,
    listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 0 }],
    log: silentLogger,
  });
  const [bound] = await server.start();
  const voters = `3000@127.0.0.1:${bound!.boundPort}`;
  for (const id of [1, 2, 3]) {
    const remote = new RemoteController({ voters, nodeId: id, clusterId: CLUSTER_ID, log: silentLogger, fetchMaxWaitMs: FETCH_WAIT_MS });
    const lifecycle = new BrokerLifecycleManager({
      controller: remote,
      nodeId: id,
      endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19090 + id, securityProtocol: SecurityProtocol.PLAINTEXT }],
      features: { 'metadata.version': [7, 17] }, // up to 3.7-IV2 (JBOD)
      heartbeatIntervalMs: HEARTBEAT_MS,
      log: silentLogger,
    });
    brokers.push({ id, remote, lifecycle });
  }
});

after(async () => {
  for (const b of brokers) {
    b.lifecycle.close();
    await b.remote.close();
  }
  await server.stop(1000);
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('controller over the network', () => {
  it('brokers follow the log, register, heartbeat and are unfenced', async () => {
    for (const b of brokers) await b.remote.start();
    for (const b of brokers) await b.lifecycle.start();
    for (const b of brokers) await b.lifecycle.whenUnfenced();
    assert.deepEqual(local.image.cluster.unfencedBrokerIds(), [1, 2, 3]);
    for (const b of brokers) {
      assert.equal(b.remote.image.cluster.broker(b.id)!.epoch, b.lifecycle.brokerEpoch);
      assert.equal(b.lifecycle.state, 'running');
      await waitFor(`broker ${b.id} to see every broker unfenced`, () => b.remote.image.cluster.unfencedBrokerIds().length === 3, 2000);
      assert.deepEqual(b.remote.image.cluster.broker(b.id)!.endpoints[0]!.port, 19090 + b.id);
    }
  });

  it('a topic created through the wire (RF 2) (explicit assignment) reaches every broker within one long poll', async () => {
    const seen = brokers.map((b) => {
      let at = 0;
      b.remote.subscribe((delta) => {
        if (!at && delta.topics?.changedTopics?.size) at = Date.now();
      });
      return () => at;
    });
    const start = Date.now();
    const [r] = await brokers[0]!.remote.createTopics([
      {
        name: 'orders',
        assignments: [
          { partitionIndex: 0, brokerIds: [1, 2] },
          { partitionIndex: 1, brokerIds: [2, 3] },
          { partitionIndex: 2, brokerIds: [3, 1] },
        ],
        configs: { 'retention.ms': '1000' },
      },
    ]);
    assert.equal(r!.errorCode, ErrorCode.NONE, r!.errorMessage ?? '');
    assert.deepEqual([r!.topic!.numPartitions, r!.topic!.replicationFactor, r!.topic!.configs], [3, 2, { 'retention.ms': '1000' }]);
    for (const b of brokers)
      await waitFor(`broker ${b.id} to see orders`, () => b.remote.image.topic('orders') !== undefined, FETCH_WAIT_MS);
    for (const [i, b] of brokers.entries()) {
      assert.deepEqual(describePartitions(b.remote.image, 'orders'), describePartitions(local.image, 'orders'));
      assert.ok(Date.now() - start < FETCH_WAIT_MS / 2, `broker ${b.id} learnt it by the long poll, not its timeout`);
      assert.ok(seen[i]!() === 0 || seen[i]!() - start < FETCH_WAIT_MS / 2);
    }
    assert.deepEqual(describePartitions(local.image, 'orders'), ['0:1[1,2]', '1:2[2,3]', '2:3[3,1]']);
    // errors come back as the controller answers them
    const [dup] = await brokers[1]!.remote.createTopics([{ name: 'orders', numPartitions: 1 }]);
    assert.equal(dup!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
    const [del] = await brokers[1]!.remote.deleteTopics([{ name: 'nope' }]);
    assert.equal(del!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('client quotas altered through the wire reach every broker; errors come back as the controller answers', async () => {
    const entity = [
      { entityType: 'user', entityName: 'alice' },
      { entityType: 'client-id', entityName: null },
    ];
    const [r] = await brokers[2]!.remote.alterClientQuotas([{ entity, ops: [{ key: 'producer_byte_rate', value: 4096 }] }]);
    assert.deepEqual(r, { entity, errorCode: ErrorCode.NONE, errorMessage: null });
    for (const b of brokers) {
      await waitFor(
        `broker ${b.id} to see the quota`,
        () => b.remote.image.clientQuotas.quotas({ user: 'alice', 'client-id': null }).get('producer_byte_rate') === 4096,
        FETCH_WAIT_MS,
      );
    }
    const [removed] = await brokers[0]!.remote.alterClientQuotas([{ entity, ops: [{ key: 'producer_byte_rate', value: null }] }]);
    assert.equal(removed!.errorCode, ErrorCode.NONE);
    assert.equal(local.image.clientQuotas.isEmpty, true);
    const [bad] = await brokers[0]!.remote.alterClientQuotas([{ entity, ops: [{ key: 'nope', value: 1 }] }], { validateOnly: true });
    assert.deepEqual([bad!.errorCode, bad!.errorMessage], [ErrorCode.INVALID_REQUEST, 'Invalid configuration key nope']);
  });

  it('AlterPartition over the wire: the leader shrinks its ISR, every broker sees the new partition epoch', async () => {
    const b1 = brokers[0]!;
    const topicId = local.image.topic('orders')!.topicId;
    const p0 = local.image.partition('orders', 0)!;
    const res = await b1.remote.alterPartition({
      brokerId: 1,
      brokerEpoch: b1.lifecycle.brokerEpoch,
      topics: [
        {
          topicName: '',
          topicId,
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: p0.leaderEpoch,
              partitionEpoch: p0.partitionEpoch,
              newIsr: [],
              newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: b1.lifecycle.brokerEpoch }],
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    });
    assert.deepEqual(res.topics[0]!.partitions[0], {
      partitionIndex: 0,
      errorCode: 0,
      leaderId: 1,
      leaderEpoch: p0.leaderEpoch,
      isr: [1],
      leaderRecoveryState: 0,
      partitionEpoch: p0.partitionEpoch + 1,
    });
    for (const b of brokers) await waitFor('the ISR change', () => b.remote.image.partition('orders', 0)!.isr.length === 1, 2000);
    const stale = await b1.remote.alterPartition({ ...{ brokerId: 1, brokerEpoch: 0n }, topics: [] });
    assert.equal(stale.errorCode, ErrorCode.STALE_BROKER_EPOCH);
  });

  it('a broker that stops heartbeating is fenced after broker.session.timeout.ms and leaves every ISR', async () => {
    const b3 = brokers[2]!;
    b3.lifecycle.close();
    const stoppedAt = Date.now();
    const took = await waitFor('broker 3 fenced', () => local.image.cluster.broker(3)!.fenced, SESSION_MS * 4);
    assert.ok(Date.now() - stoppedAt >= SESSION_MS - HEARTBEAT_MS, `fenced after ${took} ms, before the session timeout`);
    for (const b of brokers) {
      await waitFor(`broker ${b.id} to see 3 fenced`, () => b.remote.image.cluster.broker(3)!.fenced, 2000);
      for (const [, p] of b.remote.image.topic('orders')!.partitions) assert.ok(!p.isr.includes(3) || p.isr.length === 1);
    }
    assert.deepEqual(describePartitions(local.image, 'orders'), ['0:1[1]', '1:2[2]', '2:1[1]']);
    assert.equal(brokers[0]!.lifecycle.state, 'running'); // the others keep their sessions
  });

  it('controlled shutdown moves the broker leaderships and ends with ShouldShutDown', async () => {
    const [b1, b2] = [brokers[0]!, brokers[1]!];
    const [r] = await b1.remote.createTopics([{ name: 'moves', assignments: [{ partitionIndex: 0, brokerIds: [2, 1] }] }]);
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.deepEqual(describePartitions(local.image, 'moves'), ['0:2[2,1]']);
    await b2.lifecycle.controlledShutdown();
    assert.equal(b2.lifecycle.state, 'shut-down');
    const image = local.image;
    assert.equal(image.cluster.broker(2)!.fenced, true);
    assert.equal(image.cluster.broker(2)!.inControlledShutdown, true);
    assert.deepEqual(describePartitions(image, 'moves'), ['0:1[1]']); // moved to the in-sync follower
    assert.deepEqual(describePartitions(image, 'orders'), ['0:1[1]', '1:-1[2]', '2:1[1]']); // p1 had no one else
    for (const t of image.topics.topics()) for (const [, p] of t.partitions) assert.notEqual(p.leader, 2);
    await waitFor('broker 1 to see the shutdown', () => b1.remote.image.cluster.broker(2)!.fenced, 2000);
    assert.deepEqual(describePartitions(b1.remote.image, 'moves'), ['0:1[1]']);
    assert.equal(b1.lifecycle.state, 'running');
  });
});
