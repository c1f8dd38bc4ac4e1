// DescribeQuorum end to end in one process: a controller-only node (ControllerNode) and a
// broker-only node following it over its CONTROLLER listener. Asked at the broker, the request is
// forwarded to the controller at the client's version and its answer returned: the controller the
// leader and only voter (HW = its log end), the broker an observer (it fetches the metadata log:
// its fetch offset and times), v2 Nodes the controller's bound listener. Asked at the controller
// listener directly, the same answer. A combined node (its own controller) answers itself, with
// no observers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BrokerConnection, Kafka } from '@tributary/client';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Broker } from '../../src/broker.ts';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { ControllerNode } from '../../src/controller-node.ts';
import { silentLogger } from '../../src/logger.ts';
import { startTestBroker } from '../helpers/test-broker.ts';

const CLUSTER_ID = 'q1ZeHqh8TQuAbLDhVyQk1w';
const REQUEST = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };
const dir = mkdtempSync(join(tmpdir(), 'tributary-describe-quorum-'));
let controller: ControllerNode;
let broker: Broker;
let brokerPort: number;
let controllerPort: number;

before(async () => {
  const env = { CLUSTER_ID };
  const common = { 'controller.listener.names': 'CONTROLLER' };
  controller = new ControllerNode(
    BrokerConfig.load({
      settings: {
        ...common,
        'process.roles': 'controller',
        'node.id': 3000,
        listeners: 'CONTROLLER://127.0.0.1:0',
        'log.dirs': join(dir, 'controller'),
      },
      env,
    }),
    { log: silentLogger },
  );
  controllerPort = (await controller.start())[0]!.boundPort;
  broker = new Broker(
    BrokerConfig.load({
      settings: {
        ...common,
        'process.roles': 'broker',
        'node.id': 1,
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'controller.quorum.voters': `3000@127.0.0.1:${controllerPort}`,
        'log.dirs': join(dir, 'broker'),
      },
      env,
    }),
    { log: silentLogger },
  );
  brokerPort = await broker.start();
});

after(async () => {
  await broker?.stop();
  await controller?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(port: number, version: number) {
  const c = new BrokerConnection({ host: '127.0.0.1', port, clientId: 'test', requestTimeoutMs: 5000 });
  try {
    return await c.request(ApiKey.DescribeQuorum, REQUEST, { version });
  } finally {
    c.close();
  }
}

describe('DescribeQuorum forwarded by a broker-only node', () => {
  it('admin.describeMetadataQuorum at the broker: the controller leads, the broker observes', async () => {
    const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${brokerPort}` });
    try {
      const q = await kafka.admin().describeMetadataQuorum();
      const end = controller.localController.nextOffset;
      assert.deepEqual([q.leaderId, q.leaderEpoch, q.highWatermark], [3000, controller.localController.leaderEpoch, end]);
      assert.deepEqual(
        q.voters.map((v) => [v.replicaId, v.logEndOffset]),
        [[3000, end]],
      );
      assert.ok(q.voters[0]!.lastFetchTimestamp! > Date.now() - 10_000);
      const [observer] = q.observers;
      assert.equal(q.observers.length, 1);
      assert.deepEqual([observer!.replicaId, observer!.logEndOffset], [1, end]); // caught up: it long-polls at the end
      assert.ok(observer!.lastFetchTimestamp! > 0 && observer!.lastCaughtUpTimestamp! > 0);
      assert.deepEqual(
        [...q.nodes.values()],
        [{ nodeId: 3000, endpoints: [{ name: 'CONTROLLER', host: '127.0.0.1', port: controllerPort }] }],
      );
    } finally {
      await kafka.close();
    }
  });

  it('forwarded at the client version: the broker and the controller listener answer alike (v0, v1, v2)', async () => {
    for (const version of [0, 1, 2]) {
      const viaBroker = await ask(brokerPort, version);
      const direct = await ask(controllerPort, version);
      for (const res of [viaBroker, direct]) {
        const p = res.topics[0]!.partitions[0]!;
        assert.deepEqual([res.errorCode, p.errorCode, p.leaderId], [ErrorCode.NONE, ErrorCode.NONE, 3000], `v${version}`);
        assert.deepEqual(
          p.observers.map((o) => o.replicaId),
          [1],
        );
        assert.equal(res.nodes.length, version >= 2 ? 1 : 0);
        assert.equal(p.currentVoters[0]!.lastFetchTimestamp > 0n, version >= 1);
      }
    }
  });

  it('ApiVersions advertises DescribeQuorum 0-2 on both listeners', async () => {
    for (const port of [brokerPort, controllerPort]) {
      const c = new BrokerConnection({ host: '127.0.0.1', port, clientId: 'test', requestTimeoutMs: 5000 });
      try {
        const res = await c.request(ApiKey.ApiVersions, { clientSoftwareName: 'test', clientSoftwareVersion: '1' }, { version: 3 });
        assert.deepEqual(
          res.apiKeys.find((k) => k.apiKey === ApiKey.DescribeQuorum),
          { apiKey: ApiKey.DescribeQuorum, minVersion: 0, maxVersion: 2 },
        );
      } finally {
        c.close();
      }
    }
  });
});

describe('DescribeQuorum on a combined node', () => {
  it('answers from its own controller: itself the leader and only voter, no observers', async () => {
    const b = await startTestBroker({ 'node.id': 5 });
    try {
      const p = (await ask(b.port, 1)).topics[0]!.partitions[0]!;
      assert.deepEqual([p.errorCode, p.leaderId, p.observers], [ErrorCode.NONE, 5, []]);
      assert.deepEqual(
        p.currentVoters.map((v) => v.replicaId),
        [5],
      );
    } finally {
      await b.stop();
    }
  });
});
