// Brokers talking to each other over TLS: a controller-only node whose CONTROLLER listener is SSL
// and three broker-only nodes with inter.broker.listener.name on an SSL listener, every listener
// with ssl.client.auth=required. The brokers register and heartbeat over TLS (the controller
// channel and the metadata log fetch), and a topic with replication factor 3 and
// min.insync.replicas=3 takes acks=all writes: the followers replicate over TLS, presenting the
// broker's own certificate, whose subject the leader's Authorizer sees as the principal.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '@tributary/client';
import { Broker } from '../../../src/broker.ts';
import { BrokerConfig } from '../../../src/config/broker-config.ts';
import { ControllerNode } from '../../../src/controller-node.ts';
import { silentLogger } from '../../../src/logger.ts';
import type { Authorizer } from '../../../src/server/authorizer.ts';
import { createTestPki, type TestPki } from '../../helpers/test-certs.ts';

const CLUSTER_ID = 'tLsq1ZeHqh8TQuAbLDhVyQ';
const BROKER_SUBJECT = 'User:CN=localhost,O=Tributary,C=US';

describe('inter-broker and controller listeners over TLS', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-tls-cluster-'));
  let pki: TestPki;
  let controller: ControllerNode;
  const brokers: Broker[] = [];
  const seen = new Map<number, Set<string>>();

  before(async () => {
    pki = createTestPki();
    const env = { CLUSTER_ID };
    const ssl = {
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SSL,CONTROLLER:SSL',
      'ssl.keystore.location': pki.server.keystore,
      'ssl.truststore.location': pki.ca.cert,
      'ssl.client.auth': 'required',
    };
    controller = new ControllerNode(
      BrokerConfig.load({
        settings: {
          ...ssl,
          'process.roles': 'controller',
          'node.id': 3000,
          listeners: 'CONTROLLER://127.0.0.1:0',
          'log.dirs': join(dir, 'controller'),
        },
        env,
      }),
      { log: silentLogger },
    );
    const controllerPort = (await controller.start())[0]!.boundPort;
    for (const id of [1, 2, 3]) {
      const principals = new Set<string>();
      seen.set(id, principals);
      const authorizer: Authorizer = {
        authorize(r) {
          principals.add(`${r.connection.listenerName} ${r.connection.principal.type}:${r.connection.principal.name}`);
          return true;
        },
      };
      const broker = new Broker(
        BrokerConfig.load({
          settings: {
            ...ssl,
            'process.roles': 'broker',
            'node.id': id,
            listeners: 'PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0',
            'inter.broker.listener.name': 'INTERNAL',
            'controller.quorum.voters': `3000@127.0.0.1:${controllerPort}`,
            'log.dirs': join(dir, `broker-${id}`),
            'replica.fetch.wait.max.ms': 100,
          },
          env,
        }),
        { log: silentLogger, authorizer },
      );
      brokers.push(broker);
    }
    await Promise.all(brokers.map((b) => b.start()));
  });

  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await controller?.stop();
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers every broker and replicates acks=all writes to all three', async () => {
    const port = brokers[0]!.listeners.find((l) => l.name === 'PLAINTEXT')!.boundPort;
    const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${port}`, requestTimeoutMs: 10_000 });
    try {
      const admin = kafka.admin();
      const cluster = await admin.describeCluster();
      assert.deepEqual(cluster.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
      await admin.createTopics([{ name: 'replicated', partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '3' } }]);
      const producer = kafka.producer({ acks: 'all' });
      const sent = await producer.send({ topic: 'replicated', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      assert.deepEqual(
        sent.map((m) => m.offset),
        [0n, 1n, 2n],
      );
      const [t] = await admin.describeTopics(['replicated']);
      const p = t!.partitions[0]!;
      assert.deepEqual([...p.isr].sort(), [1, 2, 3]);
      // Followers fetch from the leader's INTERNAL endpoint, which takes only TLS clients with a
      // certificate of the CA; the leader authorizes their fetches (CLUSTER_ACTION) as the
      // brokers' certificate subject, and nothing arrives on INTERNAL as anyone else.
      const leaderSaw = [...seen.get(p.leader)!];
      assert.ok(leaderSaw.includes(`INTERNAL ${BROKER_SUBJECT}`), leaderSaw.join('; '));
      for (const [id, saw] of seen)
        for (const s of saw) if (s.startsWith('INTERNAL ')) assert.equal(s, `INTERNAL ${BROKER_SUBJECT}`, `broker ${id}`);
    } finally {
      await kafka.close();
    }
  });
});
