// SASL_SSL: SASL inside TLS, the setting production clusters use. A broker with a SASL_SSL listener
// (the test CA's server certificate, SANs 127.0.0.1 and localhost) and SCRAM-SHA-512 plus PLAIN;
// kcat, confluent-kafka, kafka-python (SaslHandshake v0 inside TLS), KafkaJS and our client each
// check the host name against the CA, log in, and produce and consume exact records; a wrong
// password over TLS is refused with SASL_AUTHENTICATION_FAILED; a plaintext request on the TLS port
// is not answered (the connection is closed), and the broker goes on serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import kafkajsModule from 'kafkajs';
import { Kafka } from '@tributary/client';
import { ApiKey, ErrorCode, encodeRequestFrame } from '@tributary/protocol';
import type { TestBroker } from '@tributary/testkit';
import { createTestPki, type TestPki } from '../../packages/broker/test/helpers/test-certs.ts';
import { runOk, runPython, startTestBroker, uniqueTopic } from './harness.ts';
import { needTool } from './tools.ts';

const { Kafka: KafkaJS, logLevel } = kafkajsModule;

const USER = 'carol';
const PW = 'scram512-ssl-pw-61b9';
const ADMIN_PW = 'admin-ssl-pw-0f2d';
const N = 6;
const records = (tag: string) => Array.from({ length: N }, (_, i) => ({ key: `${tag}-k${i}`, value: `${tag}-v${i}` }));
const expected = (tag: string) => records(tag).map((r, i) => ({ offset: i, ...r }));

describe('SASL_SSL with third-party clients', { timeout: 180_000 }, () => {
  let pki: TestPki;
  let broker: TestBroker;
  let bootstrap: string;
  let ca: Buffer;
  const ours = (password = PW) =>
    new Kafka({ bootstrapServers: bootstrap, tls: { ca }, sasl: { mechanism: 'SCRAM-SHA-512', username: USER, password } });

  before(async () => {
    pki = createTestPki();
    ca = readFileSync(pki.ca.cert);
    broker = await startTestBroker({
      settings: {
        listeners: 'SASL_SSL://127.0.0.1:0',
        'listener.security.protocol.map': 'SASL_SSL:SASL_SSL',
        'inter.broker.listener.name': 'SASL_SSL',
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'ssl.keystore.location': pki.server.keystore,
        'ssl.truststore.location': pki.ca.cert,
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
        'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${ADMIN_PW}" user_admin="${ADMIN_PW}";`,
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    bootstrap = broker.bootstrap;
    const admin = new Kafka({
      bootstrapServers: bootstrap,
      tls: { ca },
      sasl: { mechanism: 'PLAIN', username: 'admin', password: ADMIN_PW },
    });
    try {
      await admin.admin().alterUserScramCredentials([{ type: 'upsert', user: USER, mechanism: 'SCRAM-SHA-512', password: PW }]);
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    await broker?.stop();
    pki?.cleanup();
  });

  it('kcat produces and consumes', async (t) => {
    if (!needTool(t, 'kcat')) return;
    const topic = uniqueTopic('kcat-sasl-ssl');
    const x = [
      '-b',
      bootstrap,
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      `ssl.ca.location=${pki.ca.cert}`,
      '-X',
      'sasl.mechanisms=SCRAM-SHA-512',
      '-X',
      `sasl.username=${USER}`,
      '-X',
      `sasl.password=${PW}`,
    ];
    await runOk('kcat', ['-P', ...x, '-t', topic, '-p', '0', '-K', '|'], {
      input: records('kcat')
        .map((r) => `${r.key}|${r.value}\n`)
        .join(''),
      timeoutMs: 20_000,
    });
    const out = await runOk('kcat', ['-C', ...x, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-J', '-q'], { timeoutMs: 20_000 });
    const got = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { offset: number; key: string; payload: string })
      .map((m) => ({ offset: m.offset, key: m.key, value: m.payload }));
    assert.deepEqual(got, expected('kcat'));
  });

  for (const client of ['kafka-python', 'confluent'] as const) {
    it(`${client} produces and consumes`, async (t) => {
      if (!needTool(t, client === 'confluent' ? 'confluent-kafka' : 'kafka-python')) return;
      const res = await runPython<{ offsets?: number[]; consumed?: unknown[]; error?: string }>(
        'sasl_driver.py',
        {
          client,
          op: 'roundtrip',
          bootstrap,
          cafile: pki.ca.cert,
          topic: uniqueTopic(`${client}-sasl-ssl`),
          mechanism: 'SCRAM-SHA-512',
          username: USER,
          password: PW,
          records: records(client),
        },
        60_000,
      );
      assert.equal(res.error, undefined);
      assert.deepEqual(res.offsets, [...Array(N).keys()]);
      assert.deepEqual(res.consumed, expected(client));
    });
  }

  it('KafkaJS produces and consumes', async () => {
    const topic = uniqueTopic('kafkajs-sasl-ssl');
    const kafka = new KafkaJS({
      clientId: 'interop-kafkajs-sasl-ssl',
      brokers: [bootstrap],
      ssl: { ca: [ca] },
      sasl: { mechanism: 'scram-sha-512', username: USER, password: PW },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: records('kafkajs').map((r) => ({ ...r, partition: 0 })) });
    } finally {
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: uniqueTopic('kafkajs-sasl-ssl-group') });
    await consumer.connect();
    const got: Array<{ offset: number; key: string; value: string }> = [];
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              got.push({ offset: Number(message.offset), key: message.key!.toString(), value: message.value!.toString() });
              if (got.length === N) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(got, expected('kafkajs'));
  });

  it('our client produces and consumes; a wrong password is SASL_AUTHENTICATION_FAILED', async () => {
    const topic = uniqueTopic('ours-sasl-ssl');
    const kafka = ours();
    try {
      await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
      const producer = kafka.producer();
      await producer.send({ topic, messages: records('ours').map((r) => ({ ...r, partition: 0 })) });
      const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([{ topic, partition: 0 }]);
      const got: Array<{ offset: number; key: string; value: string }> = [];
      for await (const m of consumer) {
        got.push({ offset: Number(m.offset), key: String(m.key), value: String(m.value) });
        if (got.length === N) break;
      }
      await consumer.close();
      assert.deepEqual(got, expected('ours'));
    } finally {
      await kafka.close();
    }
    const wrong = ours('not-the-password');
    try {
      await assert.rejects(wrong.admin().listTopics(), (err: { errorCode?: number }) => {
        assert.equal(err.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
        return true;
      });
    } finally {
      await wrong.close();
    }
  });

  it('a plaintext request on the TLS port is not answered: the connection is closed, and the broker goes on', async () => {
    const [host, port] = bootstrap.split(':') as [string, string];
    const frame = encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'plain' }, {
      clientSoftwareName: 'x',
      clientSoftwareVersion: '1',
    } as never);
    const received = await new Promise<number>((resolve, reject) => {
      const socket = net.connect(Number(port), host, () => socket.write(frame));
      let bytes = 0;
      socket.on('data', (d) => (bytes += d.length));
      socket.on('error', () => {}); // a reset is as good as a close
      socket.on('close', () => resolve(bytes));
      socket.setTimeout(10_000, () => reject(new Error('the broker kept a plaintext connection open on its TLS port')));
    });
    // no Kafka response: at most a TLS alert (a few bytes), never a size-prefixed ApiVersions answer
    assert.ok(received < 16, `${received} bytes came back`);
    const kafka = ours();
    try {
      assert.ok(Array.isArray(await kafka.admin().listTopics()));
    } finally {
      await kafka.close();
    }
  });
});
