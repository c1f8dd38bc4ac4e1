// `tributary topics describe` with kafka-topics.sh's partition reports, against an in-process
// 3-broker cluster: which partitions each report lists as brokers stop (Kafka's
// PartitionDescription rules), `--topics-with-overrides`, and the rule that reports don't combine;
// and `tributary cluster describe` on the same cluster (brokers, racks, replica and leader counts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { partitionReported } from '../src/commands/partition-reports.ts';
import { cliOk, runCli } from './cli-process.ts';

describe('partitionReported (Kafka PartitionDescription)', () => {
  const live = new Set([1, 2, 3]);
  it('under-replicated: ISR smaller than the replicas, not counting those a reassignment adds', () => {
    assert.equal(partitionReported('under-replicated-partitions', { leader: 1, replicas: [1, 2, 3], isr: [1, 2] }, 2, live), true);
    assert.equal(partitionReported('under-replicated-partitions', { leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] }, 2, live), false);
    const adding = { leader: 1, replicas: [1, 2, 3], isr: [1, 2], addingReplicas: [3] };
    assert.equal(partitionReported('under-replicated-partitions', adding, 2, live), false);
  });
  it('min ISR: under when leaderless or below, at when equal', () => {
    assert.equal(partitionReported('under-min-isr-partitions', { leader: -1, replicas: [1, 2], isr: [1, 2] }, 1, live), true);
    assert.equal(partitionReported('under-min-isr-partitions', { leader: 1, replicas: [1, 2], isr: [1] }, 2, live), true);
    assert.equal(partitionReported('under-min-isr-partitions', { leader: 1, replicas: [1, 2], isr: [1, 2] }, 2, live), false);
    assert.equal(partitionReported('at-min-isr-partitions', { leader: 1, replicas: [1, 2], isr: [1, 2] }, 2, live), true);
    assert.equal(partitionReported('at-min-isr-partitions', { leader: 1, replicas: [1, 2], isr: [1] }, 2, live), false);
    assert.equal(partitionReported('at-min-isr-partitions', { leader: 1, replicas: [1, 2], isr: [1] }, undefined, live), false);
  });
  it('unavailable: no leader, or a leader that is not live', () => {
    assert.equal(partitionReported('unavailable-partitions', { leader: -1, replicas: [1], isr: [1] }, 1, live), true);
    assert.equal(partitionReported('unavailable-partitions', { leader: 4, replicas: [4], isr: [4] }, 1, live), true);
    assert.equal(partitionReported('unavailable-partitions', { leader: 2, replicas: [2], isr: [2] }, 1, live), false);
  });
});

describe('tributary topics describe --*-partitions on a 3-broker cluster', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  const describeWith = (flag: string) => cliOk(['topics', 'describe', '--exclude-internal', flag, '--bootstrap-server', cluster.bootstrap]);
  /** The partition numbers a report lists, per topic ("t:0,t:1"). */
  const listed = (out: string) =>
    out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const m = /^\tTopic: (\S+)\tPartition: (\d+)\t/.exec(l);
        assert.ok(m, `not a partition line: ${JSON.stringify(l)}`);
        return `${m[1]}:${m[2]}`;
      })
      .join(',');

  before(async () => {
    cluster = await startCluster({ brokers: 3, settingsFor: (id) => ({ 'broker.rack': id === 3 ? 'rack-b' : 'rack-a' }) });
    kafka = new Kafka({ bootstrapServers: cluster.bootstrap });
    const admin = kafka.admin();
    await admin.createTopics([
      { name: 'wide', partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
      { name: 'plain', partitions: 1, replicationFactor: 3 },
    ]);
  });
  after(async () => {
    await kafka?.close();
    await cluster?.stop();
  });

  it('lists nothing while every replica is in sync; overrides only for the topic that has them', async () => {
    assert.equal(await describeWith('--under-replicated-partitions'), '');
    assert.equal(await describeWith('--unavailable-partitions'), '');
    assert.equal(await describeWith('--under-min-isr-partitions'), '');
    assert.equal(listed(await describeWith('--at-min-isr-partitions')), '');
    const overrides = await describeWith('--topics-with-overrides');
    assert.match(overrides, /^Topic: wide\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2\n$/);
  });

  it('cluster describe: the brokers with their racks, replicas and leaders (4 partitions x 3 replicas)', async () => {
    const out = await cliOk(['cluster', 'describe', '--bootstrap-server', cluster.bootstrap]);
    const [head, brokers] = out.split('\n\nBROKERS\n=======\n');
    assert.match(head!, /^CLUSTER\n=======\n\S+$/);
    const rows = brokers!.split('\n\n')[0]!.trim().split('\n');
    assert.match(rows[0]!, /^ID +HOST +PORT +RACK +REPLICAS +LEADERS$/);
    const cells = rows.slice(1).map((r) => r.split(/ +/));
    assert.deepEqual(
      cells.map((c) => [c[0]!.replace('*', ''), c[3]]),
      [
        ['1', 'rack-a'],
        ['2', 'rack-a'],
        ['3', 'rack-b'],
      ],
    );
    assert.deepEqual(await kafka.admin().listTopics({ includeInternal: true }), ['plain', 'wide']);
    // every broker holds a replica of each of the 4 partitions; leaderships spread within one
    assert.deepEqual(
      cells.map((c) => Number(c[4])),
      [4, 4, 4],
    );
    const leaders = cells.map((c) => Number(c[5]));
    assert.equal(
      leaders.reduce((x, y) => x + y, 0),
      4,
    );
    assert.ok(Math.max(...leaders) - Math.min(...leaders) <= 1, `leaders per broker ${leaders.join(',')}`);
    assert.equal(cells.filter((c) => c[0]!.endsWith('*')).length, 1, 'one broker marked as the controller');
  });

  it('a stopped broker leaves every partition under-replicated and the min.insync.replicas=2 topic at its minimum', async () => {
    await cluster.stopNode(3);
    await waitFor(async () =>
      (await kafka.admin().describeTopics(['wide', 'plain'])).every((t) => t.partitions.every((p) => !p.isr.includes(3))),
    );
    assert.equal(listed(await describeWith('--under-replicated-partitions')), 'plain:0,wide:0,wide:1,wide:2');
    assert.equal(listed(await describeWith('--at-min-isr-partitions')), 'wide:0,wide:1,wide:2');
    assert.equal(await describeWith('--under-min-isr-partitions'), '');
    assert.equal(await describeWith('--unavailable-partitions'), '');
  });

  it('a second stopped broker puts the topic under its minimum, the other at its minimum of 1', async () => {
    await cluster.stopNode(2);
    await waitFor(async () => (await kafka.admin().describeTopics(['wide'])).every((t) => t.partitions.every((p) => p.isr.length === 1)));
    assert.equal(listed(await describeWith('--under-min-isr-partitions')), 'wide:0,wide:1,wide:2');
    // plain's min.insync.replicas is the default, 1: its one ISR member is exactly the minimum
    assert.equal(listed(await describeWith('--at-min-isr-partitions')), 'plain:0');
  });

  it('refuses two reports at once', async () => {
    const r = await runCli([
      'topics',
      'describe',
      '--under-replicated-partitions',
      '--unavailable-partitions',
      '--bootstrap-server',
      cluster.bootstrap,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--under-replicated-partitions can't be used with --unavailable-partitions/);
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
