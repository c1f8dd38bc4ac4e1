// RaftClient's rules one at a time, on the simulation's clock and network (simulation/): each test
// sets up a situation and checks the answer or the transition Kafka's Raft prescribes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { MemoryQuorumStateStore, MemoryRaftLog, RaftClient, type RaftChannel } from '@tributary/raft';
import { SimCluster } from './simulation/sim-cluster.ts';
import type { Records } from './simulation/sim-network.ts';

async function steadyCluster(voters = [1, 2, 3], observers: number[] = []): Promise<SimCluster> {
  const c = new SimCluster(7, voters, observers);
  c.network.conditions = { dropRate: 0, minDelayMs: 1, maxDelayMs: 1 };
  await c.start();
  await c.runFor(5000);
  assert.ok(c.readyLeader, 'a leader within 5 s');
  return c;
}

const client = (c: SimCluster, id: number) => c.nodes.get(id)!.client!;

describe('RaftClient', () => {
  it('elects one leader, which commits a LeaderChange record of its epoch first', async () => {
    const c = await steadyCluster();
    const leader = c.readyLeader!;
    const first = leader.log.entry(0)!;
    assert.equal(first.epoch, client(c, leader.id).epoch);
    assert.deepEqual(first.leaderChange, { leaderId: leader.id, voters: [1, 2, 3] });
    for (const id of [1, 2, 3]) {
      assert.equal(client(c, id).leaderId, leader.id);
      assert.equal(client(c, id).highWatermark, 1);
    }
  });

  it('a proposal commits once a majority has it; only the leader of that epoch may propose', async () => {
    const c = await steadyCluster();
    const leader = client(c, c.readyLeader!.id);
    const range = await leader.propose(42, leader.epoch);
    const committed = leader.waitForCommit(range.lastOffset, leader.epoch);
    await c.runFor(100);
    await committed;
    const follower = [1, 2, 3].find((id) => id !== c.readyLeader!.id)!;
    await assert.rejects(client(c, follower).propose(43, leader.epoch), { name: 'NotLeaderError', errorCode: ErrorCode.NOT_CONTROLLER });
    await assert.rejects(leader.propose(43, leader.epoch - 1), { name: 'NotLeaderError' });
  });

  it('a pre-vote changes nothing: a follower with a live leader refuses, and nobody moves to its epoch', async () => {
    const c = await steadyCluster();
    const leaderId = c.readyLeader!.id;
    const follower = [1, 2, 3].find((id) => id !== leaderId)!;
    const other = [1, 2, 3].find((id) => id !== leaderId && id !== follower)!;
    const f = client(c, follower);
    const epoch = f.epoch;
    const res = await f.handleVote({ candidateEpoch: epoch + 1, candidateId: other, lastOffsetEpoch: 99, lastOffset: 99, preVote: true });
    assert.deepEqual(res, { errorCode: ErrorCode.NONE, leaderId, epoch, voteGranted: false });
    assert.equal(f.epoch, epoch);
    assert.equal(f.role, 'follower');
  });

  it('a real vote in a higher epoch is granted once, to a candidate whose log is as up to date, and remembered', async () => {
    const c = await steadyCluster();
    const leaderId = c.readyLeader!.id;
    const [a, b] = [1, 2, 3].filter((id) => id !== leaderId) as [number, number];
    const voter = client(c, a);
    const e = voter.epoch + 1;
    const log = c.nodes.get(a)!.log;
    const stale = await voter.handleVote({ candidateEpoch: e, candidateId: b, lastOffsetEpoch: 0, lastOffset: 0, preVote: false });
    assert.equal(stale.voteGranted, false, 'a candidate behind this log');
    assert.equal(voter.epoch, e, 'the higher epoch is taken anyway');
    const upToDate = {
      candidateEpoch: e,
      candidateId: b,
      lastOffsetEpoch: log.lastFetchedEpoch,
      lastOffset: log.endOffset,
      preVote: false,
    };
    assert.equal((await voter.handleVote(upToDate)).voteGranted, true);
    assert.equal((await voter.handleVote(upToDate)).voteGranted, true, 'the same candidate again');
    assert.equal((await voter.handleVote({ ...upToDate, candidateId: leaderId })).voteGranted, false, 'another candidate, same epoch');
    assert.deepEqual(c.nodes.get(a)!.store.read(), { epoch: e, leaderId: -1, votedId: b });
  });

  it('a fetch in an old epoch is fenced; one whose log diverged is told where to truncate', async () => {
    const c = await steadyCluster();
    const leader = client(c, c.readyLeader!.id);
    const epoch = leader.epoch;
    const req = { replicaId: 2, fetchOffset: 1, lastFetchedEpoch: epoch, maxWaitMs: 0, maxBytes: 100 };
    assert.equal((await leader.handleFetch({ ...req, currentLeaderEpoch: epoch - 1 })).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal((await leader.handleFetch({ ...req, currentLeaderEpoch: epoch + 1 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    const diverged = await leader.handleFetch({ ...req, currentLeaderEpoch: epoch, fetchOffset: 5, lastFetchedEpoch: epoch - 1 });
    assert.equal(diverged.errorCode, ErrorCode.NONE);
    assert.deepEqual(diverged.divergingEpoch, { epoch: -1, endOffset: 0 });
  });

  it('an observer is served committed records only and never votes', async () => {
    const c = await steadyCluster([1, 2, 3], [100]);
    const leader = client(c, c.readyLeader!.id);
    const [a, b] = [1, 2, 3].filter((id) => id !== c.readyLeader!.id) as [number, number];
    c.crash(a);
    c.crash(b);
    await leader.propose(7, leader.epoch); // cannot commit: no majority
    const hw = leader.highWatermark;
    const res = await leader.handleFetch({
      replicaId: 100,
      currentLeaderEpoch: leader.epoch,
      fetchOffset: hw,
      lastFetchedEpoch: leader.epoch,
      maxWaitMs: 0,
      maxBytes: 100,
    });
    assert.equal(res.records, null, 'the uncommitted record is not served to an observer');
    const voterRes = await leader.handleFetch({
      replicaId: a,
      currentLeaderEpoch: leader.epoch,
      fetchOffset: hw,
      lastFetchedEpoch: leader.epoch,
      maxWaitMs: 0,
      maxBytes: 100,
    });
    assert.equal(voterRes.records?.length, 1, 'a voter gets it');
    const observer = client(c, 100);
    const vote = await observer.handleVote({ candidateEpoch: 99, candidateId: 1, lastOffsetEpoch: 99, lastOffset: 99, preVote: false });
    assert.deepEqual([vote.errorCode, vote.voteGranted], [ErrorCode.INCONSISTENT_VOTER_SET, false]);
  });

  it('a leader that hears from no majority resigns after 1.5 fetch timeouts (check quorum)', async () => {
    const c = await steadyCluster();
    const leaderId = c.readyLeader!.id;
    c.network.partition([[leaderId], [1, 2, 3].filter((id) => id !== leaderId)]);
    await c.runFor(2900);
    assert.equal(client(c, leaderId).role, 'leader', 'not before 1.5 fetch timeouts');
    await c.runFor(200);
    assert.equal(client(c, leaderId).role, 'resigned');
  });
  it('an observer with bootstrap destinations only (no voters) finds the leader through them, then fetches from its id', async () => {
    const c = await steadyCluster();
    const first = c.readyLeader!.id;
    // the channel maps pseudo ids -2, -3, -4 ("bootstrap server i") to voters 1, 2, 3
    const asked: number[] = [];
    const inner = c.network.channel(100, 1);
    const to = (d: number) => {
      asked.push(d);
      return d < 0 ? -1 - d : d;
    };
    const channel: RaftChannel<Records> = {
      vote: (d, r) => inner.vote(to(d), r),
      beginQuorumEpoch: (d, r) => inner.beginQuorumEpoch(to(d), r),
      endQuorumEpoch: (d, r) => inner.endQuorumEpoch(to(d), r),
      fetch: (d, r) => inner.fetch(to(d), r),
      fetchSnapshot: (d, r) => inner.fetchSnapshot(to(d), r),
    };
    const observer = new RaftClient({
      nodeId: 100,
      voters: [],
      bootstrap: [-2, -3, -4],
      log: new MemoryRaftLog<number>(),
      store: new MemoryQuorumStateStore(),
      channel,
      time: c.time,
      random: () => 0.5,
      config: c.config,
    });
    c.network.attach(100, observer, 1);
    await observer.start();
    const leader = client(c, first);
    await leader.propose(7, leader.epoch);
    await c.runFor(1000);
    assert.deepEqual([observer.role, observer.leaderId, observer.isVoter], ['follower', first, false]);
    assert.equal(observer.highWatermark, leader.highWatermark);
    assert.ok(asked[0]! < 0, 'the first fetch goes to a bootstrap destination');
    assert.ok(
      asked.slice(asked.indexOf(first)).every((d) => d === first),
      'then every fetch goes to the leader by id',
    );
    c.crash(first);
    await c.runFor(8000);
    const next = c.readyLeader!.id;
    assert.notEqual(next, first);
    assert.equal(observer.leaderId, next, 'it found the new leader through the bootstrap destinations');
    assert.equal(observer.highWatermark, client(c, next).highWatermark);
  });
});
