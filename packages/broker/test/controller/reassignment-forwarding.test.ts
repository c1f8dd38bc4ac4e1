// AlterPartitionReassignments and ListPartitionReassignments from a broker to its controller over
// the network (RemoteController -> ControllerServer over a LocalController): a reassignment started,
// listed, an error answered per partition, and cancelled, each answered as the controller answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalController, SecurityProtocol } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { ControllerServer } from '../../src/controller/controller-server.ts';
import { RemoteController } from '../../src/controller/remote-controller.ts';
import { silentLogger } from '../../src/logger.ts';
import { controllerOptions } from '../../src/metadata/controller-options.ts';

const CLUSTER_ID = 'q1ZeHqh8TQuAbLDhVyQk1w';
const dir = mkdtempSync(join(tmpdir(), 'tributary-reassign-forwarding-'));
const config = BrokerConfig.load({ settings: {} });
let local: LocalController;
let server: ControllerServer;
let remote: RemoteController;

before(async () => {
  local = await LocalController.open({ logDir: dir, controller: controllerOptions(config) });
  for (const brokerId of [1, 2, 3]) {
    const endpoints = [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19190 + brokerId, securityProtocol: SecurityProtocol.PLAINTEXT }];
    await local.registerBroker({ brokerId, incarnationId: Buffer.alloc(16, brokerId).toString('base64url'), endpoints });
    await local.unfenceBroker(brokerId);
  }
  server = new ControllerServer({
    controller: local,
    config,
    nodeId: 3000,
    clusterId: CLUSTER_ID,
    listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 0 }],
    log: silentLogger,
  });
  const [bound] = await server.start();
  remote = new RemoteController({ voters: `3000@127.0.0.1:${bound!.boundPort}`, nodeId: 1, clusterId: CLUSTER_ID, log: silentLogger });
});

after(async () => {
  await remote.close();
  await server.stop(1000);
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reassignments forwarded to the controller', () => {
  it('starts, lists, refuses and cancels a reassignment as the controller answers', async () => {
    const [created] = await remote.createTopics([{ name: 't', assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }] }]);
    assert.equal(created!.errorCode, ErrorCode.NONE);
    const started = await remote.alterPartitionReassignments([
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, replicas: [2, 3] },
          { partitionIndex: 1, replicas: [1] },
        ],
      },
    ]);
    assert.deepEqual(started, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            { partitionIndex: 1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition t:1.' },
          ],
        },
      ],
    });
    const ongoing = { name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }] };
    assert.deepEqual((await remote.listPartitionReassignments()).topics, [ongoing]);
    assert.deepEqual((await remote.listPartitionReassignments([{ name: 't', partitionIndexes: [0] }])).topics, [ongoing]);
    const cancelled = await remote.alterPartitionReassignments([{ name: 't', partitions: [{ partitionIndex: 0, replicas: null }] }]);
    assert.deepEqual(cancelled.responses, [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }]);
    assert.deepEqual((await remote.listPartitionReassignments()).topics, []);
    const p = local.image.partition('t', 0)!;
    assert.deepEqual([p.replicas, p.isr, p.addingReplicas, p.removingReplicas], [[2, 1], [1, 2], [], []]);
  });
});
