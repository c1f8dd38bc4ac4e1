// Group membership APIs over real sockets (generated codec): FindCoordinator, JoinGroup with
// MEMBER_ID_REQUIRED, SyncGroup, Heartbeat, LeaveGroup, a two-member rebalance.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { join, joinBody } from './helpers/group-client.ts';
import { topicsOf } from './helpers/test-topics.ts';

const SETTINGS = { 'offsets.topic.num.partitions': 5, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 };

describe('group membership APIs', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  before(async () => {
    kafka = await startTestBroker(SETTINGS);
    c = await kafkaClient(kafka.port);
  });
  after(async () => {
    c.close();
    await kafka.stop();
  });

  it('FindCoordinator v0-3 answers this broker and creates __consumer_offsets', async () => {
    for (const v of [0, 1, 2, 3]) {
      const res = await c.request(ApiKey.FindCoordinator, v, { key: 'g1', keyType: 0 });
      assert.equal(res.errorCode, 0);
      assert.equal(res.nodeId, kafka.broker.config.nodeId);
      assert.equal(res.host, '127.0.0.1');
      assert.equal(res.port, kafka.port);
    }
    const topic = topicsOf(kafka.broker).topic('__consumer_offsets');
    assert.equal(topic?.partitions.length, 5);
    assert.equal(topic?.internal, true);
  });

  it('FindCoordinator v4+ answers every key, of groups and transactions', async () => {
    const res = await c.request(ApiKey.FindCoordinator, 6, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    assert.deepEqual(
      res.coordinators.map((k) => [k.key, k.nodeId, k.port, k.errorCode]),
      [
        ['a', kafka.broker.config.nodeId, kafka.port, 0],
        ['b', kafka.broker.config.nodeId, kafka.port, 0],
      ],
    );
    const txn = await c.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['tx'] });
    assert.deepEqual(
      txn.coordinators.map((k) => [k.key, k.nodeId, k.host, k.port, k.errorCode]),
      [['tx', kafka.broker.config.nodeId, '127.0.0.1', kafka.port, 0]],
    );
    const bad = await c.request(ApiKey.FindCoordinator, 2, { key: 'x', keyType: 7 });
    assert.equal(bad.errorCode, 42);
  });

  it('join, sync, heartbeat, leave: MEMBER_ID_REQUIRED then generation 1 with this member as leader', async () => {
    const first = await c.request(ApiKey.JoinGroup, 5, joinBody('flow', ''));
    assert.equal(first.errorCode, 79);
    assert.match(first.memberId, /^test-/);
    const joined = await c.request(ApiKey.JoinGroup, 5, joinBody('flow', first.memberId));
    assert.equal(joined.errorCode, 0);
    assert.equal(joined.generationId, 1);
    assert.equal(joined.leader, first.memberId);
    assert.equal(joined.protocolName, 'range');
    assert.deepEqual(
      joined.members.map((m) => m.memberId),
      [first.memberId],
    );
    const assignment = Buffer.from('my-assignment');
    const sync = await c.request(ApiKey.SyncGroup, 5, {
      groupId: 'flow',
      generationId: 1,
      memberId: first.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: first.memberId, assignment }],
    });
    assert.equal(sync.errorCode, 0);
    assert.deepEqual(sync.assignment, assignment);
    assert.equal(sync.protocolName, 'range');
    const hb = await c.request(ApiKey.Heartbeat, 4, { groupId: 'flow', generationId: 1, memberId: first.memberId, groupInstanceId: null });
    assert.equal(hb.errorCode, 0);
    const stale = await c.request(ApiKey.Heartbeat, 0, { groupId: 'flow', generationId: 0, memberId: first.memberId });
    assert.equal(stale.errorCode, 22); // ILLEGAL_GENERATION
    const leave = await c.request(ApiKey.LeaveGroup, 5, {
      groupId: 'flow',
      members: [{ memberId: first.memberId, groupInstanceId: null, reason: 'done' }],
    });
    assert.equal(leave.errorCode, 0);
    assert.deepEqual(
      leave.members.map((m) => [m.memberId, m.errorCode]),
      [[first.memberId, 0]],
    );
    const gone = await c.request(ApiKey.Heartbeat, 2, { groupId: 'flow', generationId: 1, memberId: first.memberId });
    assert.equal(gone.errorCode, 25); // UNKNOWN_MEMBER_ID
  });

  it('JoinGroup v0 (no member id round) and LeaveGroup v0 with the member result at the top level', async () => {
    const res = await c.request(ApiKey.JoinGroup, 0, {
      groupId: 'old',
      sessionTimeoutMs: 5000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }],
    });
    assert.equal(res.errorCode, 0);
    assert.equal(res.generationId, 1);
    assert.equal(res.leader, res.memberId);
    const leave = await c.request(ApiKey.LeaveGroup, 0, { groupId: 'old', memberId: res.memberId });
    assert.equal(leave.errorCode, 0);
    const again = await c.request(ApiKey.LeaveGroup, 1, { groupId: 'old', memberId: res.memberId });
    assert.equal(again.errorCode, 25);
  });

  it('INVALID_SESSION_TIMEOUT below group.min.session.timeout.ms', async () => {
    const res = await c.request(ApiKey.JoinGroup, 7, joinBody('short', '', ['t'], 500));
    assert.equal(res.errorCode, 26);
  });

  it('two members: the second join rebalances the first, both get their own assignment', async () => {
    const a = await join(kafka.port, 'pair');
    assert.equal(a.generationId, 1);
    const sa = await a.client.request(ApiKey.SyncGroup, 3, {
      groupId: 'pair',
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      assignments: [{ memberId: a.memberId, assignment: Buffer.from('all') }],
    });
    assert.equal(sa.errorCode, 0);

    const bJoin = join(kafka.port, 'pair');
    // A learns about the rebalance through its heartbeat, then rejoins.
    let hb = 0;
    for (let i = 0; i < 50 && hb !== 27; i++) {
      hb = (await a.client.request(ApiKey.Heartbeat, 3, { groupId: 'pair', generationId: 1, memberId: a.memberId, groupInstanceId: null }))
        .errorCode;
      if (hb !== 27) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(hb, 27); // REBALANCE_IN_PROGRESS
    const aRejoin = await a.client.request(ApiKey.JoinGroup, 5, joinBody('pair', a.memberId));
    const b = await bJoin;
    assert.equal(aRejoin.errorCode, 0);
    assert.equal(aRejoin.generationId, 2);
    assert.equal(b.generationId, 2);
    const leader = aRejoin.leader;
    assert.equal(b.leader, leader);
    // Only the leader's JoinGroup response lists the members.
    assert.equal(aRejoin.members.length, leader === a.memberId ? 2 : 0);
    const assignments = [
      { memberId: a.memberId, assignment: Buffer.from('p0') },
      { memberId: b.memberId, assignment: Buffer.from('p1') },
    ];
    const leaderClient = leader === a.memberId ? a.client : b.client;
    const followerClient = leader === a.memberId ? b.client : a.client;
    const followerId = leader === a.memberId ? b.memberId : a.memberId;
    const followerSync = followerClient.request(ApiKey.SyncGroup, 4, {
      groupId: 'pair',
      generationId: 2,
      memberId: followerId,
      groupInstanceId: null,
      assignments: [],
    });
    const leaderSync = await leaderClient.request(ApiKey.SyncGroup, 4, {
      groupId: 'pair',
      generationId: 2,
      memberId: leader,
      groupInstanceId: null,
      assignments,
    });
    assert.equal(leaderSync.errorCode, 0);
    assert.equal((await followerSync).errorCode, 0);
    assert.equal((leader === a.memberId ? leaderSync : await followerSync).assignment.toString(), 'p0');
    assert.equal((leader === a.memberId ? await followerSync : leaderSync).assignment.toString(), 'p1');
    a.client.close();
    b.client.close();
  });

  it('follows leadership of __consumer_offsets partitions: NOT_COORDINATOR after resigning, the group back after reloading', async () => {
    const m = await join(kafka.port, 'moving');
    await m.client.request(ApiKey.SyncGroup, 1, {
      groupId: 'moving',
      generationId: 1,
      memberId: m.memberId,
      assignments: [{ memberId: m.memberId, assignment: Buffer.from('x') }],
    });
    const service = kafka.broker.services.groupCoordinator;
    const p = service.partitionFor('moving');
    service.onResign(p);
    const hb = await m.client.request(ApiKey.Heartbeat, 1, { groupId: 'moving', generationId: 1, memberId: m.memberId });
    assert.equal(hb.errorCode, 16); // NOT_COORDINATOR
    await service.onBecomeLeader(p);
    const again = await m.client.request(ApiKey.Heartbeat, 1, { groupId: 'moving', generationId: 1, memberId: m.memberId });
    assert.equal(again.errorCode, 0);
    const d = await c.request(ApiKey.DescribeGroups, 0, { groups: ['moving'] });
    assert.deepEqual([d.groups[0]!.groupState, d.groups[0]!.members[0]!.memberAssignment.toString()], ['Stable', 'x']);
    m.client.close();
  });
});
