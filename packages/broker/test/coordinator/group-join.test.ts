// Classic group coordinator: JoinGroup / SyncGroup / Heartbeat / rebalance transitions and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, subscription } from './group-harness.ts';

const E = {
  NONE: 0,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
};

test('JoinGroup v4+: MEMBER_ID_REQUIRED, initial delay, leader gets metadata, SyncGroup makes the group Stable', async () => {
  const h = await Harness.start();
  const first = await h.coordinator.joinGroup(h.joinReq());
  assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  assert.equal(first.memberId, 'c-uuid1');
  assert.equal(h.group('g')!.state, 'Empty');
  assert.ok(h.group('g')!.isPendingMember('c-uuid1'));

  const j = await h.join({ memberId: 'c-uuid1' });
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
  await h.advance(2999);
  assert.equal(j.settled(), false, 'initial rebalance waits group.initial.rebalance.delay.ms');
  await h.advance(1);
  const r = await j.result;
  assert.deepEqual(r, {
    errorCode: 0,
    generationId: 1,
    protocolType: 'consumer',
    protocolName: 'range',
    leader: 'c-uuid1',
    skipAssignment: false,
    memberId: 'c-uuid1',
    members: [{ memberId: 'c-uuid1', groupInstanceId: null, metadata: subscription('t') }],
  });
  assert.equal(h.group('g')!.state, 'CompletingRebalance');

  const s = await h.sync('c-uuid1', 1, [{ memberId: 'c-uuid1', assignment: Buffer.from('assign-1') }]);
  assert.deepEqual(await s.result, { errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from('assign-1') });
  assert.equal(h.group('g')!.state, 'Stable');
  assert.equal(await h.heartbeat('c-uuid1', 1), E.NONE);
  // The assignment was persisted as a GroupMetadata record (after the empty-group record).
  assert.equal(h.log.records.length, 2);
});

test('JoinGroup v3 and below: the coordinator assigns the member id on the first join', async () => {
  const h = await Harness.start();
  const j = await h.join({ apiVersion: 3 });
  await h.advance(3000);
  const r = await j.result;
  assert.equal(r.errorCode, 0);
  assert.equal(r.memberId, 'c-uuid1');
  assert.equal(r.leader, 'c-uuid1');
});

test('initial rebalance delay is extended while members keep joining, capped by the rebalance timeout', async () => {
  const h = await Harness.start();
  const req = { apiVersion: 3, rebalanceTimeoutMs: 10_000 };
  const a = await h.join(req);
  await h.advance(2000);
  const b = await h.join(req);
  await h.advance(1000); // t=3000: B arrived during the delay -> wait 3000 more
  assert.equal(a.settled(), false);
  await h.advance(2000);
  const c = await h.join(req); // t=5000
  await h.advance(1000); // t=6000: extended again (remaining 1000)
  assert.equal(a.settled(), false);
  await h.advance(2000);
  const d = await h.join(req); // t=8000
  await h.advance(1000); // t=9000: last extension of 1000
  assert.equal(a.settled(), false);
  await h.advance(999);
  assert.equal(a.settled(), false);
  await h.advance(1); // t=10000 = rebalance timeout
  const results = await Promise.all([a.result, b.result, c.result, d.result]);
  assert.deepEqual(
    results.map((r) => [r.errorCode, r.generationId]),
    [
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 1],
    ],
  );
  assert.equal(results[0]!.members.length, 4);
  assert.deepEqual(
    results.slice(1).map((r) => r.members.length),
    [0, 0, 0],
  );
});

test('initial rebalance completes after one delay when nobody else joins', async () => {
  const h = await Harness.start();
  const a = await h.join({ apiVersion: 3, rebalanceTimeoutMs: 10_000 });
  await h.advance(3000);
  assert.equal((await a.result).generationId, 1);
});

test('protocol selection: only protocols all members support, then by votes', async () => {
  const h = await Harness.start();
  const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription('t') }));
  const a = await h.join({ apiVersion: 3, protocols: p('roundrobin', 'range') });
  const b = await h.join({ apiVersion: 3, protocols: p('range', 'roundrobin') });
  const c = await h.join({ apiVersion: 3, protocols: p('range') });
  await h.advance(6000); // later joiners extend the initial delay once
  assert.deepEqual(
    (await Promise.all([a.result, b.result, c.result])).map((r) => r.protocolName),
    ['range', 'range', 'range'],
  );

  const h2 = await Harness.start();
  const x = await h2.join({ apiVersion: 3, protocols: p('roundrobin', 'range') });
  const y = await h2.join({ apiVersion: 3, protocols: p('roundrobin', 'range') });
  const z = await h2.join({ apiVersion: 3, protocols: p('range', 'roundrobin') });
  await h2.advance(6000);
  assert.deepEqual(
    (await Promise.all([x.result, y.result, z.result])).map((r) => r.protocolName),
    ['roundrobin', 'roundrobin', 'roundrobin'],
  );
});

test('JoinGroup request errors: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID', async () => {
  const h = await Harness.start();
  assert.equal((await h.coordinator.joinGroup(h.joinReq({ groupId: '' }))).errorCode, E.INVALID_GROUP_ID);
  assert.equal((await h.coordinator.joinGroup(h.joinReq({ sessionTimeoutMs: 5999 }))).errorCode, E.INVALID_SESSION_TIMEOUT);
  assert.equal((await h.coordinator.joinGroup(h.joinReq({ sessionTimeoutMs: 1_800_001 }))).errorCode, E.INVALID_SESSION_TIMEOUT);
  assert.equal((await h.coordinator.joinGroup(h.joinReq({ protocols: [] }))).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await h.coordinator.joinGroup(h.joinReq({ groupId: 'nope', memberId: 'ghost' }))).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal(h.group('nope'), undefined);

  const leader = await h.stableSingleMember();
  const other = (over: object) => h.coordinator.joinGroup(h.joinReq({ apiVersion: 3, ...over }));
  assert.equal((await other({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await other({ protocolType: 'connect' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await other({ memberId: 'ghost' })).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal(h.group('g')!.state, 'Stable');
  assert.equal(await h.heartbeat(leader, 1), E.NONE);
});

test('a new member joining a Stable group starts a rebalance; follower sync parks until the leader syncs', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  const b = await h.joinNew({ clientId: 'd' });
  assert.equal(b.memberId, 'd-uuid2');
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
  assert.equal(await h.heartbeat(a, 1), E.REBALANCE_IN_PROGRESS);
  const staleSync = await h.sync(a, 1);
  assert.equal((await staleSync.result).errorCode, E.REBALANCE_IN_PROGRESS);
  assert.equal(b.settled(), false);

  const aj = await h.join({ memberId: a });
  const [ra, rb] = await Promise.all([aj.result, b.result]); // everyone rejoined: no delay after the first generation
  assert.equal(ra.generationId, 2);
  assert.equal(ra.leader, a);
  assert.deepEqual(
    ra.members.map((m) => m.memberId),
    [a, b.memberId],
  );
  assert.deepEqual(rb.members, []);
  assert.equal(rb.leader, a);
  assert.equal(h.group('g')!.state, 'CompletingRebalance');
  assert.equal(await h.heartbeat(b.memberId, 2), E.NONE, 'heartbeats are fine while completing');

  const fs = await h.sync(b.memberId, 2);
  assert.equal(fs.settled(), false);
  const ls = await h.sync(a, 2, [
    { memberId: a, assignment: Buffer.from('A') },
    { memberId: b.memberId, assignment: Buffer.from('B') },
  ]);
  assert.deepEqual((await ls.result).assignment, Buffer.from('A'));
  assert.deepEqual((await fs.result).assignment, Buffer.from('B'));
  assert.equal(h.group('g')!.state, 'Stable');
  // A Stable group answers a late SyncGroup with the stored assignment.
  assert.deepEqual((await (await h.sync(b.memberId, 2)).result).assignment, Buffer.from('B'));
});

test('a rejoin during CompletingRebalance with changed metadata sends parked syncs REBALANCE_IN_PROGRESS', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  const b = await h.joinNew({ clientId: 'd' });
  await h.join({ memberId: a });
  await b.result;
  const fs = await h.sync(b.memberId, 2);
  const rejoin = await h.join({ memberId: a, protocols: [{ name: 'range', metadata: subscription('t', 'u') }] });
  assert.equal((await fs.result).errorCode, E.REBALANCE_IN_PROGRESS);
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
  assert.equal(rejoin.settled(), false);
  // The same metadata during CompletingRebalance would just get the current generation back:
  const bj = await h.join({ memberId: b.memberId });
  const [ra] = await Promise.all([rejoin.result, bj.result]);
  assert.equal(ra.generationId, 3);
  const again = await h.join({ memberId: b.memberId });
  const rb = await again.result;
  assert.equal(rb.generationId, 3);
  assert.equal(h.group('g')!.state, 'CompletingRebalance');
});

test('Stable: a follower rejoining with unchanged metadata gets the current generation, the leader rejoining rebalances', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  const b = await h.joinNew({ clientId: 'd' });
  await h.join({ memberId: a });
  await b.result;
  const ls = await h.sync(a, 2, [
    { memberId: a, assignment: Buffer.from('A') },
    { memberId: b.memberId, assignment: Buffer.from('B') },
  ]);
  await ls.result;
  const same = await (await h.join({ memberId: b.memberId, clientId: 'd' })).result;
  assert.deepEqual([same.errorCode, same.generationId, same.leader, same.members.length], [0, 2, a, 0]);
  assert.equal(h.group('g')!.state, 'Stable');
  const leaderRejoin = await h.join({ memberId: a });
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
  assert.equal(leaderRejoin.settled(), false);
});

test('SyncGroup and Heartbeat errors', async () => {
  const h = await Harness.start();
  assert.equal((await (await h.sync('x', 1, [], { groupId: 'nope' })).result).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal(await h.heartbeat('x', 1, null, 'nope'), E.UNKNOWN_MEMBER_ID);
  assert.equal(
    (await h.coordinator.heartbeat({ groupId: '', generationId: 1, memberId: 'x', groupInstanceId: null })).errorCode,
    E.INVALID_GROUP_ID,
  );
  const a = await h.stableSingleMember();
  assert.equal((await (await h.sync(a, 7)).result).errorCode, E.ILLEGAL_GENERATION);
  assert.equal((await (await h.sync('ghost', 1)).result).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal((await (await h.sync(a, 1, [], { protocolName: 'roundrobin' })).result).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await (await h.sync(a, 1, [], { protocolType: 'connect' })).result).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await (await h.sync(a, 1, [], { protocolType: 'consumer', protocolName: 'range' })).result).errorCode, E.NONE);
  assert.equal(await h.heartbeat(a, 0), E.ILLEGAL_GENERATION);
  assert.equal(await h.heartbeat('ghost', 1), E.UNKNOWN_MEMBER_ID);
  assert.equal(await h.heartbeat(a, 1), E.NONE);
});

test('session timeout evicts a silent member; the last member leaving makes the group Empty with a new generation', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  const b = await h.joinNew({ clientId: 'd' });
  await h.join({ memberId: a });
  await b.result;
  await (await h.sync(a, 2, [])).result;
  await (await h.sync(b.memberId, 2)).result;
  // A heartbeats, B goes silent (session 10s).
  for (let t = 0; t < 10_000; t += 4000) {
    await h.advance(4000);
    if (h.group('g')!.state === 'Stable') assert.equal(await h.heartbeat(a, 2), E.NONE);
  }
  assert.equal(h.group('g')!.hasMember(b.memberId), false);
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
  assert.equal(await h.heartbeat(a, 2), E.REBALANCE_IN_PROGRESS);
  assert.equal(await h.heartbeat(b.memberId, 2), E.UNKNOWN_MEMBER_ID);
  const rj = await (await h.join({ memberId: a })).result;
  assert.deepEqual([rj.generationId, rj.members.map((m) => m.memberId)], [3, [a]]);

  await h.advance(10_000); // A never syncs nor heartbeats
  const g = h.group('g')!;
  assert.equal(g.state, 'Empty');
  assert.equal(g.generationId, 4);
  assert.equal(g.numMembers, 0);
  const last = h.log.records.at(-1)!;
  assert.equal(last.key.readInt16BE(0), 2, 'GroupMetadata record for the now empty group');
});

test('rebalance timeout drops members that do not rejoin', async () => {
  const h = await Harness.start();
  const opts = { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 20_000 };
  const a = await h.stableSingleMember(opts);
  const b = await h.joinNew({ ...opts, clientId: 'd' });
  await h.join({ ...opts, memberId: a });
  await b.result;
  await (await h.sync(a, 2, [])).result;
  // B rejoins with new metadata; A does not rejoin but keeps heartbeating.
  const bj = await h.join({
    ...opts,
    memberId: b.memberId,
    clientId: 'd',
    protocols: [{ name: 'range', metadata: subscription('t', 'u') }],
  });
  await h.advance(10_000);
  assert.equal(await h.heartbeat(a, 2), E.REBALANCE_IN_PROGRESS);
  assert.equal(bj.settled(), false);
  await h.advance(10_000);
  const r = await bj.result;
  assert.deepEqual([r.generationId, r.leader, r.members.map((m) => m.memberId)], [3, b.memberId, [b.memberId]]);
  assert.equal(h.group('g')!.hasMember(a), false);
  assert.equal(await h.heartbeat(a, 2), E.UNKNOWN_MEMBER_ID);
});

test('members that never send SyncGroup are removed after the rebalance timeout', async () => {
  const h = await Harness.start();
  const opts = { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 20_000 };
  const a = await h.stableSingleMember(opts);
  const b = await h.joinNew({ ...opts, clientId: 'd' });
  await h.join({ ...opts, memberId: a });
  await b.result;
  await (await h.sync(a, 2, [])).result;
  assert.equal(h.group('g')!.state, 'Stable');
  await h.advance(20_000);
  assert.equal(h.group('g')!.hasMember(b.memberId), false);
  assert.equal(h.group('g')!.state, 'PreparingRebalance');
});

test('a pending member (MEMBER_ID_REQUIRED) that never rejoins expires after the session timeout', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember();
  const first = await h.coordinator.joinGroup(h.joinReq({ clientId: 'd' }));
  assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  assert.ok(h.group('g')!.isPendingMember(first.memberId));
  for (let i = 0; i < 3; i++) {
    await h.advance(4000);
    assert.equal(await h.heartbeat(a, 1), E.NONE);
  }
  assert.equal(h.group('g')!.isPendingMember(first.memberId), false);
  assert.equal(h.group('g')!.state, 'Stable');
});

test('a new member whose parked join outlives the new-member join timeout is dropped with UNKNOWN_MEMBER_ID', async () => {
  const h = await Harness.start({ groupNewMemberJoinTimeoutMs: 5000 });
  const opts = { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000 };
  const a = await h.stableSingleMember(opts);
  const b = await h.joinNew({ ...opts, clientId: 'd' }); // A does not rejoin
  for (let i = 0; i < 2; i++) {
    await h.advance(2600);
    await h.heartbeat(a, 1);
  }
  const r = await b.result;
  assert.deepEqual([r.errorCode, r.memberId], [E.UNKNOWN_MEMBER_ID, '']);
  assert.equal(h.group('g')!.hasMember(b.memberId), false);
});
