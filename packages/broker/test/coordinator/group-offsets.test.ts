// Group coordinator: OffsetCommit / OffsetFetch / OffsetDelete, expiry, ListGroups,
// DescribeGroups, DeleteGroups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, subscription } from './group-harness.ts';
import type { OffsetCommitRequest } from '../../src/coordinator/group/index.ts';

const E = {
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
};

function commitReq(over: Partial<OffsetCommitRequest> & { offsets?: [string, number, number, string?][] } = {}): OffsetCommitRequest {
  const { offsets = [['t', 0, 10]], ...rest } = over;
  const topics = new Map<string, OffsetCommitRequest['topics'][number]>();
  for (const [name, partitionIndex, committedOffset, md] of offsets) {
    if (!topics.has(name)) topics.set(name, { name, partitions: [] });
    topics
      .get(name)!
      .partitions.push({ partitionIndex, committedOffset, committedLeaderEpoch: 3, commitTimestamp: -1, committedMetadata: md ?? null });
  }
  return {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [...topics.values()],
    ...rest,
  };
}

const codes = (r: { topics: { partitions: { errorCode: number }[] }[] }) => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

test('simple commits (generation -1) create a simple group; fetch listed and all partitions; metadata round-trips', async () => {
  const h = await Harness.start();
  const r = await h.coordinator.commitOffsets(
    commitReq({
      offsets: [
        ['t', 0, 10, 'meta-0'],
        ['t', 1, 20],
        ['u', 0, 5, ''],
      ],
    }),
  );
  assert.deepEqual(codes(r), [0, 0, 0]);
  const g = h.group('g')!;
  assert.deepEqual([g.state, g.protocolType], ['Empty', null]);
  const f = await h.coordinator.fetchOffsets({
    groupId: 'g',
    topics: [
      { name: 't', partitionIndexes: [0, 1, 2] },
      { name: 'x', partitionIndexes: [0] },
    ],
  });
  assert.deepEqual(f, {
    groupId: 'g',
    errorCode: 0,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'meta-0', errorCode: 0 },
          { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: 3, metadata: '', errorCode: 0 },
          { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
        ],
      },
      { name: 'x', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
    ],
  });
  const all = await h.coordinator.fetchOffsets({ groupId: 'g', topics: null });
  assert.deepEqual(
    all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]),
    [
      [
        't',
        [
          [0, 10],
          [1, 20],
        ],
      ],
      ['u', [[0, 5]]],
    ],
  );
  const none = await h.coordinator.fetchOffsets({ groupId: 'other', topics: null });
  assert.deepEqual(none, { groupId: 'other', errorCode: 0, topics: [] });
  assert.deepEqual(
    h.log.records.map((rec) => rec.key.readInt16BE(0)),
    [1, 1, 1],
  );
});

test('commit checks: generation, member, group existence (v9 GROUP_ID_NOT_FOUND), rebalance state, metadata size', async () => {
  const h = await Harness.start({ offsetMetadataMaxSize: 5 });
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ groupId: 'nope', generationIdOrMemberEpoch: 1, memberId: 'm' }))), [
    E.ILLEGAL_GENERATION,
  ]);
  assert.deepEqual(
    codes(await h.coordinator.commitOffsets(commitReq({ groupId: 'nope', generationIdOrMemberEpoch: 1, memberId: 'm', apiVersion: 9 }))),
    [E.GROUP_ID_NOT_FOUND],
  );
  const a = await h.stableSingleMember();
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 1, memberId: a }))), [E.NONE]);
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 0, memberId: a }))), [
    E.ILLEGAL_GENERATION,
  ]);
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 1, memberId: 'ghost' }))), [
    E.UNKNOWN_MEMBER_ID,
  ]);
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq())), [E.UNKNOWN_MEMBER_ID], 'simple commits need an empty group');
  assert.deepEqual(
    codes(
      await h.coordinator.commitOffsets(
        commitReq({
          generationIdOrMemberEpoch: 1,
          memberId: a,
          offsets: [
            ['t', 0, 1, 'short'],
            ['t', 1, 1, 'toolong'],
          ],
        }),
      ),
    ),
    [E.NONE, E.OFFSET_METADATA_TOO_LARGE],
  );

  // PreparingRebalance: the previous generation may still commit.
  const b = await h.joinNew({ clientId: 'd' });
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 1, memberId: a }))), [E.NONE]);
  await h.join({ memberId: a });
  await b.result;
  assert.equal(h.group('g')!.state, 'CompletingRebalance');
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 2, memberId: a }))), [
    E.REBALANCE_IN_PROGRESS,
  ]);
});

test('a commit keeps the member session alive', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  for (let i = 0; i < 4; i++) {
    await h.advance(6000);
    assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 1, memberId: a }))), [E.NONE]);
  }
  assert.equal(h.group('g')!.state, 'Stable');
});

test('OffsetDelete: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, GROUP_SUBSCRIBED_TO_TOPIC, tombstones for the rest', async () => {
  const h = await Harness.start();
  assert.equal((await h.coordinator.deleteOffsets({ groupId: 'nope', topics: [] })).errorCode, E.GROUP_ID_NOT_FOUND);
  const a = await h.stableSingleMember(); // subscribed to 't'
  await h.coordinator.commitOffsets(
    commitReq({
      generationIdOrMemberEpoch: 1,
      memberId: a,
      offsets: [
        ['t', 0, 1],
        ['old', 0, 7],
        ['old', 1, 8],
      ],
    }),
  );
  const r = await h.coordinator.deleteOffsets({
    groupId: 'g',
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0 }] },
      { name: 'old', partitions: [{ partitionIndex: 0 }, { partitionIndex: 5 }] },
    ],
  });
  assert.deepEqual(r, {
    errorCode: 0,
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }] },
      {
        name: 'old',
        partitions: [
          { partitionIndex: 0, errorCode: 0 },
          { partitionIndex: 5, errorCode: 0 },
        ],
      },
    ],
  });
  const f = await h.coordinator.fetchOffsets({ groupId: 'g', topics: null });
  assert.deepEqual(
    f.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
    [
      ['t', [0]],
      ['old', [1]],
    ],
  );
  const last = h.log.records.at(-1)!;
  assert.equal(last.value, null, 'a tombstone was appended');

  const h2 = await Harness.start();
  const m = await h2.stableSingleMember({ protocolType: 'connect' });
  assert.ok(m);
  assert.equal((await h2.coordinator.deleteOffsets({ groupId: 'g', topics: [] })).errorCode, E.NON_EMPTY_GROUP);
});

test('offsets expire offsets.retention after the group became Empty; the empty group is then deleted', async () => {
  const h = await Harness.start({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const a = await h.stableSingleMember();
  await h.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 1, memberId: a }));
  await h.advance(100_000); // the member never heartbeats: evicted at +10s, Empty, expired 60s later
  assert.equal(h.group('g'), undefined, 'no heartbeats: the member timed out, the group emptied and expired');

  const h2 = await Harness.start({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const b = await h2.stableSingleMember();
  await h2.coordinator.commitOffsets(commitReq({ generationIdOrMemberEpoch: 1, memberId: b }));
  await h2.advance(5000);
  await h2.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: b, groupInstanceId: null }] }); // Empty at +5000
  await h2.advance(54_000);
  assert.equal((await h2.coordinator.fetchOffsets({ groupId: 'g', topics: null })).topics.length, 1);
  await h2.advance(10_000); // check at +70000 >= Empty since +5000 plus 60000
  assert.equal((await h2.coordinator.fetchOffsets({ groupId: 'g', topics: null })).topics.length, 0);
  assert.equal(h2.group('g'), undefined);
  await h2.restart();
  assert.equal(h2.group('g'), undefined, 'the deletion is durable');
});

test('simple-group offsets expire from their commit time; explicit retention (v2-v4) wins', async () => {
  const h = await Harness.start({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  await h.coordinator.commitOffsets(commitReq({ offsets: [['t', 0, 1]] }));
  await h.advance(30_000);
  await h.coordinator.commitOffsets(commitReq({ offsets: [['t', 1, 1]] }));
  await h.coordinator.commitOffsets(commitReq({ groupId: 'short', retentionTimeMs: 15_000, offsets: [['t', 0, 1]] }));
  await h.advance(20_000); // t=50000
  assert.equal(h.group('short'), undefined, 'explicit 15s retention expired and the group went with it');
  await h.advance(20_000); // t=70000: partition 0 expired (committed at 0), partition 1 (at 30000) not yet
  const f = await h.coordinator.fetchOffsets({ groupId: 'g', topics: null });
  assert.deepEqual(
    f.topics.map((t) => t.partitions.map((p) => p.partitionIndex)),
    [[1]],
  );
  await h.advance(30_000);
  assert.equal(h.group('g'), undefined);
});

test('a Stable consumer group expires offsets of topics it no longer subscribes to', async () => {
  const h = await Harness.start({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const a = await h.stableSingleMember({ sessionTimeoutMs: 300_000 });
  await h.coordinator.commitOffsets(
    commitReq({
      generationIdOrMemberEpoch: 1,
      memberId: a,
      offsets: [
        ['t', 0, 1],
        ['gone', 0, 2],
      ],
    }),
  );
  await h.advance(70_000);
  const f = await h.coordinator.fetchOffsets({ groupId: 'g', topics: null });
  assert.deepEqual(
    f.topics.map((t) => t.name),
    ['t'],
  );
  assert.equal(h.group('g')!.state, 'Stable');
});

test('ListGroups (state filter), DescribeGroups, DeleteGroups', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  await h.coordinator.commitOffsets(commitReq({ groupId: 'simple', offsets: [['t', 0, 1]] }));
  assert.deepEqual((await h.coordinator.listGroups()).groups, [
    { groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
    { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
  ]);
  assert.deepEqual(
    (await h.coordinator.listGroups({ statesFilter: ['empty'] })).groups.map((g) => g.groupId),
    ['simple'],
  );
  assert.deepEqual(
    (await h.coordinator.listGroups({ statesFilter: ['Stable', 'PreparingRebalance'] })).groups.map((g) => g.groupId),
    ['g'],
  );

  const [dg, dn] = await h.coordinator.describeGroups(['g', 'nope']);
  assert.deepEqual(dg, {
    errorCode: 0,
    groupId: 'g',
    groupState: 'Stable',
    protocolType: 'consumer',
    protocolData: 'range',
    members: [
      {
        memberId: a,
        groupInstanceId: null,
        clientId: 'c',
        clientHost: '/127.0.0.1',
        memberMetadata: subscription('t'),
        memberAssignment: Buffer.from('A'),
      },
    ],
  });
  assert.deepEqual(dn, { errorCode: 0, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [] });
  await h.joinNew({ clientId: 'd' });
  const [rebalancing] = await h.coordinator.describeGroups(['g']);
  assert.equal(rebalancing!.groupState, 'PreparingRebalance');
  assert.equal(rebalancing!.protocolData, '');
  assert.deepEqual(
    rebalancing!.members.map((m) => [m.memberMetadata.length, m.memberAssignment.length]),
    [
      [0, 0],
      [0, 0],
    ],
  );

  const del = await h.coordinator.deleteGroups(['g', 'simple', 'nope', '']);
  assert.deepEqual(
    del.map((d) => [d.groupId, d.errorCode]),
    [
      ['g', E.NON_EMPTY_GROUP],
      ['simple', 0],
      ['nope', E.GROUP_ID_NOT_FOUND],
      ['', E.GROUP_ID_NOT_FOUND],
    ],
  );
  assert.equal(h.group('simple'), undefined);
  assert.deepEqual((await h.coordinator.fetchOffsets({ groupId: 'simple', topics: null })).topics, []);
  await h.restart();
  assert.equal(h.group('simple'), undefined);
  assert.deepEqual((await h.coordinator.fetchOffsets({ groupId: 'simple', topics: null })).topics, []);
});

test('a failed append answers COORDINATOR_NOT_AVAILABLE and changes nothing', async () => {
  const h = await Harness.start();
  h.log.failAppends = new Error('disk on fire');
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq())), [E.COORDINATOR_NOT_AVAILABLE]);
  assert.equal(
    (await h.coordinator.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!
      .committedOffset,
    -1,
  );
  const j = await h.coordinator.joinGroup(h.joinReq({ groupId: 'fresh' }));
  assert.equal(j.errorCode, E.COORDINATOR_NOT_AVAILABLE);
  h.log.failAppends = null;
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq())), [E.NONE]);
});

test("deleting a topic removes every group's committed offsets for it", async () => {
  const h = await Harness.start();
  await h.coordinator.commitOffsets(
    commitReq({
      groupId: 'g1',
      offsets: [
        ['t', 0, 1],
        ['t', 1, 2],
        ['keep', 0, 3],
      ],
    }),
  );
  await h.coordinator.commitOffsets(commitReq({ groupId: 'g2', offsets: [['t', 4, 5]] }));
  await h.coordinator.onTopicsDeleted(['t', 'unknown']);
  const f1 = await h.coordinator.fetchOffsets({ groupId: 'g1', topics: null });
  const f2 = await h.coordinator.fetchOffsets({ groupId: 'g2', topics: null });
  assert.deepEqual([f1.topics.map((t) => t.name), f2.topics], [['keep'], []]);
  assert.deepEqual(
    h.log.records.slice(-3).map((r) => r.value),
    [null, null, null],
  );
});
