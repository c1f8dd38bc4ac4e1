// TLS interop: kcat (librdkafka), kafka-python, confluent-kafka and KafkaJS produce and consume
// exact records over an SSL listener, one-way (the client trusts the test CA) and mutual
// (ssl.client.auth=required; each client presents a certificate signed by the CA, its key
// encrypted with a password). Certificates come from the openssl CLI (packages/broker/test/helpers/test-certs.ts):
// the broker's has the SANs 127.0.0.1 and localhost, and every client checks the host name.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import kafkajsModule from 'kafkajs';
import type { TestBroker } from '@tributary/testkit';
import { createTestPki, type CertFiles, type TestPki } from '../../packages/broker/test/helpers/test-certs.ts';
import { run, runOk, runPython, startTestBroker, uniqueTopic } from './harness.ts';
import { KCAT_TIMEOUT } from './drivers.ts';
import { needTool, type Tool } from './tools.ts';

const { Kafka: KafkaJS, logLevel } = kafkajsModule;

type Mode = 'one-way' | 'mutual';
const MODES: Mode[] = ['one-way', 'mutual'];
const KEY_PASSWORD = 'client-key-pw';

let pki: TestPki;
let client: CertFiles;

before(() => {
  pki = createTestPki();
  client = pki.issue('interop-client', '/O=Tributary/CN=interop', { password: KEY_PASSWORD });
});
after(() => pki.cleanup());

async function tlsBroker(t: TestContext, mode: Mode, tool?: Tool): Promise<TestBroker | null> {
  if (tool && !needTool(t, tool)) return null;
  const kafka = await startTestBroker({
    settings: {
      listeners: 'SSL://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL',
      'inter.broker.listener.name': 'SSL',
      'ssl.keystore.location': pki.server.keystore,
      'ssl.truststore.location': pki.ca.cert,
      'ssl.client.auth': mode === 'mutual' ? 'required' : 'none',
      'group.initial.rebalance.delay.ms': 0,
    },
  });
  t.after(() => kafka.stop());
  return kafka;
}

/** Creates the topic through our client over TLS (the test's own wire client speaks plaintext). */
async function tlsTopic(kafka: TestBroker, prefix: string): Promise<string> {
  const topic = uniqueTopic(prefix);
  const { Kafka } = await import('@tributary/client');
  const k = new Kafka({
    bootstrapServers: kafka.bootstrap,
    tls: { ca: readFileSync(pki.ca.cert), key: readFileSync(client.key), cert: readFileSync(client.cert), passphrase: KEY_PASSWORD },
  });
  try {
    await k.admin().createTopics([{ name: topic, partitions: 1 }]);
  } finally {
    await k.close();
  }
  return topic;
}

const records = (tag: string) => Array.from({ length: 5 }, (_, i) => ({ key: `${tag}-k${i}`, value: `${tag}-value-${i}` }));
const expected = (tag: string) => records(tag).map((r, i) => ({ ...r, offset: i }));

describe('TLS interop', { timeout: 90_000 }, () => {
  for (const mode of MODES) {
    it(`kcat (librdkafka) produces and consumes over ${mode} TLS`, async (t) => {
      const kafka = await tlsBroker(t, mode, 'kcat');
      if (!kafka) return;
      const topic = await tlsTopic(kafka, 'kcat-tls');
      const x = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${pki.ca.cert}`];
      if (mode === 'mutual')
        x.push(
          '-X',
          `ssl.certificate.location=${client.cert}`,
          '-X',
          `ssl.key.location=${client.key}`,
          '-X',
          `ssl.key.password=${KEY_PASSWORD}`,
        );
      const input = records('kcat')
        .map((r) => `${r.key}|${r.value}\n`)
        .join('');
      await runOk('kcat', ['-P', '-b', kafka.bootstrap, '-t', topic, '-p', '0', '-K', '|', ...x], { input, timeoutMs: KCAT_TIMEOUT });
      const out = await runOk('kcat', ['-C', '-b', kafka.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-J', ...x], {
        timeoutMs: KCAT_TIMEOUT,
      });
      const got = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; payload: string; offset: number })
        .map((m) => ({ key: m.key, value: m.payload, offset: m.offset }));
      assert.deepEqual(got, expected('kcat'));
      if (mode === 'mutual') {
        // without its certificate, kcat gets no metadata
        const refused = await run(
          'kcat',
          ['-L', '-b', kafka.bootstrap, '-m', '3', '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${pki.ca.cert}`],
          {
            timeoutMs: KCAT_TIMEOUT,
          },
        );
        assert.notEqual(refused.code, 0, refused.stdout);
        assert.doesNotMatch(refused.stdout, /interop-tls|kcat-tls/);
      }
    });

    for (const tool of ['kafka-python', 'confluent-kafka'] as const) {
      it(`${tool} produces and consumes over ${mode} TLS`, async (t) => {
        const kafka = await tlsBroker(t, mode, tool);
        if (!kafka) return;
        const topic = await tlsTopic(kafka, `${tool}-tls`);
        const ssl =
          mode === 'mutual' ? { ca: pki.ca.cert, cert: client.cert, key: client.key, password: KEY_PASSWORD } : { ca: pki.ca.cert };
        const res = await runPython<{ offsets: number[]; consumed: unknown[] }>('tls_driver.py', {
          client: tool,
          bootstrap: kafka.bootstrap,
          topic,
          records: records(tool),
          ssl,
        });
        assert.deepEqual(res.offsets, [0, 1, 2, 3, 4]);
        assert.deepEqual(res.consumed, expected(tool));
      });
    }

    it(`KafkaJS produces and consumes (consumer group) over ${mode} TLS`, async (t) => {
      const kafka = await tlsBroker(t, mode);
      if (!kafka) return;
      const topic = await tlsTopic(kafka, 'kafkajs-tls');
      const ssl =
        mode === 'mutual'
          ? { ca: [readFileSync(pki.ca.cert)], key: readFileSync(client.key), cert: readFileSync(client.cert), passphrase: KEY_PASSWORD }
          : { ca: [readFileSync(pki.ca.cert)] };
      const kjs = new KafkaJS({ clientId: 'interop-kafkajs-tls', brokers: [kafka.bootstrap], ssl, logLevel: logLevel.NOTHING });
      const producer = kjs.producer();
      await producer.connect();
      const sent = await producer.send({ topic, acks: -1, messages: records('kjs').map((r) => ({ ...r, partition: 0 })) });
      assert.equal(sent[0]!.baseOffset, '0');
      await producer.disconnect();
      const consumer = kjs.consumer({ groupId: `g-${topic}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: Array<{ key: string; value: string; offset: number }> = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`KafkaJS consumed ${got.length} of 5`)), 30_000);
        consumer
          .run({
            eachMessage: async ({ message }) => {
              got.push({ key: message.key!.toString(), value: message.value!.toString(), offset: Number(message.offset) });
              if (got.length === 5) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      assert.deepEqual(got, expected('kjs'));
    });
  }
});
