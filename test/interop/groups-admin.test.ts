// Consumer groups with real clients (issue 5), continued: a restarted consumer resumes after its
// last commit (kafka-python, confluent-kafka, KafkaJS); two groups read the same topic
// independently; ListGroups / DescribeGroups / DeleteGroups / OffsetDelete as the admin clients
// (kafka-python, confluent-kafka, KafkaJS, @platformatic/kafka) show them; committed offsets and
// groups survive a broker restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { Admin } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { needTool } from './tools.ts';
import { Member, createTopic, expectedRecords, kafka as kafkajs, missing, produce, pythonAdmin, waitFor } from './groups/members.ts';

const SETTINGS = { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000, 'offsets.topic.num.partitions': 10 };
const P = 6;

describe('consumer groups with real clients: resume, independence, admin, restart', () => {
  let kafka: TestBroker;
  let dataDir: string;
  const members: Member[] = [];
  const start = (cfg: ConstructorParameters<typeof Member>[0]) => {
    const m = new Member(cfg);
    members.push(m);
    return m;
  };
  const consumed = (m: Member, perPartition: number, from = 0) => {
    const expected = expectedRecords(P, perPartition).filter((r) => Number(r.split(':')[1]) >= from);
    return waitFor(
      () => missing([m], expected).length === 0,
      20_000,
      () => `${m.cfg.lib} records; missing ${missing([m], expected).join(' ')}`,
    );
  };

  before(async () => {
    kafka = await startBroker({ settings: SETTINGS, keepDataDir: true });
    dataDir = kafka.dataDir;
  });
  after(async () => {
    await Promise.all(members.map((m) => m.kill()));
    await kafka.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const lib of ['kafka-python', 'confluent-kafka', 'kafkajs'] as const) {
    it(`${lib}: a consumer restarted in the same group resumes after its last committed offset`, async (t) => {
      if (lib !== 'kafkajs' && !needTool(t, lib)) return;
      const topic = `resume-${lib}`;
      await createTopic(kafka.bootstrap, topic, P);
      await produce(kafka.bootstrap, topic, P, 3);
      const cfg = { lib, bootstrap: kafka.bootstrap, group: `resume-${lib}`, topic };
      const first = start(cfg);
      await consumed(first, 3);
      await first.stop();
      await produce(kafka.bootstrap, topic, P, 2);
      const second = start(cfg);
      await consumed(second, 5, 3);
      assert.deepEqual(
        [...second.records].filter((r) => Number(r.split(':')[1]) < 3),
        [],
      );
      await second.stop();
    });
  }

  it('confluent-kafka static members (group.instance.id): a restarted member gets its partitions back without a rebalance', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    await createTopic(kafka.bootstrap, 'static', P);
    const base = {
      lib: 'confluent-kafka' as const,
      bootstrap: kafka.bootstrap,
      group: 'static',
      topic: 'static',
      sessionTimeoutMs: 10_000,
    };
    const one = start({ ...base, groupInstanceId: 'instance-1' });
    const two = start({ ...base, groupInstanceId: 'instance-2' });
    await waitFor(
      () => one.assigned.length === 3 && two.assigned.length === 3,
      20_000,
      () => `static: ${one.assigned} / ${two.assigned}`,
    );
    const before = one.assigned;
    const seenByTwo = two.assignments.length;
    await one.kill(); // static members send no LeaveGroup; the session (10 s) keeps its place
    const back = start({ ...base, groupInstanceId: 'instance-1' });
    await waitFor(
      () => back.assigned.length === 3,
      15_000,
      () => `restarted static member: ${back.output.slice(-5).join(' | ')}`,
    );
    assert.deepEqual(back.assigned, before);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(two.assignments.length, seenByTwo, `instance-2 saw a rebalance: ${JSON.stringify(two.assignments)}`);
    await Promise.all([back.kill(), two.kill()]);
  });

  it('two groups read the same topic independently; the admin clients show both', async (t) => {
    await createTopic(kafka.bootstrap, 'adm', P);
    await produce(kafka.bootstrap, 'adm', P, 4);
    const a = start({ lib: 'kafkajs', bootstrap: kafka.bootstrap, group: 'ind-a', topic: 'adm', clientId: 'member-a' });
    const b = start({ lib: 'kafkajs', bootstrap: kafka.bootstrap, group: 'ind-b', topic: 'adm', clientId: 'member-b' });
    await Promise.all([consumed(a, 4), consumed(b, 4)]);
    await b.stop(); // ind-b: Empty with committed offsets; ind-a: Stable with one member
    await waitFor(
      () => a.assigned.length === P,
      10_000,
      () => 'ind-a assignment',
    );

    const admin = kafkajs(kafka.bootstrap).admin();
    await admin.connect();
    try {
      const listed = (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith('ind-'));
      assert.deepEqual(
        listed.sort((x, y) => x.groupId.localeCompare(y.groupId)),
        [
          { groupId: 'ind-a', protocolType: 'consumer' },
          { groupId: 'ind-b', protocolType: 'consumer' },
        ],
      );
      const {
        groups: [da, db],
      } = await admin.describeGroups(['ind-a', 'ind-b']);
      assert.deepEqual(
        [da!.state, da!.protocol, da!.members.length, da!.members[0]!.clientId, da!.members[0]!.clientHost],
        ['Stable', 'RoundRobinAssigner', 1, 'member-a', '/127.0.0.1'],
      );
      assert.deepEqual([db!.state, db!.members.length], ['Empty', 0]);
      const offsets = await admin.fetchOffsets({ groupId: 'ind-b', topics: ['adm'] });
      assert.deepEqual(
        offsets[0]!.partitions.map((p) => [p.partition, p.offset]).sort((x, y) => (x[0] as number) - (y[0] as number)),
        [
          [0, '4'],
          [1, '4'],
          [2, '4'],
          [3, '4'],
          [4, '4'],
          [5, '4'],
        ],
      );
    } finally {
      await admin.disconnect();
    }

    // One subtest per tool: a missing tool skips (or, in CI, fails) only its own part.
    await t.test('kafka-python admin', async (st) => {
      if (!needTool(st, 'kafka-python')) return;
      const py = await pythonAdmin({ lib: 'kafka-python', bootstrap: kafka.bootstrap, group: 'ind-a' });
      assert.ok(py.list.some((g: string[]) => g[0] === 'ind-a' && g[1] === 'consumer'));
      assert.deepEqual([py.describe.state, py.describe.protocol_type, py.describe.protocol], ['Stable', 'consumer', 'RoundRobinAssigner']);
      assert.deepEqual(
        py.describe.members.map((m: { client_id: string; client_host: string; assignment: unknown }) => [
          m.client_id,
          m.client_host,
          m.assignment,
        ]),
        [['member-a', '/127.0.0.1', [['adm', [0, 1, 2, 3, 4, 5]]]]],
      );
      assert.deepEqual(
        py.offsets,
        [0, 1, 2, 3, 4, 5].map((p) => ['adm', p, 4, '']),
      );
    });
    await t.test('confluent-kafka admin', async (st) => {
      if (!needTool(st, 'confluent-kafka')) return;
      const ck = await pythonAdmin({ lib: 'confluent-kafka', bootstrap: kafka.bootstrap });
      const byId = new Map(ck.groups.map((g: { id: string }) => [g.id, g]));
      assert.deepEqual(byId.get('ind-a'), {
        id: 'ind-a',
        state: 'Stable',
        protocol_type: 'consumer',
        protocol: 'RoundRobinAssigner',
        members: [{ client_id: 'member-a', client_host: '/127.0.0.1' }],
      });
      assert.deepEqual(byId.get('ind-b'), { id: 'ind-b', state: 'Empty', protocol_type: 'consumer', protocol: '', members: [] });
    });
  });

  it('@platformatic/kafka Admin: ListGroups state filter, DescribeGroups, OffsetDelete; KafkaJS DeleteGroups', async () => {
    const admin = new Admin({ clientId: 'pl-admin', bootstrapBrokers: [kafka.bootstrap] });
    try {
      const empty = await admin.listGroups({ states: ['Empty'] });
      assert.ok(empty.has('ind-b'));
      assert.ok(!empty.has('ind-a'));
      const described = await admin.describeGroups({ groups: ['ind-a'] });
      const g = described.get('ind-a')!;
      assert.deepEqual([g.state, g.protocolType, g.protocol, g.members.size], ['Stable', 'consumer', 'RoundRobinAssigner', 1]);
      // OffsetDelete: allowed for the empty group, refused while ind-a consumes the topic.
      await admin.deleteConsumerGroupOffsets({ groupId: 'ind-b', topics: [{ name: 'adm', partitionIndexes: [0, 1] }] });
      await assert.rejects(admin.deleteConsumerGroupOffsets({ groupId: 'ind-a', topics: [{ name: 'adm', partitionIndexes: [0] }] }));
      const left = await admin.listConsumerGroupOffsets({ groups: ['ind-b'] });
      const parts = left[0]!.topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, Number(p.committedOffset)]));
      assert.deepEqual(
        parts.sort((x, y) => x[0]! - y[0]!),
        [
          [2, 4],
          [3, 4],
          [4, 4],
          [5, 4],
        ],
      );
    } finally {
      await admin.close();
    }
    const ka = kafkajs(kafka.bootstrap).admin();
    await ka.connect();
    try {
      await assert.rejects(
        ka.deleteGroups(['ind-a']),
        (e: { groups?: Array<{ groupId: string; errorCode: number }> }) => e.groups?.[0]?.errorCode === 68,
      );
      assert.deepEqual(await ka.deleteGroups(['ind-b']), [{ groupId: 'ind-b', errorCode: 0 }]);
      const listed = (await ka.listGroups()).groups.map((x) => x.groupId);
      assert.ok(!listed.includes('ind-b'));
    } finally {
      await ka.disconnect();
    }
  });

  it('committed offsets and groups survive a broker restart', async () => {
    const a = members.find((m) => m.cfg.group === 'ind-a')!;
    await a.stop();
    await kafka.stop();
    kafka = await startBroker({ settings: SETTINGS, dataDir });
    await produce(kafka.bootstrap, 'adm', P, 2);
    const admin = kafkajs(kafka.bootstrap).admin();
    await admin.connect();
    try {
      const {
        groups: [g],
      } = await admin.describeGroups(['ind-a']);
      assert.equal(g!.state, 'Empty');
      const offsets = await admin.fetchOffsets({ groupId: 'ind-a', topics: ['adm'] });
      assert.deepEqual(
        offsets[0]!.partitions.map((p) => p.offset),
        ['4', '4', '4', '4', '4', '4'],
      );
    } finally {
      await admin.disconnect();
    }
    const again = start({ lib: 'kafkajs', bootstrap: kafka.bootstrap, group: 'ind-a', topic: 'adm' });
    await consumed(again, 6, 4);
    assert.deepEqual(
      [...again.records].filter((r) => Number(r.split(':')[1]) < 4),
      [],
    );
    await again.stop();
  });
});
