// --command-config: Kafka client properties for TLS and SASL. Parsing (security.protocol, PEM
// trust and key stores, ssl.key.password, ssl.endpoint.identification.algorithm, sasl.mechanism
// and sasl.jaas.config with Kafka's PLAIN and SCRAM login modules), refusals (JKS, unknown
// mechanisms, a login module that does not fit, malformed JAAS) without echoing passwords, and the
// CLI against a broker whose only listener takes mutual TLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { parseJaasConfig, securityOptions } from '../src/commands/command-config.ts';
import { createTestPki, type TestPki } from '../../broker/test/helpers/test-certs.ts';
import { runCli, type CliResult } from './cli-process.ts';

const props = (o: Record<string, string>) => new Map(Object.entries(o));

describe('sasl.jaas.config', () => {
  it("parses Kafka's login module entries", () => {
    assert.deepEqual(
      parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="a \\"b\\" c";'),
      {
        loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule',
        flag: 'required',
        options: { username: 'alice', password: 'a "b" c' },
      },
    );
    assert.deepEqual(
      parseJaasConfig(' org.apache.kafka.common.security.scram.ScramLoginModule required\n username=bob password="x=y;z" ; ').options,
      {
        username: 'bob',
        password: 'x=y;z',
      },
    );
  });

  it('refuses entries without a flag, a key without a value, or no final ";"', () => {
    assert.throws(() => parseJaasConfig('org.Foo username="a";'), /expected a login module class then required/);
    assert.throws(() => parseJaasConfig('org.Foo required username=;'), /options must be key=value/);
    assert.throws(() => parseJaasConfig('org.Foo required username="a"'), /must end with a single ";"/);
  });
});

describe('client security properties', () => {
  it('PLAINTEXT by default: no tls, no sasl', () => {
    assert.deepEqual(securityOptions(props({})), {});
  });

  it('SASL_PLAINTEXT and SASL_SSL give the sasl option (mechanism, username, password)', () => {
    const sasl = {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";',
    };
    assert.deepEqual(securityOptions(props(sasl)), { sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 's3cret' } });
    const plainSsl = securityOptions(
      props({
        'security.protocol': 'sasl_ssl',
        'sasl.mechanism': 'PLAIN',
        'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
      }),
    );
    assert.deepEqual(plainSsl, { tls: {}, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } });
  });

  it('refuses GSSAPI, a login module of another mechanism, missing credentials and JKS stores, never showing the password', () => {
    const base = { 'security.protocol': 'SASL_SSL' };
    const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2";';
    assert.throws(
      () => securityOptions(props({ ...base, 'sasl.jaas.config': jaas })),
      /sasl\.mechanism=GSSAPI: must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
    );
    assert.throws(
      () => securityOptions(props({ ...base, 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': jaas })),
      (err: Error) =>
        /SCRAM-SHA-256 takes org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule/.test(err.message) &&
        !err.message.includes('hunter2'),
    );
    assert.throws(
      () => securityOptions(props({ ...base, 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': jaas.replace(' password="hunter2"', '') })),
      /username and password must both be given/,
    );
    assert.throws(
      () => securityOptions(props({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/x.jks' })),
      /only PEM trust stores/,
    );
    assert.throws(() => securityOptions(props({ 'security.protocol': 'TLS' })), /security\.protocol=TLS: must be one of/);
  });
});

describe('tributary commands with --command-config against an mTLS listener', () => {
  let pki: TestPki;
  let broker: TestBroker;
  before(async () => {
    pki = createTestPki();
    broker = await startBroker({
      settings: {
        listeners: 'SSL://127.0.0.1:0',
        'listener.security.protocol.map': 'SSL:SSL',
        'inter.broker.listener.name': 'SSL',
        'ssl.keystore.location': pki.server.keystore,
        'ssl.truststore.location': pki.ca.cert,
        'ssl.client.auth': 'required',
        'num.partitions': 1,
      },
    });
  });
  after(async () => {
    await broker?.stop();
    pki?.cleanup();
  });

  function cli(args: string[], stdin = ''): Promise<CliResult> {
    return runCli([...args, '--bootstrap-server', broker.bootstrap], stdin);
  }

  it('creates a topic, produces and consumes over mutual TLS; without the key store the broker refuses', async () => {
    const client = pki.issue('cli', '/CN=cli', { password: 'cli-pw' });
    const config = join(pki.dir, 'client.properties');
    writeFileSync(
      config,
      [
        'security.protocol=SSL',
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${pki.ca.cert}`,
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${client.keystore}`,
        'ssl.key.password=cli-pw',
        'ssl.endpoint.identification.algorithm=https',
      ].join('\n'),
    );
    const created = await cli(['topics', 'create', 'secure', '--command-config', config]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'Created topic secure.\n');
    const produced = await cli(['produce', 'secure', '--command-config', config], 'one\ntwo\n');
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await cli(['consume', 'secure', '--from-beginning', '--max-messages', '2', '--command-config', config]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, 'one\ntwo\n');

    const noKey = join(pki.dir, 'no-key.properties');
    writeFileSync(noKey, `security.protocol=SSL\nssl.truststore.location=${pki.ca.cert}\n`);
    const refused = await cli(['topics', 'list', '--command-config', noKey, '--api-timeout-ms', '2000']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^tributary topics: /);

    const wrongPassword = join(pki.dir, 'wrong.properties');
    writeFileSync(wrongPassword, readFileSync(config, 'utf8').replace('ssl.key.password=cli-pw', 'ssl.key.password=not-it'));
    const bad = await cli(['topics', 'list', '--command-config', wrongPassword]);
    assert.equal(bad.code, 1);
    assert.ok(!bad.stderr.includes('not-it'), bad.stderr);
  });
});
