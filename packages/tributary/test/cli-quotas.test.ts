// `tributary quotas alter|describe` as a child process against an in-process testkit broker: the
// quotas set and removed, described as kafka-configs.sh prints them, and usage errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { entityDescription, quotasText } from '../src/commands/quotas.ts';
import { runCli, type CliResult } from './cli-process.ts';

let broker: TestBroker;

function cli(args: string[]): Promise<CliResult> {
  return runCli([...args, '--bootstrap-server', broker.bootstrap]);
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  assert.equal(r.code, 0, `tributary ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  broker = await startBroker();
});
after(() => broker.stop());

describe('tributary quotas', () => {
  it('prints entities and values as kafka-configs.sh does', () => {
    assert.equal(entityDescription({ 'client-id': 'app', user: 'alice' }), "user-principal 'alice', client-id 'app'");
    assert.equal(entityDescription({ user: null }), 'the default user-principal');
    assert.equal(
      quotasText([{ entity: { 'client-id': null }, quotas: { producer_byte_rate: 1024, request_percentage: 12.5 } }]),
      'Quota configs for the default client-id are producer_byte_rate=1024.0, request_percentage=12.5\n',
    );
  });

  it('alters and describes users, clients and defaults', async () => {
    assert.equal(
      await ok(['quotas', 'alter', '--user', 'alice', '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048']),
      "Completed updating config for user-principal 'alice'.\n",
    );
    await ok(['quotas', 'alter', '--user', 'alice', '--client', 'app', '--add-config', 'request_percentage=12.5']);
    await ok(['quotas', 'alter', '--client-defaults', '--add-config', 'producer_byte_rate=100']);
    assert.equal(
      await ok(['quotas', 'describe', '--user', 'alice']),
      "Quota configs for user-principal 'alice' are producer_byte_rate=1024.0, consumer_byte_rate=2048.0\n",
    );
    assert.equal(
      await ok(['quotas', 'describe', '--client-defaults']),
      'Quota configs for the default client-id are producer_byte_rate=100.0\n',
    );
    await ok(['quotas', 'alter', '--user', 'alice', '--delete-config', 'consumer_byte_rate']);
    assert.equal(
      await ok(['quotas', 'describe']),
      [
        "Quota configs for user-principal 'alice' are producer_byte_rate=1024.0",
        "Quota configs for user-principal 'alice', client-id 'app' are request_percentage=12.5",
        'Quota configs for the default client-id are producer_byte_rate=100.0',
        '',
      ].join('\n'),
    );
  });

  it('fails with the broker error or a usage error', async () => {
    const bad = await cli(['quotas', 'alter', '--user', 'bob', '--add-config', 'bogus=1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /INVALID_REQUEST \(Invalid configuration key bogus\)/);
    const noEntity = await cli(['quotas', 'alter', '--add-config', 'producer_byte_rate=1']);
    assert.notEqual(noEntity.code, 0);
    assert.match(noEntity.stderr, /alter needs an entity/);
  });
});
