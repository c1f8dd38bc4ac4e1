// Classic group coordinator: LeaveGroup (batched), static membership (KIP-345), shard ownership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, subscription } from './group-harness.ts';
import { GroupCoordinator, type CoordinatorLog, type StoredRecord } from '../../src/coordinator/group/index.ts';
import { MockTime } from '@tributary/storage';

const E = {
  NONE: 0,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  NOT_COORDINATOR: 16,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  FENCED_INSTANCE_ID: 82,
};

async function stableThree(h: Harness) {
  const a = await h.stableSingleMember();
  const b = await h.joinNew({ clientId: 'b' });
  const c = await h.joinNew({ clientId: 'c2' });
  await h.join({ memberId: a });
  await Promise.all([b.result, c.result]);
  await (await h.sync(a, 2, [])).result;
  return [a, b.memberId, c.memberId] as const;
}

test('LeaveGroup v3+: batched members, per-member errors, the rest rebalance', async () => {
  const h = await Harness.start();
  const [a, b, c] = await stableThree(h);
  const r = await h.coordinator.leaveGroup({
    groupId: 'g',
    members: [
      { memberId: a, groupInstanceId: null },
      { memberId: b, groupInstanceId: null },
      { memberId: 'zzz', groupInstanceId: null },
    ],
  });
  assert.deepEqual(r, {
    errorCode: 0,
    members: [
      { memberId: a, groupInstanceId: null, errorCode: E.NONE },
      { memberId: b, groupInstanceId: null, errorCode: E.NONE },
      { memberId: 'zzz', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
    ],
  });
  const g = h.group('g')!;
  assert.equal(g.state, 'PreparingRebalance');
  assert.deepEqual([...g.members.keys()], [c]);
  assert.equal(g.leaderId, c, 'leadership passes to a remaining member');
  const rj = await (await h.join({ memberId: c, clientId: 'c2' })).result;
  assert.deepEqual([rj.generationId, rj.leader, rj.members.length], [3, c, 1]);

  const unknownGroup = await h.coordinator.leaveGroup({ groupId: 'nope', members: [{ memberId: 'x', groupInstanceId: null }] });
  assert.deepEqual(unknownGroup, { errorCode: 0, members: [{ memberId: 'x', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID }] });
});

test('the last member leaving empties the group (generation bumped, GroupMetadata record written)', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  const before = h.log.records.length;
  const r = await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: a, groupInstanceId: null }] });
  assert.equal(r.members[0]!.errorCode, 0);
  const g = h.group('g')!;
  assert.deepEqual([g.state, g.generationId, g.protocolName, g.leaderId], ['Empty', 2, null, null]);
  assert.equal(h.log.records.length, before + 1);
});

test('a member leaving while others are parked in PreparingRebalance completes the join', async () => {
  const h = await Harness.start();
  const [a, b, c] = await stableThree(h);
  const aj = await h.join({ memberId: a });
  const bj = await h.join({ memberId: b, clientId: 'b' });
  assert.equal(aj.settled(), false);
  await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: c, groupInstanceId: null }] });
  const [ra, rb] = await Promise.all([aj.result, bj.result]);
  assert.deepEqual([ra.generationId, ra.members.length, rb.generationId], [3, 2, 3]);
});

test('static member: joins without MEMBER_ID_REQUIRED, restart replaces the member id without a rebalance, old id fenced', async () => {
  const h = await Harness.start();
  const s = await h.join({ groupInstanceId: 'i1', clientId: 'app' });
  await h.advance(3000);
  const sj = await s.result;
  assert.deepEqual([sj.errorCode, sj.memberId], [0, 'i1-uuid1']);
  const d = await h.joinNew({ clientId: 'd' });
  await h.join({ memberId: 'i1-uuid1', groupInstanceId: 'i1', clientId: 'app' });
  await d.result;
  await (
    await h.sync(
      'i1-uuid1',
      2,
      [
        { memberId: 'i1-uuid1', assignment: Buffer.from('S') },
        { memberId: d.memberId, assignment: Buffer.from('D') },
      ],
      { groupInstanceId: 'i1' },
    )
  ).result;
  assert.equal(h.group('g')!.state, 'Stable');
  const records = h.log.records.length;

  // Restart of the static member (leader), JoinGroup v9: no rebalance, same generation, assignment kept.
  const restart = await (await h.join({ groupInstanceId: 'i1', clientId: 'app' })).result;
  assert.equal(restart.errorCode, 0);
  assert.equal(restart.memberId, 'i1-uuid3');
  assert.equal(restart.generationId, 2);
  assert.equal(restart.leader, 'i1-uuid3');
  assert.equal(restart.skipAssignment, true, 'v9: the leader skips the assignment');
  assert.equal(restart.members.length, 2);
  const g = h.group('g')!;
  assert.equal(g.state, 'Stable');
  assert.equal(h.log.records.length, records + 1, 'the new member id is persisted');
  assert.deepEqual((await (await h.sync('i1-uuid3', 2, [], { groupInstanceId: 'i1' })).result).assignment, Buffer.from('S'));

  // The old member id is fenced.
  assert.equal(await h.heartbeat('i1-uuid1', 2, 'i1'), E.FENCED_INSTANCE_ID);
  assert.equal((await (await h.sync('i1-uuid1', 2, [], { groupInstanceId: 'i1' })).result).errorCode, E.FENCED_INSTANCE_ID);
  const commit = await h.coordinator.commitOffsets({
    groupId: 'g',
    generationIdOrMemberEpoch: 2,
    memberId: 'i1-uuid1',
    groupInstanceId: 'i1',
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }],
      },
    ],
  });
  assert.equal(commit.topics[0]!.partitions[0]!.errorCode, E.FENCED_INSTANCE_ID);
  const leave = await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: 'i1-uuid1', groupInstanceId: 'i1' }] });
  assert.equal(leave.members[0]!.errorCode, E.FENCED_INSTANCE_ID);
  assert.equal(await h.heartbeat('i1-uuid3', 2, 'i1'), E.NONE);
});

test('static member restart on JoinGroup < v9 reports the previous leader id so the client does not reassign', async () => {
  const h = await Harness.start();
  const s = await h.join({ groupInstanceId: 'i1', apiVersion: 5 });
  await h.advance(3000);
  await s.result;
  await (await h.sync('i1-uuid1', 1, [{ memberId: 'i1-uuid1', assignment: Buffer.from('S') }], { groupInstanceId: 'i1' })).result;
  const r = await (await h.join({ groupInstanceId: 'i1', apiVersion: 5 })).result;
  assert.deepEqual([r.errorCode, r.memberId, r.leader, r.skipAssignment, r.members.length], [0, 'i1-uuid2', 'i1-uuid1', false, 0]);
  assert.equal(h.group('g')!.leaderId, 'i1-uuid2');
});

test('static member restart with protocols that change the selected protocol triggers a rebalance', async () => {
  const h = await Harness.start();
  const s = await h.join({ groupInstanceId: 'i1' });
  await h.advance(3000);
  await s.result;
  await (await h.sync('i1-uuid1', 1, [], { groupInstanceId: 'i1' })).result;
  const r = await h.join({
    groupInstanceId: 'i1',
    protocols: [
      { name: 'roundrobin', metadata: subscription('t') },
      { name: 'range', metadata: subscription('t') },
    ],
  });
  const res = await r.result; // only member, so the rebalance completes at once
  assert.deepEqual([res.memberId, res.generationId, res.protocolName], ['i1-uuid2', 2, 'roundrobin']);
});

test('a duplicate static member fences the parked join of the previous instance', async () => {
  const h = await Harness.start();
  const first = await h.join({ groupInstanceId: 'i1' });
  const second = await h.join({ groupInstanceId: 'i1' });
  const r1 = await first.result;
  assert.deepEqual([r1.errorCode, r1.memberId], [E.FENCED_INSTANCE_ID, 'i1-uuid1']);
  await h.advance(3000);
  const r2 = await second.result;
  assert.deepEqual([r2.errorCode, r2.memberId, r2.leader], [0, 'i1-uuid2', 'i1-uuid2']);
});

test('static members are not dropped by the rebalance timeout, only by the session timeout; admin leave by instance id', async () => {
  const h = await Harness.start();
  const opts = { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 };
  const s = await h.join({ ...opts, groupInstanceId: 'i1' });
  await h.advance(3000);
  await s.result;
  await (await h.sync('i1-uuid1', 1, [], { groupInstanceId: 'i1' })).result;
  const d = await h.joinNew({ ...opts, clientId: 'd' });
  await h.advance(20_000);
  const rd = await d.result;
  assert.deepEqual([rd.generationId, rd.members.map((m) => m.memberId)], [2, ['i1-uuid1', d.memberId]]);
  assert.ok(h.group('g')!.hasMember('i1-uuid1'), 'the static member stays in the generation');
  assert.equal(h.group('g')!.leaderId, d.memberId, 'a member that rejoined becomes leader');

  const leave = await h.coordinator.leaveGroup({
    groupId: 'g',
    members: [
      { memberId: '', groupInstanceId: 'i1' },
      { memberId: '', groupInstanceId: 'nobody' },
    ],
  });
  assert.deepEqual(
    leave.members.map((m) => m.errorCode),
    [E.NONE, E.UNKNOWN_MEMBER_ID],
  );
  assert.equal(h.group('g')!.hasStaticMember('i1'), false);
});

test('NOT_COORDINATOR without the partition, parked calls get NOT_COORDINATOR on unload', async () => {
  const h = await Harness.start();
  const j = await h.join();
  const first = await j.result;
  const parked = await h.join({ memberId: first.memberId });
  h.coordinator.unloadPartition(0);
  assert.equal((await parked.result).errorCode, E.NOT_COORDINATOR);
  assert.equal((await h.coordinator.joinGroup(h.joinReq())).errorCode, E.NOT_COORDINATOR);
  assert.equal(await h.heartbeat('x', 1), E.NOT_COORDINATOR);
  const f = await h.coordinator.fetchOffsets({ groupId: 'g', topics: null });
  assert.equal(f.errorCode, E.NOT_COORDINATOR);
  assert.equal((await h.coordinator.describeGroups(['g']))[0]!.errorCode, E.NOT_COORDINATOR);
});

test('COORDINATOR_LOAD_IN_PROGRESS while the partition loads (Heartbeat answers NONE)', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const log: CoordinatorLog = {
    append: async () => 0,
    // biome-ignore lint/correctness/useYield: the partition loads until the gate opens, then holds no records
    async *readAll(): AsyncIterable<StoredRecord> {
      await gate;
    },
  };
  const c = new GroupCoordinator({ config: { offsetsTopicNumPartitions: 1 }, time: new MockTime() });
  const loading = c.loadPartition(0, log);
  const req = {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    clientId: 'c',
    clientHost: 'h',
    apiVersion: 9,
  };
  assert.equal((await c.joinGroup(req)).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal((await c.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode, E.NONE);
  assert.equal((await c.listGroups()).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
  release();
  await loading;
  assert.equal((await c.joinGroup(req)).errorCode, 79);
  c.shutdown();
});

test('groups land on partition abs(hashCode(groupId)) % offsets.topic.num.partitions', async () => {
  const c = new GroupCoordinator({ time: new MockTime() });
  assert.equal(c.partitionFor('hello'), 22); // "hello".hashCode() = 99162322
  assert.equal(c.partitionFor('polygenelubricants'), 0); // hashCode = Integer.MIN_VALUE
});

test('group.max.size: joins beyond it get GROUP_MAX_SIZE_REACHED; an Empty group answers members with UNKNOWN_MEMBER_ID', async () => {
  const h = await Harness.start({ groupMaxSize: 1 });
  const a = await h.stableSingleMember();
  const over = await h.coordinator.joinGroup(h.joinReq({ apiVersion: 3, clientId: 'd' }));
  assert.deepEqual([over.errorCode, over.memberId], [81, '']);
  assert.equal(h.group('g')!.numMembers, 1);
  await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: a, groupInstanceId: null }] });
  assert.equal(h.group('g')!.state, 'Empty');
  assert.equal(await h.heartbeat(a, 2), E.UNKNOWN_MEMBER_ID);
  assert.equal((await (await h.sync(a, 2)).result).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal((await h.coordinator.joinGroup(h.joinReq({ memberId: a }))).errorCode, E.UNKNOWN_MEMBER_ID);
});

test('a corrupt __consumer_offsets record fails the load: NOT_COORDINATOR, not an endless LOAD_IN_PROGRESS', async () => {
  const h = await Harness.start();
  await h.coordinator.commitOffsets({
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }],
      },
    ],
  });
  h.log.records[0]!.value = Buffer.from([0, 3, 0, 0]);
  const c = h.newCoordinator();
  await assert.rejects(c.loadPartition(0, h.log), /OffsetCommitValue|truncated|buffer/i);
  assert.equal((await c.joinGroup(h.joinReq())).errorCode, E.NOT_COORDINATOR);
});
