// The CONTROLLER listener with SASL: a controller-only node whose CONTROLLER listener is
// SASL_PLAINTEXT (PLAIN users from its JAAS setting) and two broker-only nodes that reach it with
// sasl.mechanism.controller.protocol=PLAIN and the username/password of the same JAAS setting
// (listener.name.controller.plain.sasl.jaas.config, as Kafka's brokers read it). The brokers log in,
// register and follow the metadata log: a topic created through a broker reaches both, and
// replicates. The controller runs the StandardAuthorizer with super.users=User:node: the brokers'
// registrations, heartbeats, metadata fetches and forwarded CreateTopics pass as that principal
// (CLUSTER_ACTION). A client with a wrong password is refused by the controller with
// SASL_AUTHENTICATION_FAILED.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '@tributary/client';
import { ErrorCode } from '@tributary/protocol';
import { Broker } from '../../../src/broker.ts';
import { BrokerConfig } from '../../../src/config/broker-config.ts';
import { ControllerNode } from '../../../src/controller-node.ts';
import { silentLogger } from '../../../src/logger.ts';

const CLUSTER_ID = 'sAslq1ZeHqh8TQuAbLDhVy';
const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="node" password="node-pw-3e81" user_node="node-pw-3e81";';

describe('the controller listener over SASL_PLAINTEXT', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-controller-sasl-'));
  let controller: ControllerNode;
  let controllerPort: number;
  const brokers: Broker[] = [];

  before(async () => {
    const env = { CLUSTER_ID };
    const sasl = {
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'sasl.mechanism.controller.protocol': 'PLAIN',
      'listener.name.controller.plain.sasl.jaas.config': JAAS,
    };
    controller = new ControllerNode(
      BrokerConfig.load({
        settings: {
          ...sasl,
          'process.roles': 'controller',
          'node.id': 3000,
          listeners: 'CONTROLLER://127.0.0.1:0',
          'log.dirs': join(dir, 'c'),
          'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          'super.users': 'User:node',
        },
        env,
      }),
      { log: silentLogger },
    );
    controllerPort = (await controller.start())[0]!.boundPort;
    for (const id of [1, 2]) {
      brokers.push(
        new Broker(
          BrokerConfig.load({
            settings: {
              ...sasl,
              'process.roles': 'broker',
              'node.id': id,
              listeners: 'PLAINTEXT://127.0.0.1:0',
              'controller.quorum.voters': `3000@127.0.0.1:${controllerPort}`,
              'log.dirs': join(dir, `broker-${id}`),
              'replica.fetch.wait.max.ms': 100,
            },
            env,
          }),
          { log: silentLogger },
        ),
      );
    }
    await Promise.all(brokers.map((b) => b.start()));
  });

  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await controller?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('brokers log in, register and follow the metadata: a replicated topic works', async () => {
    const port = brokers[0]!.listeners[0]!.boundPort;
    const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${port}`, requestTimeoutMs: 10_000 });
    try {
      const admin = kafka.admin();
      assert.deepEqual((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort(), [1, 2]);
      await admin.createTopics([
        { name: 'via-sasl-controller', partitions: 1, replicationFactor: 2, configs: { 'min.insync.replicas': '2' } },
      ]);
      const sent = await kafka.producer({ acks: 'all' }).send({ topic: 'via-sasl-controller', messages: [{ value: 'x' }, { value: 'y' }] });
      assert.deepEqual(
        sent.map((m) => m.offset),
        [0n, 1n],
      );
      const [t] = await admin.describeTopics(['via-sasl-controller']);
      assert.deepEqual([...t!.partitions[0]!.isr].sort(), [1, 2]);
    } finally {
      await kafka.close();
    }
  });

  it('the controller refuses a wrong password with SASL_AUTHENTICATION_FAILED', async () => {
    const kafka = new Kafka({
      bootstrapServers: `127.0.0.1:${controllerPort}`,
      sasl: { mechanism: 'PLAIN', username: 'node', password: 'wrong' },
      requestTimeoutMs: 5_000,
    });
    try {
      await assert.rejects(kafka.admin().describeCluster(), (err: { errorCode?: number }) => {
        assert.equal(err.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
        return true;
      });
    } finally {
      await kafka.close();
    }
  });
});
