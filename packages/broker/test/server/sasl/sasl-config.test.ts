// A SASL listener's settings as Kafka resolves them (sasl-config.ts): the per-listener
// sasl.enabled.mechanisms and connections.max.reauth.ms over the global ones, one JAAS setting per
// mechanism, listener-prefixed names accepted by the configuration (and unknown ones refused); and
// the Semaphore that bounds concurrent mechanism steps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerConfig, ConfigError } from '../../../src/config/broker-config.ts';
import { listenerSaslConfig } from '../../../src/server/sasl/sasl-config.ts';
import { Semaphore } from '../../../src/server/sasl/semaphore.ts';

const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="bob-pw";';

describe('listener SASL settings', () => {
  const config = BrokerConfig.load({
    settings: {
      listeners: 'PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'connections.max.reauth.ms': 60000,
      'connection.failed.authentication.delay.ms': 250,
      'listener.name.internal.scram-sha-512.sasl.jaas.config': SCRAM,
      'listener.name.external.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
      'listener.name.external.plain.sasl.jaas.config': PLAIN,
      'listener.name.external.scram-sha-256.sasl.jaas.config': SCRAM,
      'listener.name.external.connections.max.reauth.ms': 5000,
    },
  });

  it('global settings, and per-listener overrides', () => {
    const internal = listenerSaslConfig(config, 'INTERNAL');
    assert.deepEqual(internal.enabledMechanisms, ['SCRAM-SHA-512']);
    assert.equal(internal.maxReauthMs, 60000);
    assert.equal(internal.failedAuthenticationDelayMs, 250);
    assert.equal(internal.plainUsers.size, 0);
    const external = listenerSaslConfig(config, 'EXTERNAL');
    assert.deepEqual(external.enabledMechanisms, ['PLAIN', 'SCRAM-SHA-256']);
    assert.equal(external.maxReauthMs, 5000);
    assert.deepEqual([...external.plainUsers], [['bob', 'bob-pw']]);
    assert.deepEqual([...external.jaas.keys()], ['PLAIN', 'SCRAM-SHA-256']);
  });

  it('listener-prefixed names other than the SASL ones are unknown settings', () => {
    assert.throws(
      () => BrokerConfig.load({ settings: { 'listener.name.internal.no.such.setting': 'x' } }),
      (e: unknown) => e instanceof ConfigError && /unknown setting "listener\.name\.internal\.no\.such\.setting"/.test(e.message),
    );
  });

  it('OAUTHBEARER on a SASL listener is a clear error', () => {
    const c = BrokerConfig.load({
      settings: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'OAUTHBEARER',
      },
    });
    assert.throws(
      () => listenerSaslConfig(c, 'SASL_PLAINTEXT'),
      /SASL mechanism OAUTHBEARER is enabled on listener SASL_PLAINTEXT but Tributary does not implement it/,
    );
  });
});

describe('Semaphore', () => {
  it('runs at most `permits` tasks at once, in arrival order, and frees permits on failure', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const release = new Map<number, () => void>();
    const tick = () => new Promise((r) => setImmediate(r));
    const tasks = Array.from({ length: 5 }, (_, i) =>
      s.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => release.set(i, r));
        running--;
        if (i === 1) throw new Error('task 1 fails');
        return i;
      }),
    );
    const settled = Promise.allSettled(tasks);
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.equal(s.queued, 3);
    release.get(1)!(); // fails: its permit goes to task 2
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    for (const i of [0, 2, 3, 4]) {
      release.get(i)!();
      await tick();
    }
    const results = await settled;
    assert.equal(peak, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')),
      [0, 'rejected', 2, 3, 4],
    );
    assert.equal(s.queued, 0);
  });
});
