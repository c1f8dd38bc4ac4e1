// ElectLeaders and UnregisterBroker forwarded over the network: brokers' RemoteControllers send
// them to a ControllerServer (one voter, a LocalController), which elects or unregisters; the
// answers come back in LocalController's shapes and every broker's image follows.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ElectionType, LocalController, SecurityProtocol } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { BrokerLifecycleManager } from '../../src/controller/broker-lifecycle-manager.ts';
import { ControllerServer } from '../../src/controller/controller-server.ts';
import { RemoteController } from '../../src/controller/remote-controller.ts';
import { silentLogger } from '../../src/logger.ts';
import { controllerOptions } from '../../src/metadata/controller-options.ts';

const CLUSTER_ID = 'q1ZeHqh8TQuAbLDhVyQk1w';
const HEARTBEAT_MS = 100;
const dir = mkdtempSync(join(tmpdir(), 'tributary-elect-'));
const config = BrokerConfig.load({ settings: { 'broker.heartbeat.interval.ms': String(HEARTBEAT_MS) } });
let local: LocalController;
let server: ControllerServer;
const brokers: Array<{ id: number; remote: RemoteController; lifecycle: BrokerLifecycleManager }> = [];

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

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
  for (const id of [1, 2, 3]) {
    const remote = new RemoteController({
      voters: `3000@127.0.0.1:${bound!.boundPort}`,
      nodeId: id,
      clusterId: CLUSTER_ID,
      log: silentLogger,
    });
    const lifecycle = new BrokerLifecycleManager({
      controller: remote,
      nodeId: id,
      endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19190 + id, securityProtocol: SecurityProtocol.PLAINTEXT }],
      features: { 'metadata.version': [7, 17] }, // up to 3.7-IV2 (JBOD)
      heartbeatIntervalMs: HEARTBEAT_MS,
      log: silentLogger,
    });
    brokers.push({ id, remote, lifecycle });
    await remote.start();
    await lifecycle.start();
  }
  for (const b of brokers) await b.lifecycle.whenUnfenced();
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

describe('leader elections and unregistration forwarded to the controller', () => {
  it('ElectLeaders: a PREFERRED election through a broker moves the leader back; every broker sees it', async () => {
    const [created] = await local.createTopics([
      {
        name: 'orders',
        assignments: [
          { partitionIndex: 0, brokerIds: [1, 2, 3] },
          { partitionIndex: 1, brokerIds: [2, 3, 1] },
        ],
      },
    ]);
    assert.equal(created!.errorCode, ErrorCode.NONE);
    await local.changePartition({ topic: 'orders', partition: 0, leader: 2 });
    const r = await brokers[2]!.remote.electLeaders({
      electionType: ElectionType.PREFERRED,
      topicPartitions: [{ topic: 'orders', partitions: [0, 1] }],
    });
    assert.deepEqual(r, {
      errorCode: ErrorCode.NONE,
      replicaElectionResults: [
        {
          topic: 'orders',
          partitionResult: [
            { partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null },
            { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
          ],
        },
      ],
    });
    assert.equal(local.image.topic('orders')!.partitions.get(0)!.leader, 1);
    for (const b of brokers)
      await waitFor(`broker ${b.id} to see leader 1`, () => b.remote.image.topic('orders')?.partitions.get(0)?.leader === 1);
    const unclean = await brokers[0]!.remote.electLeaders({
      electionType: ElectionType.UNCLEAN,
      topicPartitions: [{ topic: 'orders', partitions: [1] }],
    });
    assert.equal(unclean.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
  });

  it('UnregisterBroker: an unknown id is BROKER_ID_NOT_REGISTERED; a registered broker is removed', async () => {
    assert.deepEqual(await brokers[1]!.remote.unregisterBroker(9), {
      errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
      errorMessage: 'Broker 9 is not registered.',
    });
    const reg = await local.registerBroker({ brokerId: 4, incarnationId: 'BAQEBAQEBAQEBAQEBAQEBA', endpoints: [] });
    assert.equal(reg.errorCode, ErrorCode.NONE);
    assert.deepEqual(await brokers[1]!.remote.unregisterBroker(4), { errorCode: ErrorCode.NONE, errorMessage: null });
    assert.equal(local.image.cluster.broker(4), undefined);
    assert.deepEqual(local.image.cluster.brokerIds(), [1, 2, 3]);
  });
});
