// The CLI's cluster operations against an in-process 3-broker cluster, in order: `cluster describe`
// (brokers, racks, replica and leader counts); `leaders elect` (a preferred election after a
// restart, Kafka's output lines, the usage rules); `topics describe` with kafka-topics.sh's
// partition reports as brokers stop (Kafka's PartitionDescription rules), `--topics-with-overrides`,
// and the rule that reports don't combine.
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

describe('tributary cluster, leaders and topics describe --*-partitions on a 3-broker cluster', () => {
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

  it('leaders elect --election-type preferred: leadership back on the restarted preferred replica', async () => {
    const preferredOf1 = (await kafka.admin().describeTopics(['wide'])).flatMap((t) => t.partitions.filter((x) => x.replicas[0] === 1));
    assert.ok(preferredOf1.length > 0);
    await cluster.stopNode(1);
    await cluster.startNode(1);
    const ledBy = async (id: number) =>
      (await kafka.admin().describeTopics(['wide', 'plain'])).flatMap((t) =>
        t.partitions.filter((x) => x.leader === id).map((x) => `${t.name}-${x.partition}`),
      );
    await waitFor(async () =>
      (await kafka.admin().describeTopics(['wide', 'plain'])).every((t) => t.partitions.every((x) => x.isr.length === 3)),
    );
    assert.deepEqual(await ledBy(1), [], 'a controlled shutdown moved every leadership away from 1');
    const moved = (await kafka.admin().describeTopics(['plain', 'wide'])).flatMap((t) =>
      t.partitions.filter((x) => x.replicas[0] === 1).map((x) => `${t.name}-${x.partition}`),
    );
    const out = await cliOk([
      'leaders',
      'elect',
      '--election-type',
      'PREFERRED',
      '--all-topic-partitions',
      '--bootstrap-server',
      cluster.bootstrap,
    ]);
    assert.equal(out, `Successfully completed leader election (PREFERRED) for partitions ${moved.join(', ')}\n`);
    await waitFor(async () => (await ledBy(1)).length === moved.length);
    assert.deepEqual((await ledBy(1)).sort(), [...moved].sort());
    assert.equal(
      await cliOk([
        'leaders',
        'elect',
        '--type',
        'preferred',
        '--topic',
        'wide',
        '--partition',
        '0',
        '--bootstrap-server',
        cluster.bootstrap,
      ]),
      'Valid replica already elected for partitions wide-0\n',
    );
    const unknown = await runCli([
      'leaders',
      'elect',
      '--type',
      'preferred',
      '--topic',
      'nope',
      '--partition',
      '0',
      '--bootstrap-server',
      cluster.bootstrap,
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /^Error completing leader election \(PREFERRED\) for partition: nope-0: .*UNKNOWN_TOPIC_OR_PARTITION/);
    assert.match(unknown.stderr, /1 replica\(s\) could not be elected/);
    const both = await runCli([
      'leaders',
      'elect',
      '--type',
      'preferred',
      '--all-topic-partitions',
      '--topic',
      'wide',
      '--bootstrap-server',
      cluster.bootstrap,
    ]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /One and only one of the following options is required/);
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
