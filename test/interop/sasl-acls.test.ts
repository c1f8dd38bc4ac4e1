// Authentication and authorization together: a broker with Kafka's StandardAuthorizer, a
// SASL_PLAINTEXT listener (SCRAM-SHA-256 users created through AlterUserScramCredentials by the
// super user User:admin, who logs in with PLAIN) and a PLAINTEXT listener (User:ANONYMOUS, no ACLs).
// User:alice may write and read topic `orders` and read group `billing`; User:bob may only describe
// `orders`. Each client's login decides what it may do, exactly as Kafka decides: kcat and KafkaJS
// as alice produce and consume (in a group), as bob their produce fails with
// TOPIC_AUTHORIZATION_FAILED; our client as bob is refused on the topic and, reading as alice with
// an unlisted group, on the group; an anonymous PLAINTEXT client does not even see the topic in
// Metadata; DescribeAcls shows the bindings with the SASL principals.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import kafkajsModule from 'kafkajs';
import { Kafka, type KafkaConfig } from '@tributary/client';
import { ErrorCode } from '@tributary/protocol';
import { run, runOk, startTestBroker } from './harness.ts';
import { needTool } from './tools.ts';
import type { TestBroker } from '@tributary/testkit';

const { Kafka: KafkaJS, logLevel } = kafkajsModule;

const TOPIC = 'orders';
const PW = { admin: 'admin-pw-2c7e', alice: 'alice-pw-8d31', bob: 'bob-pw-f04a' };
const PLAIN_JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${PW.admin}" user_admin="${PW.admin}";`;
const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

describe('SASL principals under ACLs', { timeout: 180_000 }, () => {
  let broker: TestBroker;
  let sasl: string;
  const as = (user: 'alice' | 'bob'): KafkaConfig => ({
    bootstrapServers: sasl,
    sasl: { mechanism: 'SCRAM-SHA-256', username: user, password: PW[user] },
  });

  before(async () => {
    broker = await startTestBroker({
      settings: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:admin',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': SCRAM_JAAS,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    sasl = `127.0.0.1:${broker.broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.boundPort}`;
    const kafka = new Kafka({ bootstrapServers: sasl, sasl: { mechanism: 'PLAIN', username: 'admin', password: PW.admin } });
    const admin = kafka.admin();
    try {
      await admin.alterUserScramCredentials([
        { type: 'upsert', user: 'alice', mechanism: 'SCRAM-SHA-256', password: PW.alice },
        { type: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-256', password: PW.bob },
      ]);
      await admin.createTopics([{ name: TOPIC, partitions: 1 }]);
      await admin.createAcls([
        { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:alice', operation: 'WRITE' },
        { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:alice', operation: 'READ' },
        { resourceType: 'GROUP', resourceName: 'billing', principal: 'User:alice', operation: 'READ' },
        { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:bob', operation: 'DESCRIBE' },
      ]);
    } finally {
      await kafka.close();
    }
  });
  after(() => broker.stop());

  it('DescribeAcls (as the super user) lists the bindings with their SASL principals', async () => {
    const kafka = new Kafka({ bootstrapServers: sasl, sasl: { mechanism: 'PLAIN', username: 'admin', password: PW.admin } });
    try {
      const acls = await kafka.admin().describeAcls({ resourceType: 'ANY', principal: null, operation: 'ANY', permissionType: 'ANY' });
      const lines = acls.map((a) => `${a.resourceType}:${a.resourceName} ${a.principal} ${a.permissionType} ${a.operation}`).sort();
      assert.deepEqual(lines, [
        'GROUP:billing User:alice ALLOW READ',
        'TOPIC:orders User:alice ALLOW READ',
        'TOPIC:orders User:alice ALLOW WRITE',
        'TOPIC:orders User:bob ALLOW DESCRIBE',
      ]);
    } finally {
      await kafka.close();
    }
  });

  const kcatAs = (user: 'alice' | 'bob') => [
    '-b',
    sasl,
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    'sasl.mechanisms=SCRAM-SHA-256',
    '-X',
    `sasl.username=${user}`,
    '-X',
    `sasl.password=${PW[user]}`,
  ];

  it('kcat: alice produces and consumes; bob is refused with Topic authorization failed', async (t) => {
    if (!needTool(t, 'kcat')) return;
    await runOk('kcat', ['-P', ...kcatAs('alice'), '-t', TOPIC, '-p', '0'], { input: 'kcat-alice\n', timeoutMs: 20_000 });
    const out = await runOk('kcat', ['-C', ...kcatAs('alice'), '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q'], {
      timeoutMs: 20_000,
    });
    assert.match(out, /kcat-alice/);
    const produce = await run('kcat', ['-P', ...kcatAs('bob'), '-t', TOPIC, '-p', '0'], { input: 'kcat-bob\n', timeoutMs: 20_000 });
    assert.notEqual(produce.code, 0);
    assert.match(produce.stderr, /Topic authorization failed/);
  });

  it('KafkaJS: alice produces and reads in group billing; bob gets TOPIC_AUTHORIZATION_FAILED', async () => {
    const kjs = (user: 'alice' | 'bob') =>
      new KafkaJS({
        clientId: `kjs-${user}`,
        brokers: [sasl],
        sasl: { mechanism: 'scram-sha-256', username: user, password: PW[user] },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
    const alice = kjs('alice').producer();
    await alice.connect();
    try {
      const [res] = await alice.send({ topic: TOPIC, messages: [{ key: 'k', value: 'kafkajs-alice' }] });
      assert.equal(res!.errorCode, 0);
    } finally {
      await alice.disconnect();
    }
    const bob = kjs('bob').producer();
    await bob.connect();
    try {
      await assert.rejects(bob.send({ topic: TOPIC, messages: [{ value: 'kafkajs-bob' }] }), (err: Error & { type?: string }) => {
        assert.equal(err.type, 'TOPIC_AUTHORIZATION_FAILED');
        return true;
      });
    } finally {
      await bob.disconnect();
    }
    const consumer = kjs('alice').consumer({ groupId: 'billing' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              values.push(message.value!.toString());
              if (values.includes('kafkajs-alice')) resolve();
            },
          })
          .catch(reject);
      });
      assert.ok(!values.includes('kafkajs-bob'));
    } finally {
      await consumer.disconnect();
    }
  });

  it('our client: bob is refused on the topic, alice on a group she has no ACL for', async () => {
    const bob = new Kafka(as('bob'));
    try {
      const producer = bob.producer({ idempotent: false });
      await assert.rejects(producer.send({ topic: TOPIC, messages: [{ value: 'ours-bob' }] }), (err: { errorCode?: number }) => {
        assert.equal(err.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        return true;
      });
    } finally {
      await bob.close();
    }
    const alice = new Kafka(as('alice'));
    try {
      const admin = alice.admin();
      await assert.rejects(admin.listGroupOffsets('payroll'), (err: { errorCode?: number }) => {
        assert.equal(err.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
        return true;
      });
    } finally {
      await alice.close();
    }
  });

  it('an anonymous PLAINTEXT client does not see the topic in Metadata', async () => {
    const anon = new Kafka({ bootstrapServers: broker.bootstrap });
    try {
      const topics = await anon.admin().listTopics();
      assert.equal(topics.includes(TOPIC), false);
    } finally {
      await anon.close();
    }
    const alice = new Kafka(as('alice'));
    try {
      assert.deepEqual(await alice.admin().listTopics(), [TOPIC]);
    } finally {
      await alice.close();
    }
  });
});
