// The client's `sasl` option and SCRAM administration against a Tributary broker with a
// PLAINTEXT listener (for the admin) and a SASL_PLAINTEXT one: users created with
// alterUserScramCredentials (salted client-side), described, deleted; produce and consume exact
// records over PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512; a wrong password fails at once with
// SASL_AUTHENTICATION_FAILED and the broker's message; Kafka's AlterUserScramCredentials /
// DescribeUserScramCredentials errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';
const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

let broker: TestBroker;
let saslPort: number;
const plainKafka = () => new Kafka({ bootstrapServers: broker.bootstrap });

before(async () => {
  broker = await startBroker({
    settings: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': SCRAM_JAAS,
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': SCRAM_JAAS,
      'connection.failed.authentication.delay.ms': 10,
      'num.partitions': 1,
    },
  });
  saslPort = broker.broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.boundPort;
});
after(() => broker.stop());

function failsWith(type: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof KafkaClientError, String(err));
    assert.equal(err.type, type);
    assert.match(err.message, message);
    return true;
  };
}

describe('SCRAM credential administration', () => {
  it("creates, describes and deletes credentials; Kafka's errors for bad iterations and unknown users", async () => {
    const kafka = plainKafka();
    const admin = kafka.admin();
    await admin.alterUserScramCredentials([
      { type: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-256', password: 'bob-256', iterations: 8192 },
      { type: 'upsert', user: 'carol', mechanism: 'SCRAM-SHA-512', password: 'carol-512' },
    ]);
    await admin.alterUserScramCredentials([{ type: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-512', password: 'bob-512' }]);
    assert.deepEqual(await admin.describeUserScramCredentials(), [
      {
        user: 'bob',
        credentials: [
          { mechanism: 'SCRAM-SHA-256', iterations: 8192 },
          { mechanism: 'SCRAM-SHA-512', iterations: 4096 },
        ],
      },
      { user: 'carol', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
    ]);
    for (const iterations of [4095, 16385])
      await assert.rejects(
        admin.alterUserScramCredentials([{ type: 'upsert', user: 'dave', mechanism: 'SCRAM-SHA-256', password: 'x', iterations }]),
        failsWith('UNACCEPTABLE_CREDENTIAL', iterations < 4096 ? /Too few iterations/ : /Too many iterations/),
      );
    await assert.rejects(
      admin.describeUserScramCredentials(['dave']),
      failsWith('RESOURCE_NOT_FOUND', /Attempt to describe a user credential that does not exist: dave/),
    );
    await assert.rejects(
      admin.alterUserScramCredentials([{ type: 'delete', user: 'dave', mechanism: 'SCRAM-SHA-256' }]),
      failsWith('RESOURCE_NOT_FOUND', /Attempt to delete a user credential that does not exist/),
    );
    await assert.rejects(
      admin.alterUserScramCredentials([
        { type: 'delete', user: 'carol', mechanism: 'SCRAM-SHA-512' },
        { type: 'upsert', user: 'carol', mechanism: 'SCRAM-SHA-512', password: 'p' },
      ]),
      failsWith('DUPLICATE_RESOURCE', /A user credential cannot be altered twice in the same request/),
    );
    // both mechanisms of one user in one request (kafka-configs --add-config 'SCRAM-SHA-256=[...],SCRAM-SHA-512=[...]')
    await admin.alterUserScramCredentials([
      { type: 'upsert', user: 'erin', mechanism: 'SCRAM-SHA-256', password: 'e' },
      { type: 'upsert', user: 'erin', mechanism: 'SCRAM-SHA-512', password: 'e' },
    ]);
    assert.equal((await admin.describeUserScramCredentials(['erin']))[0]!.credentials.length, 2);
    await admin.alterUserScramCredentials([
      { type: 'delete', user: 'erin', mechanism: 'SCRAM-SHA-256' },
      { type: 'delete', user: 'erin', mechanism: 'SCRAM-SHA-512' },
    ]);
    assert.deepEqual(
      (await admin.describeUserScramCredentials()).map((d) => d.user),
      ['bob', 'carol'],
    );
    await kafka.close();
  });
});

describe('the sasl option', () => {
  const cases = [
    { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' },
    { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'bob-256' },
    { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'bob-512' },
  ] as const;
  for (const sasl of cases) {
    it(`produces and consumes exact records over ${sasl.mechanism}`, async () => {
      const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${saslPort}`, sasl });
      const topic = `sasl-${sasl.mechanism.toLowerCase()}`;
      await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
      const producer = kafka.producer();
      const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `${sasl.mechanism}-${i}` }));
      await producer.send({ topic, messages: sent });
      const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([{ topic, partition: 0 }]);
      const got: Array<{ key: string; value: string; offset: bigint }> = [];
      for await (const m of consumer) {
        got.push({ key: m.key!.toString(), value: m.value!.toString(), offset: m.offset });
        if (got.length === sent.length) break;
      }
      assert.deepEqual(
        got,
        sent.map((s, i) => ({ ...s, offset: BigInt(i) })),
      );
      await kafka.close();
    });
  }

  it("a wrong password fails with SASL_AUTHENTICATION_FAILED and the broker's message, without retrying", async () => {
    for (const [mechanism, username, message] of [
      ['PLAIN', 'alice', /Authentication failed: Invalid username or password/],
      ['SCRAM-SHA-256', 'bob', /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/],
    ] as const) {
      const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${saslPort}`, sasl: { mechanism, username, password: 'wrong-password' } });
      await assert.rejects(kafka.admin({ defaultApiTimeoutMs: 60_000 }).listTopics(), (err: unknown) => {
        failsWith('SASL_AUTHENTICATION_FAILED', message)(err);
        assert.ok(!(err as Error).message.includes('wrong-password'));
        return true;
      });
      await kafka.close();
    }
  });
});
