// Offset and admin group APIs over real sockets (generated codec): OffsetCommit/OffsetFetch at
// several versions, ListGroups, DescribeGroups, DeleteGroups, OffsetDelete, and committed
// offsets and groups surviving a broker restart on the same data dir.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ApiKey } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { join } from './helpers/group-client.ts';

const SETTINGS = { 'offsets.topic.num.partitions': 3, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 };

const commit = (groupId: string, offsets: Array<[string, number, number, string | null]>, extra: Record<string, unknown> = {}) => ({
  groupId,
  generationIdOrMemberEpoch: -1,
  memberId: '',
  groupInstanceId: null,
  retentionTimeMs: -1n,
  ...extra,
  topics: [...new Set(offsets.map((o) => o[0]))].map((name) => ({
    name,
    partitions: offsets
      .filter((o) => o[0] === name)
      .map(([, p, off, md]) => ({
        partitionIndex: p,
        committedOffset: BigInt(off),
        committedLeaderEpoch: 3,
        commitTimestamp: -1n,
        committedMetadata: md,
      })),
  })),
});

describe('group offset and admin APIs', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  before(async () => {
    kafka = await startTestBroker(SETTINGS, {}, { keep: true });
    c = await kafkaClient(kafka.port);
    await c.request(ApiKey.FindCoordinator, 1, { key: 'any', keyType: 0 });
    const created = await c.request(ApiKey.CreateTopics, 5, {
      topics: [
        ['t', 3],
        ['u', 1],
        ['kept', 1],
      ].map(([name, n]) => ({ name: name as string, numPartitions: n as number, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.deepEqual(
      created.topics.map((t) => t.errorCode),
      [0, 0, 0],
    );
  });
  after(async () => {
    c.close();
    await kafka.stop();
    rmSync(kafka.dataDir, { recursive: true, force: true });
  });

  it('commits and fetches at v0, v1, v2, v5 and v8 (several groups); metadata round-trips', async () => {
    for (const [v, group] of [
      [0, 'o0'],
      [1, 'o1'],
      [2, 'o2'],
      [5, 'o5'],
      [8, 'o8'],
    ] as const) {
      const res = await c.request(
        ApiKey.OffsetCommit,
        v,
        commit(group, [
          ['t', 0, 10 + v, `md-${v}`],
          ['t', 1, 20 + v, null],
          ['u', 0, 5, ''],
        ]),
      );
      assert.deepEqual(
        res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
        [
          [
            't',
            [
              [0, 0],
              [1, 0],
            ],
          ],
          ['u', [[0, 0]]],
        ],
        `v${v}`,
      );
    }
    const v1 = await c.request(ApiKey.OffsetFetch, 1, { groupId: 'o1', topics: [{ name: 't', partitionIndexes: [0, 1, 2] }] });
    assert.deepEqual(
      v1.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
      [
        [0, 11n, 'md-1', 0],
        [1, 21n, '', 0],
        [2, -1n, '', 0],
      ],
    );
    // v2+: null topics = every committed partition.
    const all = await c.request(ApiKey.OffsetFetch, 5, { groupId: 'o5', topics: null });
    assert.equal(all.errorCode, 0);
    const flat = all.topics.flatMap((t) =>
      t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata]),
    );
    flat.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
    // CommittedLeaderEpoch is sent from OffsetCommit v6 on; a null metadata is stored as '' (Kafka's NO_METADATA).
    assert.deepEqual(flat, [
      ['t', 0, 15n, -1, 'md-5'],
      ['t', 1, 25n, -1, ''],
      ['u', 0, 5n, -1, ''],
    ]);
    const v8 = await c.request(ApiKey.OffsetFetch, 8, {
      groups: [
        { groupId: 'o0', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] },
        { groupId: 'o8', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: true,
    });
    assert.deepEqual(
      v8.groups.map((g) => [g.groupId, g.errorCode, g.topics.reduce((n, t) => n + t.partitions.length, 0)]),
      [
        ['o0', 0, 1],
        ['o8', 0, 3],
      ],
    );
    assert.equal(v8.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 10n);
    const o8 = v8.groups[1]!.topics.find((t) => t.name === 't')!.partitions.find((p) => p.partitionIndex === 0)!;
    assert.deepEqual([o8.committedOffset, o8.committedLeaderEpoch, o8.metadata], [18n, 3, 'md-8']);
  });

  it('OffsetCommit and OffsetDelete answer UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist', async () => {
    const res = await c.request(
      ApiKey.OffsetCommit,
      8,
      commit('unknown-tp', [
        ['t', 0, 1, null],
        ['t', 9, 1, null],
        ['nope', 0, 1, null],
      ]),
    );
    assert.deepEqual(
      res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [
        [
          't',
          [
            [0, 0],
            [9, 3],
          ],
        ],
        ['nope', [[0, 3]]],
      ],
    );
    const fetched = await c.request(ApiKey.OffsetFetch, 5, { groupId: 'unknown-tp', topics: null });
    assert.deepEqual(
      fetched.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
      [['t', [0]]],
    );
    const del = await c.request(ApiKey.OffsetDelete, 0, {
      groupId: 'unknown-tp',
      topics: [
        { name: 'nope', partitions: [{ partitionIndex: 0 }] },
        { name: 't', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    assert.deepEqual(
      [del.errorCode, del.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)])],
      [
        0,
        [
          ['nope', [3]],
          ['t', [0]],
        ],
      ],
    );
  });

  it('OffsetCommit from a group member checks the generation (ILLEGAL_GENERATION on every partition)', async () => {
    const m = await join(kafka.port, 'members');
    await m.client.request(ApiKey.SyncGroup, 1, {
      groupId: 'members',
      generationId: m.generationId,
      memberId: m.memberId,
      assignments: [{ memberId: m.memberId, assignment: Buffer.alloc(0) }],
    });
    const ok = await c.request(
      ApiKey.OffsetCommit,
      7,
      commit('members', [['t', 0, 7, null]], { generationIdOrMemberEpoch: m.generationId, memberId: m.memberId }),
    );
    assert.equal(ok.topics[0]!.partitions[0]!.errorCode, 0);
    const bad = await c.request(
      ApiKey.OffsetCommit,
      7,
      commit(
        'members',
        [
          ['t', 0, 8, null],
          ['t', 1, 8, null],
        ],
        { generationIdOrMemberEpoch: m.generationId + 5, memberId: m.memberId },
      ),
    );
    assert.deepEqual(
      bad.topics[0]!.partitions.map((p) => p.errorCode),
      [22, 22],
    );
    const unknown = await c.request(
      ApiKey.OffsetCommit,
      9,
      commit('nobody', [['t', 0, 1, null]], { generationIdOrMemberEpoch: 3, memberId: 'x' }),
    );
    assert.equal(unknown.topics[0]!.partitions[0]!.errorCode, 69); // GROUP_ID_NOT_FOUND (v9)
    m.client.close();
  });

  it('ListGroups (state and type filters), DescribeGroups with members and assignment', async () => {
    const m = await join(kafka.port, 'described');
    await m.client.request(ApiKey.SyncGroup, 2, {
      groupId: 'described',
      generationId: m.generationId,
      memberId: m.memberId,
      assignments: [{ memberId: m.memberId, assignment: Buffer.from('A') }],
    });
    const v0 = await c.request(ApiKey.ListGroups, 0, {});
    assert.equal(v0.errorCode, 0);
    assert.ok(['o0', 'o8', 'described'].every((g) => v0.groups.some((x) => x.groupId === g)));
    const stable = await c.request(ApiKey.ListGroups, 4, { statesFilter: ['Stable'] });
    assert.ok(stable.groups.some((g) => g.groupId === 'described' && g.groupState === 'Stable' && g.protocolType === 'consumer'));
    assert.ok(!stable.groups.some((g) => g.groupId === 'o0'));
    const classic = await c.request(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
    assert.deepEqual(classic.groups, []);
    const d = await c.request(ApiKey.DescribeGroups, 5, { groups: ['described', 'missing'], includeAuthorizedOperations: false });
    const [g, missing] = d.groups;
    assert.deepEqual([g!.errorCode, g!.groupState, g!.protocolType, g!.protocolData], [0, 'Stable', 'consumer', 'range']);
    assert.deepEqual(
      g!.members.map((x) => [x.memberId, x.clientId, x.clientHost, x.memberAssignment.toString()]),
      [[m.memberId, 'test', '/127.0.0.1', 'A']],
    );
    assert.deepEqual([missing!.errorCode, missing!.groupState, missing!.members.length], [0, 'Dead', 0]);
    m.client.close();
  });

  it('DeleteGroups refuses a group with members, deletes an empty one with its offsets', async () => {
    const m = await join(kafka.port, 'busy');
    const res = await c.request(ApiKey.DeleteGroups, 2, { groupsNames: ['busy', 'o2', 'never'] });
    assert.deepEqual(
      res.results.map((r) => [r.groupId, r.errorCode]),
      [
        ['busy', 68],
        ['o2', 0],
        ['never', 69],
      ],
    );
    const fetched = await c.request(ApiKey.OffsetFetch, 3, { groupId: 'o2', topics: null });
    assert.deepEqual(fetched.topics, []);
    m.client.close();
  });

  it('OffsetDelete removes offsets of topics the group does not consume, refuses subscribed ones', async () => {
    const res = await c.request(ApiKey.OffsetDelete, 0, { groupId: 'o1', topics: [{ name: 'u', partitions: [{ partitionIndex: 0 }] }] });
    assert.deepEqual([res.errorCode, res.topics[0]!.partitions[0]!.errorCode], [0, 0]);
    const left = await c.request(ApiKey.OffsetFetch, 6, {
      groupId: 'o1',
      topics: [{ name: 'u', partitionIndexes: [0] }],
      requireStable: false,
    });
    assert.equal(left.topics[0]!.partitions[0]!.committedOffset, -1n);
    const m = await join(kafka.port, 'subscribed');
    await m.client.request(ApiKey.SyncGroup, 0, {
      groupId: 'subscribed',
      generationId: m.generationId,
      memberId: m.memberId,
      assignments: [{ memberId: m.memberId, assignment: Buffer.alloc(0) }],
    });
    const refused = await c.request(ApiKey.OffsetDelete, 0, {
      groupId: 'subscribed',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }],
    });
    assert.equal(refused.topics[0]!.partitions[0]!.errorCode, 86); // GROUP_SUBSCRIBED_TO_TOPIC
    const none = await c.request(ApiKey.OffsetDelete, 0, { groupId: 'nope', topics: [] });
    assert.equal(none.errorCode, 69);
    m.client.close();
  });

  it('DeleteTopics drops the committed offsets of the deleted topic from every group', async () => {
    await c.request(ApiKey.CreateTopics, 5, {
      topics: [{ name: 'doomed', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    await c.request(
      ApiKey.OffsetCommit,
      2,
      commit('del-1', [
        ['doomed', 0, 3, null],
        ['kept', 0, 4, null],
      ]),
    );
    await c.request(ApiKey.OffsetCommit, 2, commit('del-2', [['doomed', 1, 5, null]]));
    const del = await c.request(ApiKey.DeleteTopics, 1, { topicNames: ['doomed'], timeoutMs: 5000 });
    assert.equal(del.responses[0]!.errorCode, 0);
    await kafka.broker.services.groupCoordinator.coordinator.idle();
    const one = await c.request(ApiKey.OffsetFetch, 5, { groupId: 'del-1', topics: null });
    assert.deepEqual(
      one.topics.map((t) => t.name),
      ['kept'],
    );
    const two = await c.request(ApiKey.OffsetFetch, 5, { groupId: 'del-2', topics: null });
    assert.deepEqual(two.topics, []);
  });

  it('committed offsets and groups survive a broker restart on the same data dir', async () => {
    c.close();
    await kafka.stop();
    kafka = await startTestBroker({ ...SETTINGS, 'log.dirs': kafka.dataDir }, {}, { keep: true });
    await kafka.broker.services.groupCoordinator.loaded();
    c = await kafkaClient(kafka.port);
    const fetched = await c.request(ApiKey.OffsetFetch, 1, {
      groupId: 'o1',
      topics: [
        { name: 't', partitionIndexes: [0, 1] },
        { name: 'u', partitionIndexes: [0] },
      ],
    });
    assert.deepEqual(
      fetched.topics.map((t) => t.partitions.map((p) => [p.committedOffset, p.metadata])),
      [
        [
          [11n, 'md-1'],
          [21n, ''],
        ],
        [[-1n, '']],
      ],
    );
    const list = await c.request(ApiKey.ListGroups, 4, { statesFilter: [] });
    const byId = new Map(list.groups.map((g) => [g.groupId, g.groupState]));
    assert.equal(byId.get('described'), 'Stable'); // its member is back until its session times out
    assert.equal(byId.get('o2'), undefined); // deleted before the restart
    const d = await c.request(ApiKey.DescribeGroups, 1, { groups: ['described'] });
    assert.equal(d.groups[0]!.members[0]!.memberAssignment.toString(), 'A');
  });

  it('an existing __consumer_offsets keeps its partition count when offsets.topic.num.partitions changes', async () => {
    c.close();
    await kafka.stop();
    kafka = await startTestBroker({ ...SETTINGS, 'offsets.topic.num.partitions': 7, 'log.dirs': kafka.dataDir }, {}, { keep: true });
    await kafka.broker.services.groupCoordinator.loaded();
    c = await kafkaClient(kafka.port);
    assert.equal(kafka.broker.services.groupCoordinator.numPartitions, 3);
    const fetched = await c.request(ApiKey.OffsetFetch, 1, { groupId: 'o1', topics: [{ name: 't', partitionIndexes: [0] }] });
    assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 11n);
  });
});
