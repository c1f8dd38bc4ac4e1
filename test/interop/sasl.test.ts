// SASL over SASL_PLAINTEXT with third-party clients: kcat and confluent-kafka (librdkafka:
// SaslHandshake v1 + SaslAuthenticate), kafka-python 2.0.2 (SaslHandshake v0 + bare tokens),
// KafkaJS and our client each produce and consume exact records with PLAIN (users from the
// listener's JAAS setting) and both SCRAMs (users created through AlterUserScramCredentials on the
// PLAINTEXT listener); wrong passwords are refused (SASL_AUTHENTICATION_FAILED with Kafka's
// message where the protocol can carry it); 1,000 failed logins in a loop while a good client
// keeps producing; no password ever reaches the broker's log (captured at debug level).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import kafkajsModule from 'kafkajs';
import { Kafka } from '@tributary/client';
import { ApiKey, ErrorCode, decodeResponseFrame, encodeRequestFrame } from '@tributary/protocol';
import type { Logger } from '@tributary/broker';
import { run, runOk, runPython, startTestBroker, uniqueTopic } from './harness.ts';
import { needTool } from './tools.ts';
import type { TestBroker } from '@tributary/testkit';

const { Kafka: KafkaJS, logLevel } = kafkajsModule;

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
type Mechanism = (typeof MECHANISMS)[number];
const USER = 'alice';
const PASSWORDS: Record<Mechanism, string> = {
  PLAIN: 'plain-pw-7f3a',
  'SCRAM-SHA-256': 'scram256-pw-91c2',
  'SCRAM-SHA-512': 'scram512-pw-4d8e',
};
const WRONG = 'wrong-pw-0b6d';
const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
const PLAIN_JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-pw-5e1f" user_admin="admin-pw-5e1f" user_${USER}="${PASSWORDS.PLAIN}";`;
const N = 10;

const lines: string[] = [];
const capture = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
  lines.push(
    `${level} ${msg} ${JSON.stringify(fields ?? {}, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Error ? v.message : v))}`,
  );
const log: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };

const records = (tag: string) => Array.from({ length: N }, (_, i) => ({ key: `${tag}-k${i}`, value: `${tag}-v${i}` }));
const expected = (tag: string) => records(tag).map((r, i) => ({ offset: i, ...r }));

describe('SASL_PLAINTEXT with third-party clients', { timeout: 300_000 }, () => {
  let broker: TestBroker;
  let sasl: string;

  before(async () => {
    broker = await startTestBroker({
      log,
      settings: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': MECHANISMS.join(','),
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': SCRAM_JAAS,
        'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': SCRAM_JAAS,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    sasl = `127.0.0.1:${broker.broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.boundPort}`;
    const admin = new Kafka({ bootstrapServers: broker.bootstrap });
    await admin.admin().alterUserScramCredentials([
      { type: 'upsert', user: USER, mechanism: 'SCRAM-SHA-256', password: PASSWORDS['SCRAM-SHA-256'] },
      { type: 'upsert', user: USER, mechanism: 'SCRAM-SHA-512', password: PASSWORDS['SCRAM-SHA-512'], iterations: 8192 },
    ]);
    await admin.close();
  });
  after(() => broker.stop());

  const kcatSasl = (m: Mechanism, password = PASSWORDS[m]) => [
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    `sasl.mechanisms=${m}`,
    '-X',
    `sasl.username=${USER}`,
    '-X',
    `sasl.password=${password}`,
  ];

  for (const m of MECHANISMS) {
    it(`kcat produces and consumes over ${m}`, async (t) => {
      if (!needTool(t, 'kcat')) return;
      const topic = uniqueTopic(`kcat-${m.toLowerCase()}`);
      const recs = records('kcat');
      await runOk('kcat', ['-P', '-b', sasl, ...kcatSasl(m), '-t', topic, '-p', '0', '-K', '|'], {
        input: recs.map((r) => `${r.key}|${r.value}\n`).join(''),
        timeoutMs: 20_000,
      });
      const out = await runOk('kcat', ['-C', '-b', sasl, ...kcatSasl(m), '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-J', '-q'], {
        timeoutMs: 20_000,
      });
      const got = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { offset: number; key: string; payload: string })
        .map((x) => ({ offset: x.offset, key: x.key, value: x.payload }));
      assert.deepEqual(got, expected('kcat'));
    });

    for (const client of ['kafka-python', 'confluent'] as const) {
      it(`${client} produces and consumes over ${m}`, async (t) => {
        if (!needTool(t, client === 'confluent' ? 'confluent-kafka' : 'kafka-python')) return;
        const topic = uniqueTopic(`${client}-${m.toLowerCase()}`);
        const res = await runPython<{ offsets?: number[]; consumed?: unknown[]; error?: string }>(
          'sasl_driver.py',
          {
            client,
            op: 'roundtrip',
            bootstrap: sasl,
            topic,
            mechanism: m,
            username: USER,
            password: PASSWORDS[m],
            records: records(client),
          },
          60_000,
        );
        assert.equal(res.error, undefined);
        assert.deepEqual(res.offsets, [...Array(N).keys()]);
        assert.deepEqual(res.consumed, expected(client));
      });
    }

    it(`KafkaJS produces and consumes over ${m}`, async () => {
      const topic = uniqueTopic(`kafkajs-${m.toLowerCase()}`);
      const kafka = new KafkaJS({
        clientId: 'interop-kafkajs-sasl',
        brokers: [sasl],
        logLevel: logLevel.NOTHING,
        sasl: { mechanism: m.toLowerCase() as 'plain', username: USER, password: PASSWORDS[m] },
        retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 500 },
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: records('kafkajs').map((r) => ({ ...r, partition: 0 })) });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: uniqueTopic('kafkajs-sasl-group') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: Array<{ offset: number; key: string; value: string }> = [];
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
      await consumer.disconnect();
      assert.deepEqual(got, expected('kafkajs'));
    });

    it(`our client produces and consumes over ${m}`, async () => {
      const topic = uniqueTopic(`tributary-${m.toLowerCase()}`);
      const kafka = new Kafka({ bootstrapServers: sasl, sasl: { mechanism: m, username: USER, password: PASSWORDS[m] } });
      try {
        await kafka.producer().send({ topic, messages: records('ours').map((r) => ({ ...r, partition: 0 })) });
        const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
        consumer.assign([{ topic, partition: 0 }]);
        const got: Array<{ offset: number; key: string; value: string }> = [];
        for await (const msg of consumer) {
          got.push({ offset: Number(msg.offset), key: msg.key!.toString(), value: msg.value!.toString() });
          if (got.length === N) break;
        }
        assert.deepEqual(got, expected('ours'));
      } finally {
        await kafka.close();
      }
    });
  }

  describe('wrong passwords are refused', () => {
    const FAILED = {
      PLAIN: /Authentication failed: Invalid username or password/,
      'SCRAM-SHA-256': /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/,
      'SCRAM-SHA-512': /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
    };
    for (const m of MECHANISMS) {
      it(`over ${m}: kcat, confluent-kafka, kafka-python, KafkaJS and our client`, async (t) => {
        const ours = new Kafka({ bootstrapServers: sasl, sasl: { mechanism: m, username: USER, password: WRONG } });
        await assert.rejects(ours.admin().listTopics(), (err: Error & { type?: string }) => {
          assert.equal(err.type, 'SASL_AUTHENTICATION_FAILED');
          assert.match(err.message, FAILED[m]);
          return true;
        });
        await ours.close();

        const js = new KafkaJS({
          brokers: [sasl],
          logLevel: logLevel.NOTHING,
          sasl: { mechanism: m.toLowerCase() as 'plain', username: USER, password: WRONG },
          retry: { retries: 0 },
        });
        const admin = js.admin();
        await assert.rejects(admin.connect(), (err: Error) => {
          assert.equal(err.name, 'KafkaJSSASLAuthenticationError');
          assert.match(err.message, FAILED[m]);
          return true;
        });

        if (needTool(t, 'kcat')) {
          const r = await run('kcat', ['-L', '-b', sasl, ...kcatSasl(m, WRONG), '-m', '5'], { timeoutMs: 20_000 });
          assert.notEqual(r.code, 0);
          assert.match(r.stderr, FAILED[m]);
        }
        if (needTool(t, 'confluent-kafka')) {
          const res = await runPython<{ error?: string }>(
            'sasl_driver.py',
            {
              client: 'confluent',
              op: 'roundtrip',
              bootstrap: sasl,
              topic: 'never',
              mechanism: m,
              username: USER,
              password: WRONG,
              records: [{ key: 'k', value: 'v' }],
            },
            60_000,
          );
          assert.match(res.error ?? '', FAILED[m]);
        }
        if (needTool(t, 'kafka-python')) {
          // the legacy flow (SaslHandshake v0 + bare tokens) has no way to carry the error: the broker closes
          const res = await runPython<{ error?: string }>(
            'sasl_driver.py',
            {
              client: 'kafka-python',
              op: 'roundtrip',
              bootstrap: sasl,
              topic: 'never',
              mechanism: m,
              username: USER,
              password: WRONG,
              records: [{ key: 'k', value: 'v' }],
            },
            60_000,
          );
          assert.match(res.error ?? '', /NoBrokersAvailable|Authentication|Connection/);
        }
      });
    }
  });

  it('1,000 failed logins in a loop (50 at a time) while a SCRAM client keeps producing; the broker serves on', async () => {
    const before = lines.filter((l) => l.startsWith('info failed authentication')).length;
    const good = new Kafka({
      bootstrapServers: sasl,
      sasl: { mechanism: 'SCRAM-SHA-512', username: USER, password: PASSWORDS['SCRAM-SHA-512'] },
    });
    const topic = uniqueTopic('busy');
    const producer = good.producer();
    let stop = false;
    let acked = 0;
    const producing = (async () => {
      while (!stop) {
        await producer.send({ topic, messages: [{ value: `m${acked}`, partition: 0 }] });
        acked++;
      }
    })();
    let correlationId = 1;
    // One failed login on a raw socket: PLAIN with a wrong password (odd i), or SCRAM-SHA-256 whose
    // client-final carries a bogus proof (even i). Resolves with the SaslAuthenticate error code.
    const failOnce = (i: number) =>
      new Promise<number>((resolve, reject) => {
        const [host, port] = sasl.split(':');
        const s = net.connect({ host, port: Number(port) });
        const scram = i % 2 === 0;
        const send = (apiKey: typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate, body: object) =>
          s.write(
            encodeRequestFrame(
              { apiKey, apiVersion: apiKey === ApiKey.SaslHandshake ? 1 : 2, correlationId: correlationId++, clientId: 'flood' },
              body as never,
            ),
          );
        let buf = Buffer.alloc(0);
        let answers = 0;
        let code = -1;
        s.on('connect', () => send(ApiKey.SaslHandshake, { mechanism: scram ? 'SCRAM-SHA-256' : 'PLAIN' }));
        s.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
            const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
            buf = buf.subarray(4 + frame.length);
            answers++;
            if (answers === 1) {
              send(ApiKey.SaslAuthenticate, { authBytes: Buffer.from(scram ? `n,,n=${USER},r=flood${i}` : `\u0000${USER}\u0000${WRONG}`) });
              continue;
            }
            const auth = decodeResponseFrame(ApiKey.SaslAuthenticate, 2, frame).body;
            if (scram && answers === 2 && auth.errorCode === ErrorCode.NONE) {
              const nonce = /r=([^,]+)/.exec(auth.authBytes.toString())![1];
              send(ApiKey.SaslAuthenticate, { authBytes: Buffer.from(`c=biws,r=${nonce},p=${Buffer.alloc(32).toString('base64')}`) });
            } else {
              code = auth.errorCode;
            }
          }
        });
        s.on('error', reject);
        s.on('close', () => resolve(code));
      });
    const codes: number[] = [];
    for (let batch = 0; batch < 20; batch++)
      codes.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => failOnce(batch * 50 + j)))));
    stop = true;
    await producing;
    assert.equal(codes.length, 1000);
    assert.deepEqual([...new Set(codes)], [ErrorCode.SASL_AUTHENTICATION_FAILED]);
    assert.ok(acked > 0, 'the good client was answered while the flood ran');
    const consumer = good.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    let seen = 0;
    for await (const msg of consumer) {
      assert.equal(Number(msg.offset), seen);
      if (++seen === acked) break;
    }
    await good.close();
    assert.equal(lines.filter((l) => l.startsWith('info failed authentication')).length - before, 1000);
  });

  it('no password appears in the broker log', () => {
    const text = lines.join('\n');
    assert.ok(text.includes('failed authentication'));
    for (const secret of [...Object.values(PASSWORDS), WRONG, 'admin-pw-5e1f']) assert.ok(!text.includes(secret), `"${secret}" was logged`);
  });
});
