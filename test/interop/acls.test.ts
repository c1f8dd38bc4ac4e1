// ACLs with third-party clients: a `tributary start` broker with Kafka's StandardAuthorizer. First
// with allow.everyone.if.no.acl.found=true, our CLI creates two topics and ACLs for
// User:ANONYMOUS (what every PLAINTEXT client is): ALTER and DESCRIBE on the cluster, ALL on topics
// prefixed "ok-", only DESCRIBE on topics prefixed "no-", READ on groups prefixed "ok-". The broker
// is then restarted with allow.everyone.if.no.acl.found=false (the ACLs come back from the
// metadata log), and kcat, kafka-python and confluent-kafka see Kafka's decisions: producing to
// ok-t succeeds; producing to and consuming from no-t fail with TOPIC_AUTHORIZATION_FAILED; a group
// without an ACL fails with GROUP_AUTHORIZATION_FAILED; creating a topic without CREATE fails with
// TOPIC_AUTHORIZATION_FAILED; both Python admins describe the ACLs exactly as created.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliCommand } from '../../packages/tributary/src/cli-command.ts';
import { run, runOk, runPython, startBrokerProcess, type BrokerProcess } from './harness.ts';
import { needTool } from './tools.ts';

const [NODE, ...CLI] = cliCommand();
const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'num.partitions': 1 };
const EXPECTED_ACLS = [
  'CLUSTER:LITERAL:kafka-cluster User:ANONYMOUS@* ALLOW ALTER',
  'CLUSTER:LITERAL:kafka-cluster User:ANONYMOUS@* ALLOW DESCRIBE',
  'GROUP:PREFIXED:ok- User:ANONYMOUS@* ALLOW READ',
  'TOPIC:PREFIXED:no- User:ANONYMOUS@* ALLOW DESCRIBE',
  'TOPIC:PREFIXED:ok- User:ANONYMOUS@* ALLOW ALL',
];

function tributary(broker: BrokerProcess, args: string[]) {
  return runOk(NODE!, [...CLI, ...args, '--bootstrap-server', broker.bootstrap], { timeoutMs: 30_000 });
}

describe('ACLs with kcat, kafka-python and confluent-kafka', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-acls-'));
  let broker: BrokerProcess;

  before(async () => {
    const open = await startBrokerProcess(dir, { ...AUTHORIZER, 'allow.everyone.if.no.acl.found': 'true' });
    try {
      await tributary(open, ['topics', 'create', 'ok-t']);
      await tributary(open, ['topics', 'create', 'no-t']);
      const anon = ['--allow-principal', 'User:ANONYMOUS'];
      await tributary(open, ['acls', 'add', ...anon, '--operation', 'Alter', '--operation', 'Describe', '--cluster']);
      await tributary(open, ['acls', 'add', ...anon, '--operation', 'All', '--topic', 'ok-', '--resource-pattern-type', 'prefixed']);
      await tributary(open, ['acls', 'add', ...anon, '--operation', 'Describe', '--topic', 'no-', '--resource-pattern-type', 'prefixed']);
      await tributary(open, ['acls', 'add', ...anon, '--operation', 'Read', '--group', 'ok-', '--resource-pattern-type', 'prefixed']);
    } finally {
      await open.kill();
    }
    broker = await startBrokerProcess(dir, AUTHORIZER);
  });
  after(async () => {
    await broker?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the ACLs survived the restart (tributary acls list)', async () => {
    const out = await tributary(broker, ['acls', 'list']);
    assert.match(
      out,
      /ResourcePattern\(resourceType=TOPIC, name=ok-, patternType=PREFIXED\)`: \n \t\(principal=User:ANONYMOUS, host=\*, operation=All, permissionType=Allow\)/,
    );
    assert.equal(out.match(/principal=User:ANONYMOUS/g)?.length, 5);
  });

  it('kcat: produces to an allowed topic; producing to and consuming from a denied one fail with Topic authorization failed', async (t) => {
    if (!needTool(t, 'kcat')) return;
    await runOk('kcat', ['-P', '-b', broker.bootstrap, '-t', 'ok-t', '-p', '0'], { input: 'kcat-ok\n', timeoutMs: 20_000 });
    const out = await runOk('kcat', ['-C', '-b', broker.bootstrap, '-t', 'ok-t', '-p', '0', '-o', 'beginning', '-e', '-q'], {
      timeoutMs: 20_000,
    });
    assert.match(out, /kcat-ok/);
    const produce = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'no-t', '-p', '0'], { input: 'nope\n', timeoutMs: 20_000 });
    assert.notEqual(produce.code, 0);
    assert.match(produce.stderr, /Topic authorization failed/);
    const consume = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', 'no-t', '-p', '0', '-o', 'beginning', '-e'], {
      timeoutMs: 20_000,
    });
    assert.notEqual(consume.code, 0);
    assert.match(consume.stderr, /Topic authorization failed/);
  });

  for (const client of ['kafka-python', 'confluent-kafka'] as const) {
    it(`${client}: produce, consume, group and topic creation decided as Kafka does; admin describes the ACLs as created`, async (t) => {
      if (!needTool(t, client)) return;
      const out = await runPython<Record<string, unknown>>(
        'acls_driver.py',
        {
          client,
          bootstrap: broker.bootstrap,
          ok_topic: 'ok-t',
          no_topic: 'no-t',
          ok_group: 'ok-g',
          no_group: 'other-g',
          new_topic: `new-${client}`,
        },
        90_000,
      );
      assert.equal((out.produce_ok as unknown[])[0], 'NONE');
      assert.equal(out.produce_denied, 'TOPIC_AUTHORIZATION_FAILED');
      assert.equal(out.consume_denied, 'TOPIC_AUTHORIZATION_FAILED');
      assert.equal(out.group_denied, 'GROUP_AUTHORIZATION_FAILED');
      assert.equal(out.create_denied, 'TOPIC_AUTHORIZATION_FAILED');
      if (out.acls === null) {
        // confluent-kafka before 1.9 (Debian's 1.7.0) has no ACL admin API
        assert.equal(client, 'confluent-kafka');
        t.diagnostic('confluent-kafka has no describe_acls before 1.9: ACL description checked with kafka-python only');
        return;
      }
      assert.equal(out.describe_error, 'NoError');
      assert.deepEqual(out.acls, EXPECTED_ACLS);
    });
  }
});
