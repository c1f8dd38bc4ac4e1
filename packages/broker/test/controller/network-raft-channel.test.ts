// The quorum over the network: a NetworkRaftChannel (node 1) talks to a tiny controller listener on
// 127.0.0.1 (node 2: the broker's SocketServer and dispatcher, ApiVersions plus the quorum's
// handlers over a fake RaftEndpoint). Every RaftChannel call reaches the endpoint and comes back;
// the handlers check cluster id, addressing and topic partition on the wire; a pre-vote is never
// sent to a voter that speaks only Vote v0/v1; a silent voter times out; a stopped voter fails
// fast during the backoff and is reached again once it is back on the same port. With bootstrap
// servers only (KIP-853), a pseudo id reaches its address and the leader endpoint an answer names
// is learned, then reached by the leader's id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BrokerConnection, ConnectionError, RequestTimeoutError } from '@tributary/client';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import {
  POSITION_OUT_OF_RANGE,
  type FetchRequest,
  type FetchResponse,
  type FetchSnapshotRequest,
  type FetchSnapshotResponse,
  type QuorumDescription,
  type VoteRequest,
} from '@tributary/raft';
import { MetadataImage } from '@tributary/metadata';
import { METADATA_TOPIC_ID } from '../../src/controller/controller-backend.ts';
import { parseBootstrapServers } from '../../src/controller/controller-connection.ts';
import { QuorumEndpoints } from '../../src/controller/quorum-endpoints.ts';
import { voteHandler } from '../../src/controller/handlers/vote.ts';
import { NetworkRaftChannel } from '../../src/controller/raft/network-raft-channel.ts';
import type { RaftEndpoint } from '../../src/controller/raft/raft-endpoint.ts';
import { raftHandlers } from '../../src/controller/raft/raft-handlers.ts';
import { PreVoteUnsupportedError } from '../../src/controller/raft/raft-wire.ts';
import { apiVersionsHandler } from '../../src/handlers/api-versions.ts';
import { silentLogger } from '../../src/logger.ts';
import { controllerApiRange } from '../../src/server/inter-broker-versions.ts';
import { HandlerRegistry, type AnyApiHandler } from '../../src/server/handler-registry.ts';
import { RequestDispatcher } from '../../src/server/request-dispatcher.ts';
import { SocketServer } from '../../src/server/socket-server.ts';
import type { BrokerServices } from '../../src/services.ts';

const CLUSTER = 'q1ZeHqh8TQuAbLDhVyQk1w';
const TIMEOUT_MS = 300;

/** Node 2's Raft core, faked: records what arrives, answers what the test says. */
class FakeEndpoint implements RaftEndpoint {
  readonly nodeId = 2;
  readonly clusterId = CLUSTER;
  received: unknown[] = [];
  hang = false;
  leaderAndEpoch = () => ({ leaderId: 1, epoch: 7 });
  private wait<T>(value: T): Promise<T> {
    return this.hang ? new Promise<T>(() => {}) : Promise.resolve(value);
  }
  handleVote(r: VoteRequest) {
    this.received.push({ vote: r });
    return this.wait({ errorCode: 0, voteGranted: !r.preVote || r.lastOffset > 0, leaderId: -1, epoch: r.candidateEpoch });
  }
  handleBeginQuorumEpoch(r: { leaderId: number; leaderEpoch: number }) {
    this.received.push({ begin: r });
    return this.wait({ errorCode: 0, leaderId: r.leaderId, epoch: r.leaderEpoch });
  }
  handleEndQuorumEpoch(r: { leaderId: number; leaderEpoch: number; preferredSuccessors: number[] }) {
    this.received.push({ end: r });
    return this.wait({ errorCode: 0, leaderId: -1, epoch: r.leaderEpoch });
  }
  async handleFetch(r: FetchRequest, signal: AbortSignal): Promise<FetchResponse<Buffer>> {
    this.received.push({ fetch: r });
    // long poll: answer after MaxWaitMs (or when the connection closes)
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, r.maxWaitMs);
      const abort = () => {
        clearTimeout(t);
        resolve();
      };
      signal.addEventListener('abort', abort, { once: true });
    });
    return {
      errorCode: 0,
      leaderId: 2,
      epoch: 7,
      highWatermark: 10,
      logStartOffset: 0,
      divergingEpoch: r.lastFetchedEpoch === 3 ? { epoch: 2, endOffset: 5 } : null,
      snapshotId: null,
      records: Buffer.from('batch'),
    };
  }
  async handleFetchSnapshot(r: FetchSnapshotRequest): Promise<FetchSnapshotResponse<Buffer>> {
    this.received.push({ fetchSnapshot: r });
    const file = Buffer.from('0123456789');
    if (r.position >= file.length)
      return {
        errorCode: POSITION_OUT_OF_RANGE,
        leaderId: 2,
        epoch: 7,
        snapshotId: r.snapshotId,
        size: file.length,
        position: r.position,
        chunk: null,
      };
    const chunk = file.subarray(r.position, r.position + r.maxBytes);
    return { errorCode: 0, leaderId: 2, epoch: 7, snapshotId: r.snapshotId, size: file.length, position: r.position, chunk };
  }
  describeQuorum(): QuorumDescription {
    return {
      leaderId: 2,
      epoch: 7,
      highWatermark: 10,
      voters: [{ replicaId: 2, logEndOffset: 10, lastFetchTimestamp: 5, lastCaughtUpTimestamp: 5 }],
      observers: [],
    };
  }
  leaderEndpoint = (id: number) => (id === 2 ? { nodeId: 2, host: '127.0.0.1', port: 1 } : undefined);
}

function listener(handlers: AnyApiHandler[], port = 0) {
  const registry = new HandlerRegistry();
  registry.register(apiVersionsHandler);
  for (const h of handlers) registry.register(h);
  // ApiVersions reads the finalized features from the controller's image
  const controller = { image: MetadataImage.EMPTY };
  const services = { registry, log: silentLogger, nodeId: 2, clusterId: CLUSTER, controller } as unknown as BrokerServices;
  return new SocketServer({
    listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port }],
    limits: { maxFrameBytes: 1 << 20, idleMs: 60_000, maxInFlightRequests: 100, maxInFlightBytes: 1 << 24 },
    processor: new RequestDispatcher(registry, () => services),
    log: silentLogger,
  });
}

const channelTo = (port: number, o: { clusterId?: string } = {}) =>
  new NetworkRaftChannel({
    nodeId: 1,
    clusterId: o.clusterId ?? CLUSTER,
    voters: [
      { id: 1, host: '127.0.0.1', port: 1 },
      { id: 2, host: '127.0.0.1', port },
    ],
    requestTimeoutMs: TIMEOUT_MS,
    reconnectBackoffMs: 100,
    reconnectBackoffMaxMs: 200,
    log: silentLogger,
  });

const vote: VoteRequest = { candidateEpoch: 8, candidateId: 1, lastOffsetEpoch: 7, lastOffset: 10, preVote: false };

describe('NetworkRaftChannel against a controller listener', () => {
  const endpoint = new FakeEndpoint();
  let server: SocketServer;
  let port: number;
  let channel: NetworkRaftChannel;

  before(async () => {
    server = listener(raftHandlers(endpoint));
    port = (await server.start())[0]!.boundPort;
    channel = channelTo(port);
  });
  after(async () => {
    channel.close();
    await server.stop(1000);
  });

  it('carries every call to the endpoint and its answer back (Vote v2, pre-votes included; FetchSnapshot chunks)', async () => {
    endpoint.received = [];
    assert.deepEqual(await channel.vote(2, vote), { errorCode: 0, voteGranted: true, leaderId: -1, epoch: 8 });
    assert.equal((await channel.vote(2, { ...vote, preVote: true, lastOffset: 0 })).voteGranted, false);
    assert.deepEqual(await channel.beginQuorumEpoch(2, { leaderId: 1, leaderEpoch: 8 }), { errorCode: 0, leaderId: 1, epoch: 8 });
    assert.deepEqual(await channel.endQuorumEpoch(2, { leaderId: 1, leaderEpoch: 8, preferredSuccessors: [3, 2] }), {
      errorCode: 0,
      leaderId: -1,
      epoch: 8,
    });
    const fetch = { replicaId: 1, currentLeaderEpoch: 7, fetchOffset: 4, lastFetchedEpoch: 3, maxWaitMs: 0, maxBytes: 1024 };
    const answer = await channel.fetch(2, fetch);
    assert.deepEqual(answer, {
      errorCode: 0,
      leaderId: 2,
      epoch: 7,
      highWatermark: 10,
      logStartOffset: 0,
      divergingEpoch: { epoch: 2, endOffset: 5 },
      snapshotId: null,
      records: Buffer.from('batch'),
    });
    const snap = { replicaId: 1, currentLeaderEpoch: 7, snapshotId: { offset: 40, epoch: 6 }, position: 4, maxBytes: 3 };
    assert.deepEqual(await channel.fetchSnapshot(2, snap), {
      errorCode: 0,
      leaderId: 2,
      epoch: 7,
      snapshotId: { offset: 40, epoch: 6 },
      size: 10,
      position: 4,
      chunk: Buffer.from('456'),
    });
    const past = await channel.fetchSnapshot(2, { ...snap, position: 10 });
    assert.deepEqual([past.errorCode, past.size, past.chunk], [POSITION_OUT_OF_RANGE, 10, null]);
    assert.deepEqual(endpoint.received, [
      { vote },
      { vote: { ...vote, preVote: true, lastOffset: 0 } },
      { begin: { leaderId: 1, leaderEpoch: 8 } },
      { end: { leaderId: 1, leaderEpoch: 8, preferredSuccessors: [3, 2] } },
      { fetch },
      { fetchSnapshot: snap },
      { fetchSnapshot: { ...snap, position: 10 } },
    ]);
  });

  it('bootstrap servers: a pseudo id reaches its address; the leader endpoint an answer names is learned, then reached by id', async () => {
    const endpoints = new QuorumEndpoints(parseBootstrapServers(`127.0.0.1:${port}`));
    assert.deepEqual([endpoints.bootstrapIds, endpoints.voterIds], [[-2], []]);
    const observer = new NetworkRaftChannel({
      nodeId: 100,
      clusterId: CLUSTER,
      endpoints,
      requestTimeoutMs: TIMEOUT_MS,
      log: silentLogger,
    });
    const original = endpoint.leaderEndpoint;
    endpoint.leaderEndpoint = (id) => (id === 2 ? { nodeId: 2, host: '127.0.0.1', port } : undefined);
    try {
      const find = { replicaId: 100, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0, maxBytes: 1024 };
      await assert.rejects(observer.fetch(2, find), /no address known for node 2/);
      assert.equal((await observer.fetch(-2, find)).leaderId, 2);
      assert.deepEqual(endpoints.address(2), { id: 2, host: '127.0.0.1', port });
      endpoint.received = [];
      const follow = { ...find, currentLeaderEpoch: 7, lastFetchedEpoch: 7 };
      assert.equal((await observer.fetch(2, follow)).errorCode, ErrorCode.NONE);
      assert.deepEqual(endpoint.received, [{ fetch: follow }]);
    } finally {
      endpoint.leaderEndpoint = original;
      observer.close();
    }
  });

  it('a long poll may outlast the request timeout: MaxWaitMs is added to it', async () => {
    const fetch = { replicaId: 1, currentLeaderEpoch: 7, fetchOffset: 4, lastFetchedEpoch: 4, maxWaitMs: TIMEOUT_MS + 200, maxBytes: 1024 };
    assert.equal((await channel.fetch(2, fetch)).errorCode, 0);
  });

  it('a foreign cluster id is INCONSISTENT_CLUSTER_ID, leader unknown', async () => {
    const foreign = channelTo(port, { clusterId: 'another-cluster-id-00' });
    try {
      assert.deepEqual(await foreign.vote(2, vote), {
        errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
        voteGranted: false,
        leaderId: -1,
        epoch: -1,
      });
      const f = await foreign.fetch(2, {
        replicaId: 1,
        currentLeaderEpoch: 7,
        fetchOffset: 0,
        lastFetchedEpoch: 0,
        maxWaitMs: 0,
        maxBytes: 1,
      });
      assert.equal(f.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
    } finally {
      foreign.close();
    }
  });

  it('on the wire: another voter, another topic id or partition', async () => {
    const conn = new BrokerConnection({ host: '127.0.0.1', port, clientId: 't', apiRange: controllerApiRange }, 2);
    try {
      const addressedElsewhere = await conn.request(ApiKey.Vote, {
        clusterId: CLUSTER,
        voterId: 3,
        topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, candidateEpoch: 8, candidateId: 1 }] }],
      });
      const p = addressedElsewhere.topics[0]!.partitions[0]!;
      assert.deepEqual([p.errorCode, p.voteGranted, p.leaderId, p.leaderEpoch], [ErrorCode.INVALID_VOTER_KEY, false, 1, 7]);

      const fetchOf = (topicId: string, partition: number) =>
        conn.request(
          ApiKey.Fetch,
          { clusterId: CLUSTER, replicaState: { replicaId: 1 }, topics: [{ topicId, partitions: [{ partition, fetchOffset: 0n }] }] },
          { version: 17 },
        );
      assert.equal((await fetchOf('AAAAAAAAAAAAAAAAAAAAAg', 0)).errorCode, ErrorCode.INVALID_REQUEST);
      assert.equal((await fetchOf(METADATA_TOPIC_ID, 1)).errorCode, ErrorCode.INVALID_REQUEST);
      const ok = await fetchOf(METADATA_TOPIC_ID, 0);
      assert.equal(ok.errorCode, ErrorCode.NONE);
      assert.deepEqual(
        ok.nodeEndpoints.map((e) => e.nodeId),
        [2],
      );
    } finally {
      conn.close();
    }
  });

  it('a voter that does not answer: RequestTimeoutError within the request timeout', async () => {
    endpoint.hang = true;
    try {
      const start = Date.now();
      await assert.rejects(channel.beginQuorumEpoch(2, { leaderId: 1, leaderEpoch: 9 }), RequestTimeoutError);
      const took = Date.now() - start;
      assert.ok(took >= TIMEOUT_MS - 20 && took < TIMEOUT_MS + 500, `took ${took} ms`);
    } finally {
      endpoint.hang = false;
    }
  });

  it('rejects an unknown voter, itself, and every call after close()', async () => {
    await assert.rejects(channel.vote(9, vote), /no address known for node 9/);
    await assert.rejects(channel.vote(1, vote), /no address known for node 1/, 'not to itself');
    const closed = channelTo(port);
    closed.close();
    await assert.rejects(closed.vote(2, vote), /closed/);
  });
});

describe('NetworkRaftChannel: a voter that speaks Vote v0-1 only', () => {
  it('a pre-vote is refused before it is sent (PreVoteUnsupportedError); a vote goes at v1', async () => {
    const endpoint = new FakeEndpoint();
    const v1Only = { ...voteHandler(endpoint), maxVersion: 1 };
    const server = listener([v1Only]);
    const port = (await server.start())[0]!.boundPort;
    const channel = channelTo(port);
    try {
      await assert.rejects(channel.vote(2, { ...vote, preVote: true }), (err: unknown) => {
        assert.ok(err instanceof PreVoteUnsupportedError);
        assert.equal(err.errorCode, ErrorCode.UNSUPPORTED_VERSION);
        return true;
      });
      assert.deepEqual(endpoint.received, []);
      assert.equal((await channel.vote(2, vote)).voteGranted, true); // the same connection still serves
      assert.deepEqual(endpoint.received, [{ vote }]);
    } finally {
      channel.close();
      await server.stop(1000);
    }
  });
});

describe('NetworkRaftChannel: a voter that stops and comes back', () => {
  it('fails fast while backing off, then reconnects to the restarted voter', async () => {
    const endpoint = new FakeEndpoint();
    let server = listener(raftHandlers(endpoint));
    const port = (await server.start())[0]!.boundPort;
    const channel = channelTo(port);
    try {
      assert.equal((await channel.vote(2, vote)).errorCode, 0);
      await server.stop(1000);
      // the connection closes under the channel, or the next call finds it refused: either way a ConnectionError
      await assert.rejects(channel.vote(2, vote), ConnectionError);
      const start = Date.now();
      await assert.rejects(channel.vote(2, vote), /backoff/); // at once, nothing sent
      assert.ok(Date.now() - start < 50);

      server = listener(raftHandlers(endpoint), port);
      await server.start();
      const deadline = Date.now() + 3000;
      let answer: Awaited<ReturnType<typeof channel.vote>> | null = null;
      while (!answer && Date.now() < deadline) {
        answer = await channel.vote(2, vote).catch(() => null);
        if (!answer) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(answer, 'reconnected');
      assert.equal(answer.voteGranted, true);
    } finally {
      channel.close();
      await server.stop(1000);
    }
  });
});
