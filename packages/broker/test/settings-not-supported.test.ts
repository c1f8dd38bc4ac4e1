// Kafka's settings Tributary does not implement are refused by name, "not supported yet", not
// called unknown nor silently accepted: broker settings at start (unsupported-settings.ts), topic
// configs on create and alter (topic-config-support.ts), while every value Tributary describes or
// applies is still accepted, so tools that write back a described config set keep working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerConfig, ConfigError } from '../src/config/broker-config.ts';
import { BROKER_CONFIG_DEFS } from '../src/config/definitions.ts';
import { KAFKA_SETTINGS_NOT_SUPPORTED } from '../src/config/unsupported-settings.ts';
import { TOPIC_CONFIG_DEFS, validateTopicConfigValue } from '../src/metadata/topic-config.ts';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '@tributary/client';

function problems(overrides: string[]): string[] {
  try {
    BrokerConfig.load({ overrides });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('broker settings Kafka has and Tributary lacks', () => {
  it('are refused at start as not supported yet, each with its source; a name Kafka lacks stays unknown', () => {
    assert.deepEqual(problems(['remote.log.storage.system.enable=true', 'delegation.token.secret.key=s', 'no.such.thing=1']), [
      'setting "remote.log.storage.system.enable" is Kafka\'s but not supported yet by Tributary: remove it (from --override)',
      'setting "delegation.token.secret.key" is Kafka\'s but not supported yet by Tributary: remove it (from --override)',
      'unknown setting "no.such.thing" (from --override)',
    ]);
  });

  it('never lists a setting Tributary defines', () => {
    const defined = new Set(Object.keys(BROKER_CONFIG_DEFS));
    assert.deepEqual(
      [...KAFKA_SETTINGS_NOT_SUPPORTED].filter((n) => defined.has(n)),
      [],
    );
    assert.ok(KAFKA_SETTINGS_NOT_SUPPORTED.size > 100);
  });
});

describe('topic configs Kafka has and Tributary does not apply', () => {
  it('refuses the ones Tributary does not define, whatever the value', () => {
    assert.throws(
      () => validateTopicConfigValue('remote.storage.enable', 'true'),
      /^TopicConfigError: remote\.storage\.enable is not supported yet by Tributary \(tiered storage\)$/,
    );
    assert.throws(
      () => validateTopicConfigValue('compression.zstd.level', '3'),
      /compression\.zstd\.level is not supported yet by Tributary/,
    );
    assert.throws(() => validateTopicConfigValue('no.such.config', '1'), /^TopicConfigError: Unknown topic config name: no\.such\.config$/);
  });

  it('accepts the described or equivalent value of a defined but unapplied config, refuses any other', () => {
    assert.equal(validateTopicConfigValue('preallocate', 'FALSE'), 'false');
    assert.throws(
      () => validateTopicConfigValue('preallocate', 'true'),
      /^TopicConfigError: preallocate is not supported yet by Tributary \(segment files are not preallocated\): only false is accepted, got true$/,
    );
    assert.equal(validateTopicConfigValue('segment.jitter.ms', '0'), '0');
    assert.throws(() => validateTopicConfigValue('segment.jitter.ms', '1000'), /segment\.jitter\.ms is not supported yet/);
    assert.equal(validateTopicConfigValue('file.delete.delay.ms', '60000'), '60000');
    assert.throws(() => validateTopicConfigValue('file.delete.delay.ms', '5'), /file\.delete\.delay\.ms is not supported yet/);
    assert.equal(validateTopicConfigValue('message.timestamp.difference.max.ms', '9223372036854775807'), '9223372036854775807');
    assert.throws(
      () => validateTopicConfigValue('message.timestamp.difference.max.ms', '1000'),
      /use message\.timestamp\.before\.max\.ms and message\.timestamp\.after\.max\.ms/,
    );
    // Kafka 3.x ignores these too: still accepted
    assert.equal(validateTopicConfigValue('message.downconversion.enable', 'false'), 'false');
    assert.equal(validateTopicConfigValue('message.format.version', '2.8'), '2.8');
    for (const name of ['preallocate', 'segment.jitter.ms', 'file.delete.delay.ms', 'message.timestamp.difference.max.ms'])
      assert.ok(TOPIC_CONFIG_DEFS[name], `${name} is still described`);
  });
});

describe('over the wire', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ bootstrapServers: broker.bootstrap });
  });
  after(async () => {
    await kafka.close();
    await broker.stop();
  });

  it('CreateTopics and IncrementalAlterConfigs answer INVALID_CONFIG naming the config; a described value passes', async () => {
    const admin = kafka.admin({ defaultApiTimeoutMs: 5000 });
    await assert.rejects(
      admin.createTopics([{ name: 'tiered', configs: { 'remote.storage.enable': 'true' } }]),
      (e: Error & { type?: string }) =>
        e.type === 'INVALID_CONFIG' && /remote\.storage\.enable is not supported yet by Tributary/.test(e.message),
    );
    assert.deepEqual(await admin.listTopics(), []);
    await admin.createTopics([{ name: 'plain', configs: { preallocate: 'false', 'segment.jitter.ms': '0' } }]);
    await assert.rejects(
      admin.alterConfigs({ type: 'topic', name: 'plain' }, { preallocate: 'true' }),
      (e: Error & { type?: string }) => e.type === 'INVALID_CONFIG' && /preallocate is not supported yet/.test(e.message),
    );
    const cfg = (await admin.describeConfigs([{ type: 'topic', name: 'plain' }], { overridesOnly: true })).get('topic:plain');
    assert.deepEqual(cfg, { preallocate: 'false', 'segment.jitter.ms': '0' });
  });
});
