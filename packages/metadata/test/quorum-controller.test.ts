// Three LocalControllers over RaftMetadataLog (a Raft quorum of the metadata log) in one process,
// each on its own in-memory file system, the Raft messages passed by direct calls (a node that is
// "down" answers nothing, so its peers' requests time out): one becomes active, the others follow
// its committed records into the same image; a standby refuses writes with NOT_CONTROLLER; when
// the active one stops, another is elected and carries on from the committed image; a restarted
// controller replays its log and the election state it fsynced.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import type { RaftChannel } from '@tributary/raft';
import { MemoryFileSystem } from '@tributary/storage';
import { LocalController, RaftMetadataLog, partitionsInOrder, type MetadataImage } from '../src/index.ts';
import { endpoint, incarnationId, options } from './helpers/fixtures.ts';

const VOTERS = [1, 2, 3];
const QUORUM = { electionTimeoutMs: 150, fetchTimeoutMs: 300, electionBackoffMaxMs: 100, retryBackoffMs: 10, fetchMaxWaitMs: 50 };

interface Node {
  id: number;
  fs: MemoryFileSystem;
  log: RaftMetadataLog | null;
  controller: LocalController | null;
}

const nodes = new Map<number, Node>();

const timeout = <T>(p: Promise<T>, ms = 500) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('request timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });

/** Delivers to the destination's Raft client while it runs; a stopped node never answers. */
function channel(): RaftChannel<Buffer> {
  const to = (id: number) => {
    const log = nodes.get(id)?.log;
    return log ? log.raft : null;
  };
  const send = <T>(id: number, call: (raft: NonNullable<ReturnType<typeof to>>) => Promise<T>): Promise<T> => {
    const raft = to(id);
    return timeout(raft ? call(raft) : new Promise<T>(() => {}), 1000);
  };
  return {
    vote: (id, req) => send(id, (r) => r.handleVote(req)),
    beginQuorumEpoch: (id, req) => send(id, (r) => r.handleBeginQuorumEpoch(req)),
    endQuorumEpoch: (id, req) => send(id, (r) => r.handleEndQuorumEpoch(req)),
    fetch: (id, req) => send(id, (r) => r.handleFetch(req)),
    fetchSnapshot: (id, req) => send(id, (r) => r.handleFetchSnapshot(req)),
  };
}

async function startNode(id: number, snapshotBytes?: number): Promise<Node> {
  const n = nodes.get(id) ?? { id, fs: new MemoryFileSystem(), log: null, controller: null };
  nodes.set(id, n);
  const log = RaftMetadataLog.open({
    logDir: '/data',
    nodeId: id,
    voters: VOTERS,
    channel: channel(),
    fs: n.fs,
    config: QUORUM,
    snapshotBytes,
    logger: process.env.RAFT_TRACE
      ? { info: (m, f) => console.log(Date.now() % 100000, m, JSON.stringify(f)), error: (m, f) => console.log('ERR', m, f) }
      : undefined,
  });
  n.log = log;
  n.controller = await LocalController.open({ logDir: '/data', controller: options(), fs: n.fs, metadataLog: log, nodeId: id });
  await log.start();
  return n;
}

async function stopNode(id: number): Promise<void> {
  const n = nodes.get(id)!;
  const c = n.controller;
  n.controller = null;
  n.log = null;
  await c?.close();
}

async function until<T>(what: string, f: () => T | null | undefined | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Registers and unfences broker 101 at the active controller, once it has bootstrapped. */
async function withBroker(n: Node): Promise<void> {
  await until('bootstrap', () => n.controller!.image.features.metadataVersion !== undefined);
  const r = await n.controller!.registerBroker({ brokerId: 101, incarnationId: incarnationId(101), endpoints: [endpoint(9092)] });
  assert.equal(r.errorCode, ErrorCode.NONE);
  assert.equal((await n.controller!.unfenceBroker(101, r.brokerEpoch)).errorCode, ErrorCode.NONE);
}

const active = () => [...nodes.values()].find((n) => n.controller?.isActive) ?? null;
const topicNames = (image: MetadataImage) => image.topics.topics().map((t) => t.name);
const describeTopics = (image: MetadataImage) =>
  image.topics.topics().map(
    (t) =>
      `${t.name} ${t.topicId} ${partitionsInOrder(t)
        .map(([p, r]) => `${p}:${r.leader}[${r.replicas}]`)
        .join(' ')}`,
  );

afterEach(async () => {
  for (const id of [...nodes.keys()]) await stopNode(id);
  nodes.clear();
});

describe('LocalController over a Raft quorum (RaftMetadataLog)', () => {
  it('one controller becomes active, bootstraps the cluster, and every standby follows its committed records', async () => {
    for (const id of VOTERS) await startNode(id);
    const leader = await until('an active controller', active);
    await withBroker(leader);
    const [created] = await leader.controller!.createTopics([{ name: 'orders', numPartitions: 3, replicationFactor: 1 }]);
    assert.equal(created!.errorCode, ErrorCode.NONE);
    for (const n of nodes.values()) {
      await until(`node ${n.id} to see orders`, () => topicNames(n.controller!.image).includes('orders'));
      assert.deepEqual(describeTopics(n.controller!.image), describeTopics(leader.controller!.image));
    }
    const standby = [...nodes.values()].find((n) => n !== leader)!;
    await assert.rejects(standby.controller!.createTopics([{ name: 'other', numPartitions: 1, replicationFactor: 1 }]), (err: unknown) => {
      assert.equal((err as { errorCode?: number }).errorCode, ErrorCode.NOT_CONTROLLER);
      return true;
    });
    const q = leader.controller!.describeQuorum();
    assert.equal(q.leaderId, leader.id);
    assert.deepEqual(q.voters.map((v) => v.replicaId).sort(), VOTERS);
  });

  it('when the active controller stops, another is elected from the standbys and keeps everything committed', async () => {
    for (const id of VOTERS) await startNode(id);
    const first = await until('an active controller', active);
    const epoch = first.controller!.leaderEpoch;
    await withBroker(first);
    for (let i = 0; i < 5; i++) {
      const [r] = await first.controller!.createTopics([{ name: `t${i}`, numPartitions: 1, replicationFactor: 1 }]);
      assert.equal(r!.errorCode, ErrorCode.NONE);
    }
    const before = describeTopics(first.controller!.image);
    await stopNode(first.id);
    const second = await until('a new active controller', () => {
      const a = active();
      return a && a.id !== first.id ? a : null;
    });
    assert.ok(second.controller!.leaderEpoch > epoch, `epoch ${second.controller!.leaderEpoch} after ${epoch}`);
    assert.deepEqual(describeTopics(second.controller!.image), before);
    const [r] = await second.controller!.createTopics([{ name: 'after', numPartitions: 1, replicationFactor: 1 }]);
    assert.equal(r!.errorCode, ErrorCode.NONE);
    // the old controller comes back as a standby and catches up, from its own log and the leader's
    await startNode(first.id);
    await until('the restarted node to catch up', () => topicNames(nodes.get(first.id)!.controller!.image).includes('after'));
    assert.deepEqual(describeTopics(nodes.get(first.id)!.controller!.image), describeTopics(second.controller!.image));
    assert.equal(nodes.get(first.id)!.controller!.isActive, false);
  });

  it("snapshots bound the log; a voter that was down catches up from the leader's snapshot, a restarted one from its own", async () => {
    for (const id of VOTERS) await startNode(id, 1); // a snapshot after every change
    const leader = await until('an active controller', active);
    await withBroker(leader);
    const [down, other] = VOTERS.filter((id) => id !== leader.id) as [number, number];
    await stopNode(down);
    for (let i = 0; i < 5; i++) {
      const [r] = await leader.controller!.createTopics([{ name: `s${i}`, numPartitions: 2, replicationFactor: 1 }]);
      assert.equal(r!.errorCode, ErrorCode.NONE);
    }
    const leaderLog = leader.log!;
    await until('the leader to trim its log', () => leaderLog.startOffset > 0 && leaderLog.snapshotImage() !== null);
    const behind = leaderLog.startOffset;
    await startNode(down, 1);
    const rejoined = nodes.get(down)!;
    await until('the rejoined voter to see every topic', () => topicNames(rejoined.controller!.image).length === 5);
    assert.ok(rejoined.log!.startOffset >= behind, `it installed a snapshot (log start ${rejoined.log!.startOffset})`);
    assert.deepEqual(describeTopics(rejoined.controller!.image), describeTopics(leader.controller!.image));
    // a restart replays its own snapshot, then the log after it
    await stopNode(other);
    await startNode(other, 1);
    const restarted = nodes.get(other)!;
    await until('the restarted voter to see every topic', () => topicNames(restarted.controller!.image).length === 5);
    assert.deepEqual(describeTopics(restarted.controller!.image), describeTopics(leader.controller!.image));
  });

  it('no majority, no writes: a lone survivor stays inactive and commits nothing', async () => {
    for (const id of VOTERS) await startNode(id);
    const first = await until('an active controller', active);
    await until('bootstrap', () => first.controller!.image.features.metadataVersion !== undefined);
    const others = VOTERS.filter((id) => id !== first.id);
    await stopNode(others[0]!);
    await stopNode(others[1]!);
    // check quorum: the leader resigns after 1.5 fetch timeouts without a majority
    await until('the lone leader to resign', () => !first.controller!.isActive, 3000);
    const committed = first.log!.committedOffset;
    await assert.rejects(first.controller!.createTopics([{ name: 'lost', numPartitions: 1, replicationFactor: 1 }]));
    assert.equal(first.log!.committedOffset, committed);
  });
});
