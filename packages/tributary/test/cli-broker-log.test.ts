// The broker's log, as `tributary start` writes it: topic creation and deletion, the group's
// lifecycle (a member joins, the rebalance, the generation with its member count, the member
// leaving), in JSON lines with `tributary.log.format=json` (time, level, logger, message), and
// only what the root level lets through with `tributary.log.level`; bad values refused at start.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from '@tributary/client';
import { runCli, spawnCli } from './cli-process.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  bootstrap: string;
  stderr: () => string;
}

async function startBroker(overrides: string[]): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-log-'));
  dirs.push(dir);
  const args = ['start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dir}`];
  for (const o of ['group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=1', ...overrides]) args.push('--override', o);
  const child = spawnCli(args);
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const bootstrap = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening on PLAINTEXT:\/\/(127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once('close', (code) => reject(new Error(`broker exited ${code}: ${stderr}`)));
  });
  return { child, bootstrap, stderr: () => stderr };
}

async function stop(b: Started): Promise<number | null> {
  b.child.kill('SIGTERM');
  return new Promise((r) => b.child.once('close', r));
}

it('logs topics created and deleted and a group rebalancing, as JSON lines with levels and logger names', async () => {
  const b = await startBroker(['tributary.log.format=json']);
  const kafka = new Kafka({ bootstrapServers: b.bootstrap, clientId: 'log-test' });
  try {
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'logged', partitions: 2 }]);
    const consumer = kafka.consumer({ groupId: 'loggers', assignors: ['range'] });
    const assigned = new Promise<void>((resolve) => void consumer.subscribe(['logged'], { assigned: () => resolve() }));
    const pump = (async () => {
      for await (const _ of consumer) break; // joining happens while the consumer is read
    })();
    await assigned;
    await consumer.close(); // LeaveGroup
    await pump;
    await admin.deleteTopics(['logged']);
  } finally {
    await kafka.close();
  }
  assert.equal(await stop(b), 0);
  const lines = b
    .stderr()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { time: string; level: string; logger?: string; message: string });
  for (const l of lines) {
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['ERROR', 'WARN', 'INFO'].includes(l.level), `a root at INFO lets no ${l.level} through`);
  }
  const find = (re: RegExp) => {
    const l = lines.find((x) => re.test(x.message));
    assert.ok(l, `no log line matching ${re}:\n${lines.map((x) => x.message).join('\n')}`);
    return l;
  };
  const created = find(/^Created topic logged with topic ID [\w-]{22}: 2 partitions, replication factor 1$/);
  assert.equal(created.level, 'INFO');
  assert.equal(created.logger, 'kafka.server.metadata.BrokerMetadataPublisher');
  const joined = find(
    /^Member log-test-\S+ \(client log-test, host \/?127\.0\.0\.1\) joins group loggers in state Empty \(__consumer_offsets-0\)$/,
  );
  assert.equal(joined.logger, 'org.apache.kafka.coordinator.group.GroupCoordinatorService');
  find(/^Preparing to rebalance group loggers in state Empty with old generation 0 \(__consumer_offsets-0\)$/);
  find(/^Stabilized group loggers generation 1 with 1 members \(protocol range, leader log-test-\S+\) \(__consumer_offsets-0\)$/);
  find(/^Member log-test-\S+ has left group loggers through explicit LeaveGroup \(__consumer_offsets-0\)$/);
  find(/^Group loggers with generation 2 is now empty \(__consumer_offsets-0\)$/);
  find(/^Deleted topic logged with topic ID [\w-]{22}$/);
  // in the order they happened
  const at = (re: RegExp) => lines.findIndex((x) => re.test(x.message));
  assert.ok(at(/^Created topic logged/) < at(/joins group loggers/));
  assert.ok(at(/joins group loggers/) < at(/^Stabilized group loggers/));
  assert.ok(at(/^Stabilized group loggers/) < at(/has left group loggers/));
  assert.ok(at(/has left group loggers/) < at(/^Deleted topic logged/));
});

it('writes only what tributary.log.level lets through, and refuses unknown formats and levels', async () => {
  const b = await startBroker(['tributary.log.level=WARN']);
  const kafka = new Kafka({ bootstrapServers: b.bootstrap });
  try {
    await kafka.admin().createTopics([{ name: 'quiet' }]);
  } finally {
    await kafka.close();
  }
  assert.equal(await stop(b), 0);
  assert.doesNotMatch(b.stderr(), / INFO /);
  assert.doesNotMatch(b.stderr(), /Created topic quiet/);

  const bad = await runCli(['start', '--override', 'tributary.log.format=xml', '--override', 'tributary.log.level=LOUD']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /tributary\.log\.format/);
  assert.match(bad.stderr, /tributary\.log\.level/);
});
