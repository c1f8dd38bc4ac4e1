// Moving a replica between a broker's log dirs from the CLI, against an in-process broker with two
// log.dirs: `partitions reassign --execute` with kafka-reassign-partitions.sh's log_dirs field
// (AlterReplicaLogDirs), `--verify` reporting the replica's move, and `log-dirs describe` printing
// kafka-log-dirs.sh --describe's JSON before and after.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { cliOk, runCli } from './cli-process.ts';

describe('tributary partitions reassign with log_dirs, and log-dirs describe', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-cli-log-dirs-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  let b: TestBroker;
  let kafka: Kafka;
  const cli = (...args: string[]) => cliOk([...args, '--bootstrap-server', b.bootstrap]);

  before(async () => {
    b = await startBroker({ settings: { 'log.dirs': `${dirA},${dirB}` } });
    kafka = new Kafka({ bootstrapServers: b.bootstrap });
    await kafka.admin().createTopics([{ name: 'ld', partitions: 1, replicationFactor: 1 }]);
    const producer = kafka.producer({ acks: -1 });
    await producer.send({ topic: 'ld', messages: Array.from({ length: 50 }, (_, i) => ({ value: `v${i}`, partition: 0 })) });
    await producer.close();
  });
  after(async () => {
    await kafka?.close();
    await b?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('moves the replica to the log dir the plan names, --verify reports it, log-dirs describe shows where it is', async () => {
    const logs = b.broker.services.replicas.logs;
    const from = logs.logDirOf('ld', 0)!;
    const to = from === dirA ? dirB : dirA;
    const id = b.broker.config.nodeId;
    const size = logs.getLog('ld', 0)!.size;
    const describeJson = (inFrom: boolean) =>
      JSON.stringify({
        version: 1,
        brokers: [
          {
            broker: id,
            logDirs: [dirA, dirB].map((d) => ({
              logDir: d,
              error: null,
              partitions: (d === from) === inFrom ? [{ partition: 'ld-0', size, offsetLag: 0, isFuture: false }] : [],
            })),
          },
        ],
      });
    const header = `Querying brokers for log directories information\nReceived log directory information from brokers ${id}\n`;
    assert.equal(await cli('log-dirs', 'describe', '--broker-list', String(id), '--topic-list', 'ld'), `${header}${describeJson(true)}\n`);

    const plan = join(root, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'ld', partition: 0, replicas: [id], log_dirs: [to] }] }));
    const out = await cli('partitions', 'reassign', '--execute', '--reassignment-json-file', plan);
    assert.ok(
      out.endsWith(`Successfully started partition reassignments for ld-0\nSuccessfully started log directory move for: ld-0-${id}\n`),
      out,
    );
    const end = Date.now() + 30_000;
    while (logs.logDirOf('ld', 0) !== to) {
      assert.ok(Date.now() < end, 'the move did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }
    const verified = await cli('partitions', 'reassign', '--verify', '--reassignment-json-file', plan);
    assert.match(
      verified,
      new RegExp(
        `^Status of partition reassignment:\\nReassignment of partition ld-0 is completed\\.\\n\\nStatus of replica log directory movement:\\nReassignment of replica ld-0-${id} completed successfully\\.\\n`,
      ),
    );
    // every broker by default, and no topic filter
    assert.equal(await cli('log-dirs', 'describe'), `${header}${describeJson(false)}\n`);

    // a dir the broker does not have: refused with Kafka's error, nothing moves
    writeFileSync(
      plan,
      JSON.stringify({ version: 1, partitions: [{ topic: 'ld', partition: 0, replicas: [id], log_dirs: [join(root, 'c')] }] }),
    );
    const bad = await runCli(['partitions', 'reassign', '--execute', '--reassignment-json-file', plan, '--bootstrap-server', b.bootstrap]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(`Error moving ld-0-${id}: .*LOG_DIR_NOT_FOUND`));
    assert.equal(logs.logDirOf('ld', 0), to);
  });
});
