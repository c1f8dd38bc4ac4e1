// `tributary users create|delete|list` as child processes against a broker: kafka-configs' output
// lines, iterations outside 4096..16384 refused with UNACCEPTABLE_CREDENTIAL, unknown users
// RESOURCE_NOT_FOUND, usage errors; and the credential created by the CLI logs a SCRAM client in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { runCli, type CliResult } from './cli-process.ts';

function cli(args: string[], bootstrap: string): Promise<CliResult> {
  return runCli([...args, '--bootstrap-server', bootstrap, '--api-timeout-ms', '5000']);
}

describe('tributary users', () => {
  let broker: TestBroker;
  let saslPort: number;
  before(async () => {
    broker = await startBroker({
      settings: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      },
    });
    saslPort = broker.broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.boundPort;
  });
  after(() => broker.stop());

  it('create, list, delete with kafka-configs output; the created user logs in', async () => {
    const b = broker.bootstrap;
    const created = await cli(
      ['users', 'create', 'alice', '--mechanism', 'SCRAM-SHA-256', '--password', 'alice-pw', '--iterations', '8192'],
      b,
    );
    assert.deepEqual([created.code, created.stdout, created.stderr], [0, 'Completed updating config for user alice.\n', '']);
    assert.equal((await cli(['users', 'create', 'alice', '--mechanism', 'SCRAM-SHA-512', '--password', 'alice-512'], b)).code, 0);
    const listed = await cli(['users', 'list'], b);
    assert.equal(
      listed.stdout,
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
    );
    assert.ok(!listed.stdout.includes('alice-pw'));

    const kafka = new Kafka({
      bootstrapServers: `127.0.0.1:${saslPort}`,
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-pw' },
    });
    assert.ok(Array.isArray(await kafka.admin().listTopics()));
    await kafka.close();

    const deleted = await cli(['users', 'delete', 'alice', '--mechanism', 'SCRAM-SHA-256'], b);
    assert.deepEqual([deleted.code, deleted.stdout], [0, 'Completed updating config for user alice.\n']);
    assert.equal(
      (await cli(['users', 'list', 'alice'], b)).stdout,
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=4096\n",
    );
    assert.equal((await cli(['users', 'delete', 'alice'], b)).code, 0);
    assert.equal((await cli(['users', 'list'], b)).stdout, '');
  });

  it('errors: iterations out of range, unknown users, usage', async () => {
    const b = broker.bootstrap;
    const few = await cli(['users', 'create', 'bob', '--mechanism', 'SCRAM-SHA-256', '--password', 'pw', '--iterations', '1000'], b);
    assert.equal(few.code, 1);
    assert.match(few.stderr, /UNACCEPTABLE_CREDENTIAL \(Too few iterations\)/);
    const many = await cli(['users', 'create', 'bob', '--mechanism', 'SCRAM-SHA-512', '--password', 'pw', '--iterations', '20000'], b);
    assert.match(many.stderr, /UNACCEPTABLE_CREDENTIAL \(Too many iterations\)/);
    const unknown = await cli(['users', 'delete', 'nobody', '--mechanism', 'SCRAM-SHA-256'], b);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /RESOURCE_NOT_FOUND \(Attempt to delete a user credential that does not exist\)/);
    assert.match(
      (await cli(['users', 'list', 'nobody'], b)).stderr,
      /RESOURCE_NOT_FOUND \(Attempt to describe a user credential that does not exist: nobody\)/,
    );
    const usage = await cli(['users', 'create', 'bob', '--password', 'pw'], b);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /--mechanism is required/);
    assert.match((await cli(['users', 'create', 'bob', '--mechanism', 'MD5', '--password', 'x'], b)).stderr, /unknown mechanism "MD5"/);
  });
});
