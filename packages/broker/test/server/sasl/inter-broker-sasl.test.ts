// Brokers replicating over a SASL_PLAINTEXT inter-broker listener: three brokers whose only
// listener is SASL_PLAINTEXT (PLAIN users from the JAAS setting, the broker logging in with its
// username/password, sasl.mechanism.inter.broker.protocol=PLAIN). The high watermark of a
// replication-factor-3 partition advances only when both followers fetch, so consuming the
// records produced shows the followers authenticated. Also: a SASL inter-broker listener whose
// JAAS setting lacks the broker's username/password is refused at start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalController } from '@tributary/metadata';
import { Kafka } from '@tributary/client';
import { Broker } from '../../../src/broker.ts';
import { BrokerConfig } from '../../../src/config/broker-config.ts';
import { controllerOptions } from '../../../src/index.ts';
import { silentLogger } from '../../../src/logger.ts';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-pw" user_broker="broker-pw" user_alice="alice-pw";';

const settings = (nodeId: number, dir: string, port = 0) => ({
  'node.id': nodeId,
  listeners: `SASL_PLAINTEXT://127.0.0.1:${port}`,
  'log.dirs': join(dir, `broker-${nodeId}`),
  'sasl.enabled.mechanisms': 'PLAIN',
  'sasl.mechanism.inter.broker.protocol': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
  'offsets.topic.replication.factor': 3,
  'default.replication.factor': 3,
  'num.partitions': 1,
});

describe('a SASL_PLAINTEXT inter-broker listener', () => {
  let dir: string;
  let controller: LocalController;
  const brokers: Broker[] = [];
  const ports: number[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-sasl-cluster-'));
    await mkdir(join(dir, 'controller'));
    controller = await LocalController.open({
      logDir: join(dir, 'controller'),
      controller: controllerOptions(BrokerConfig.load({ settings: settings(1, dir) })),
    });
    for (const id of [1, 2, 3]) {
      const b = new Broker(BrokerConfig.load({ settings: settings(id, dir) }), { log: silentLogger, controller, shutdownTimeoutMs: 5_000 });
      ports.push(await b.start());
      brokers.push(b);
    }
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await controller.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('followers authenticate and replicate: records of a replication-factor-3 partition become readable', async () => {
    const kafka = new Kafka({
      bootstrapServers: ports.map((p) => `127.0.0.1:${p}`),
      sasl: { mechanism: 'PLAIN', username: 'alice', password: 'alice-pw' },
    });
    try {
      await kafka.admin().createTopics([{ name: 'replicated', partitions: 1, replicationFactor: 3 }]);
      await kafka.producer({ acks: 1 }).send({ topic: 'replicated', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([{ topic: 'replicated', partition: 0 }]);
      const got: string[] = [];
      for await (const m of consumer) {
        got.push(m.value!.toString());
        if (got.length === 3) break;
      }
      assert.deepEqual(got, ['a', 'b', 'c']);
      assert.deepEqual([...controller.image.partition('replicated', 0)!.isr].sort(), [1, 2, 3]);
    } finally {
      await kafka.close();
    }
  });

  it("a JAAS setting without the broker's username and password is refused at start", async () => {
    const bad = {
      ...settings(4, dir),
      'listener.name.sasl_plaintext.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw";',
    };
    const b = new Broker(BrokerConfig.load({ settings: bad }), { log: silentLogger, controller });
    await assert.rejects(b.start(), /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config must give username and password/);
    await b.stop().catch(() => {});
  });
});
