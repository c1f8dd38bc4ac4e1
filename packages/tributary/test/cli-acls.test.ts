// `tributary acls add|list|remove` (as kafka-acls.sh) run as child processes against an in-process
// testkit broker with Kafka's StandardAuthorizer (User:ANONYMOUS, the CLI's principal on PLAINTEXT,
// is a super user): exact output, --producer / --consumer conveniences, prefixed patterns, removal
// of given entries or of every ACL of a resource; the admin client's describeAcls seeing the same;
// SECURITY_DISABLED from a broker without an authorizer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka, type AclBinding } from '@tributary/client';
import { runCli, type CliResult } from './cli-process.ts';

let broker: TestBroker;
let plain: TestBroker;

function cli(args: string[], bootstrap = broker.bootstrap): Promise<CliResult> {
  return runCli([...args, '--bootstrap-server', bootstrap]);
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  assert.equal(r.code, 0, `tributary ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function describeAll(): Promise<string[]> {
  const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'acl-test' });
  try {
    const acls = await kafka.admin().describeAcls({});
    return acls
      .map(
        (a: Required<AclBinding>) =>
          `${a.resourceType}:${a.patternType}:${a.resourceName} ${a.principal}@${a.host} ${a.permissionType} ${a.operation}`,
      )
      .sort();
  } finally {
    await kafka.close();
  }
}

before(async () => {
  broker = await startBroker({
    settings: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ANONYMOUS' },
  });
  plain = await startBroker();
});
after(async () => {
  await broker.stop();
  await plain.stop();
});

describe('tributary acls', () => {
  it('adds ACLs and prints them as kafka-acls.sh does', async () => {
    assert.equal(
      await ok([
        'acls',
        'add',
        '--allow-principal',
        'User:alice',
        '--operation',
        'Read',
        '--operation',
        'describe-configs',
        '--topic',
        'orders',
      ]),
      'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
        ' \t(principal=User:alice, host=*, operation=Read, permissionType=Allow) \n' +
        ' \t(principal=User:alice, host=*, operation=DescribeConfigs, permissionType=Allow) \n\n',
    );
    await ok([
      'acls',
      'add',
      '--deny-principal',
      'User:bob',
      '--deny-host',
      '10.0.0.1',
      '--topic',
      'pay',
      '--resource-pattern-type',
      'prefixed',
    ]);
    await ok(['acls', 'add', '--consumer', '--allow-principal', 'User:carol', '--topic', 't1', '--group', 'g1']);
    await ok(['acls', 'add', '--producer', '--idempotent', '--allow-principal', 'User:dave', '--topic', 't2', '--transactional-id', 'tx']);
    assert.deepEqual(await describeAll(), [
      'CLUSTER:LITERAL:kafka-cluster User:dave@* ALLOW IDEMPOTENT_WRITE',
      'GROUP:LITERAL:g1 User:carol@* ALLOW READ',
      'TOPIC:LITERAL:orders User:alice@* ALLOW DESCRIBE_CONFIGS',
      'TOPIC:LITERAL:orders User:alice@* ALLOW READ',
      'TOPIC:LITERAL:t1 User:carol@* ALLOW DESCRIBE',
      'TOPIC:LITERAL:t1 User:carol@* ALLOW READ',
      'TOPIC:LITERAL:t2 User:dave@* ALLOW CREATE',
      'TOPIC:LITERAL:t2 User:dave@* ALLOW DESCRIBE',
      'TOPIC:LITERAL:t2 User:dave@* ALLOW WRITE',
      'TOPIC:PREFIXED:pay User:bob@10.0.0.1 DENY ALL',
      'TRANSACTIONAL_ID:LITERAL:tx User:dave@* ALLOW DESCRIBE',
      'TRANSACTIONAL_ID:LITERAL:tx User:dave@* ALLOW WRITE',
    ]);
  });

  it('lists ACLs of a resource, by pattern type (match: every pattern that applies), and by principal', async () => {
    assert.equal(
      await ok(['acls', 'list', '--topic', 'orders']),
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
        ' \t(principal=User:alice, host=*, operation=Read, permissionType=Allow) \n' +
        ' \t(principal=User:alice, host=*, operation=DescribeConfigs, permissionType=Allow) \n\n',
    );
    assert.equal(
      await ok(['acls', 'list', '--topic', 'payments', '--resource-pattern-type', 'match']),
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=pay, patternType=PREFIXED)`: \n' +
        ' \t(principal=User:bob, host=10.0.0.1, operation=All, permissionType=Deny) \n\n',
    );
    const carol = await ok(['acls', 'list', '--principal', 'User:carol']);
    assert.match(carol, /name=t1, patternType=LITERAL/);
    assert.match(carol, /name=g1, patternType=LITERAL/);
    assert.doesNotMatch(carol, /alice|bob|dave/);
  });

  it('removes given entries, or every ACL of a resource', async () => {
    assert.equal(
      await ok(['acls', 'remove', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'orders', '--force']),
      'Removed ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
        ' \t(principal=User:alice, host=*, operation=Read, permissionType=Allow) \n\n',
    );
    await ok(['acls', 'remove', '--topic', 't1', '--topic', 't2', '--group', 'g1', '--transactional-id', 'tx', '--cluster']);
    assert.deepEqual(await describeAll(), [
      'TOPIC:LITERAL:orders User:alice@* ALLOW DESCRIBE_CONFIGS',
      'TOPIC:PREFIXED:pay User:bob@10.0.0.1 DENY ALL',
    ]);
  });

  it('refuses bad input and reports a broker without an authorizer', async () => {
    const bad = await cli(['acls', 'add', '--allow-principal', 'alice', '--topic', 't']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /principal "alice" must be Type:name/);
    const noResource = await cli(['acls', 'add', '--allow-principal', 'User:a']);
    assert.equal(noResource.code, 1);
    const disabled = await cli(['acls', 'list'], plain.bootstrap);
    assert.equal(disabled.code, 1);
    assert.match(disabled.stderr, /SECURITY_DISABLED \(No Authorizer is configured\.\)/);
  });
});
