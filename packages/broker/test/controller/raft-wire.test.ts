// The quorum's wire mappings (controller/raft/raft-wire.ts) through the real generated codecs: each
// request and response is mapped to the wire, encoded at every version, decoded and mapped back,
// and must equal what went in (what a version cannot carry aside). Then the edge cases: a pre-vote
// below Vote v2, a foreign cluster id, another topic, partition or topic id, top-level errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_SPECS, ApiKey, ErrorCode, Reader, Writer, type Encodable, type RequestOf, type ResponseOf } from '@tributary/protocol';
import type { FetchRequest, FetchResponse, VoteRequest } from '@tributary/raft';
import { METADATA_TOPIC_ID } from '../../src/controller/controller-backend.ts';
import {
  PreVoteUnsupportedError,
  beginQuorumEpochRequestFromWire,
  beginQuorumEpochRequestToWire,
  endQuorumEpochRequestFromWire,
  endQuorumEpochRequestToWire,
  fetchErrorResponse,
  fetchRequestFromWire,
  fetchRequestToWire,
  fetchResponseFromWire,
  fetchResponseToWire,
  quorumEpochErrorResponse,
  quorumEpochResponseFromWire,
  quorumEpochResponseToWire,
  voteErrorResponse,
  voteRequestFromWire,
  voteRequestToWire,
  voteResponseFromWire,
  voteResponseToWire,
} from '../../src/controller/raft/raft-wire.ts';

const CLUSTER = 'q1ZeHqh8TQuAbLDhVyQk1w';
type Key = (typeof ApiKey)[keyof typeof ApiKey];

function request<K extends Key>(key: K, v: number, body: Encodable<RequestOf<K>>): RequestOf<K> {
  const w = new Writer();
  API_SPECS[key]!.encodeRequest(w, v, body);
  return API_SPECS[key]!.decodeRequest(new Reader(w.finish()), v);
}

function response<K extends Key>(key: K, v: number, body: Encodable<ResponseOf<K>>): ResponseOf<K> {
  const w = new Writer();
  API_SPECS[key]!.encodeResponse(w, v, body);
  return API_SPECS[key]!.decodeResponse(new Reader(w.finish()), v);
}

const versions = (key: number, from = API_SPECS[key]!.minVersion) =>
  Array.from({ length: API_SPECS[key]!.maxVersion - from + 1 }, (_, i) => from + i);

describe('raft wire: Vote', () => {
  const vote: VoteRequest = { candidateEpoch: 7, candidateId: 2, lastOffsetEpoch: 6, lastOffset: 1234, preVote: false };

  it('round-trips a vote at v0-2 and a pre-vote at v2', () => {
    for (const v of versions(ApiKey.Vote)) {
      const wire = request(ApiKey.Vote, v, voteRequestToWire(vote, { clusterId: CLUSTER, voterId: 3, version: v }));
      assert.deepEqual(voteRequestFromWire(wire, CLUSTER), { ok: true, value: vote }, `v${v}`);
      assert.equal(wire.voterId, v >= 1 ? 3 : -1);
    }
    const pre = { ...vote, preVote: true };
    const wire = request(ApiKey.Vote, 2, voteRequestToWire(pre, { clusterId: CLUSTER, voterId: 3, version: 2 }));
    assert.deepEqual(voteRequestFromWire(wire, CLUSTER), { ok: true, value: pre });
  });

  it('refuses to map a pre-vote below v2 (a v0/v1 voter would count it as a vote)', () => {
    for (const version of [0, 1]) {
      assert.throws(
        () => voteRequestToWire({ ...vote, preVote: true }, { clusterId: CLUSTER, voterId: 3, version }),
        (err: unknown) => err instanceof PreVoteUnsupportedError && err.errorCode === ErrorCode.UNSUPPORTED_VERSION,
      );
    }
  });

  it('round-trips responses; top-level errors leave the leader unknown', () => {
    const answer = { errorCode: ErrorCode.FENCED_LEADER_EPOCH, voteGranted: false, leaderId: 1, epoch: 9 };
    for (const v of versions(ApiKey.Vote)) {
      const wire = response(ApiKey.Vote, v, voteResponseToWire(answer, v, { nodeId: 1, host: 'c1', port: 9093 }));
      assert.deepEqual(voteResponseFromWire(wire), answer, `v${v}`);
      assert.deepEqual(
        wire.nodeEndpoints.map((e) => `${e.nodeId}@${e.host}:${e.port}`),
        v >= 1 ? ['1@c1:9093'] : [],
      );
      const failed = voteResponseFromWire(response(ApiKey.Vote, v, voteErrorResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)));
      assert.deepEqual(failed, { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, voteGranted: false, leaderId: -1, epoch: -1 });
    }
  });

  it('checks the cluster id (absent is accepted) and the topic partition', () => {
    const wire = request(ApiKey.Vote, 2, voteRequestToWire(vote, { clusterId: 'other', voterId: 3, version: 2 }));
    assert.deepEqual(voteRequestFromWire(wire, CLUSTER), { ok: false, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID });
    assert.equal(voteRequestFromWire({ ...wire, clusterId: null }, CLUSTER).ok, true);
    const p = wire.topics[0]!.partitions[0]!;
    const bad = (topics: typeof wire.topics) => voteRequestFromWire({ ...wire, clusterId: CLUSTER, topics }, CLUSTER);
    assert.deepEqual(bad([{ topicName: '__cluster_metadata', partitions: [{ ...p, partitionIndex: 1 }] }]), {
      ok: false,
      errorCode: ErrorCode.INVALID_REQUEST,
    });
    assert.equal(bad([{ topicName: 'other', partitions: [p] }]).ok, false);
    assert.equal(bad([{ topicName: '__cluster_metadata', partitions: [p, p] }]).ok, false);
    assert.equal(bad([]).ok, false);
  });
});

describe('raft wire: BeginQuorumEpoch and EndQuorumEpoch', () => {
  const leader = { nodeId: 1, host: 'c1', port: 9093 };

  it('round-trip requests at every version', () => {
    const begin = { leaderId: 1, leaderEpoch: 4 };
    for (const v of versions(ApiKey.BeginQuorumEpoch)) {
      const o = { clusterId: CLUSTER, voterId: 2, version: v, listener: 'CONTROLLER', leader };
      const wire = request(ApiKey.BeginQuorumEpoch, v, beginQuorumEpochRequestToWire(begin, o));
      assert.deepEqual(beginQuorumEpochRequestFromWire(wire, CLUSTER), { ok: true, value: begin }, `v${v}`);
      assert.deepEqual(wire.leaderEndpoints, v >= 1 ? [{ name: 'CONTROLLER', host: 'c1', port: 9093 }] : []);
    }
    const end = { leaderId: 1, leaderEpoch: 4, preferredSuccessors: [3, 2] };
    for (const v of versions(ApiKey.EndQuorumEpoch)) {
      const wire = request(
        ApiKey.EndQuorumEpoch,
        v,
        endQuorumEpochRequestToWire(end, { clusterId: CLUSTER, version: v, listener: 'CONTROLLER', leader }),
      );
      assert.deepEqual(endQuorumEpochRequestFromWire(wire, v, CLUSTER), { ok: true, value: end }, `v${v}`);
    }
  });

  it('round-trip responses; errors', () => {
    const answer = { errorCode: ErrorCode.NONE, leaderId: 1, epoch: 4 };
    for (const key of [ApiKey.BeginQuorumEpoch, ApiKey.EndQuorumEpoch] as const) {
      for (const v of versions(key)) {
        assert.deepEqual(quorumEpochResponseFromWire(response(key, v, quorumEpochResponseToWire(answer, v, leader))), answer);
        assert.deepEqual(quorumEpochResponseFromWire(response(key, v, quorumEpochErrorResponse(ErrorCode.INVALID_REQUEST))), {
          errorCode: ErrorCode.INVALID_REQUEST,
          leaderId: -1,
          epoch: -1,
        });
      }
    }
    const wire = request(
      ApiKey.BeginQuorumEpoch,
      1,
      beginQuorumEpochRequestToWire({ leaderId: 1, leaderEpoch: 4 }, { clusterId: 'x', voterId: 2, version: 1, listener: 'C' }),
    );
    assert.deepEqual(beginQuorumEpochRequestFromWire(wire, CLUSTER), { ok: false, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID });
  });
});

describe('raft wire: Fetch', () => {
  const fetch: FetchRequest = {
    replicaId: 2,
    currentLeaderEpoch: 5,
    fetchOffset: 300,
    lastFetchedEpoch: 4,
    maxWaitMs: 500,
    maxBytes: 8 << 20,
  };

  it('round-trips a voter fetch at v12-17 (ReplicaId before v15, ReplicaState from v15)', () => {
    for (const v of versions(ApiKey.Fetch, 12)) {
      const wire = request(ApiKey.Fetch, v, fetchRequestToWire(fetch, CLUSTER, v));
      assert.deepEqual(fetchRequestFromWire(wire, v, CLUSTER), { ok: true, value: fetch }, `v${v}`);
      assert.equal(v >= 15 ? wire.replicaState.replicaId : wire.replicaId, 2);
      assert.equal(wire.clusterId, CLUSTER);
    }
  });

  it('round-trips answers: records, divergence, snapshot, leader', () => {
    const answers: FetchResponse<Buffer>[] = [
      {
        errorCode: 0,
        leaderId: 1,
        epoch: 5,
        highWatermark: 280,
        logStartOffset: 0,
        divergingEpoch: null,
        snapshotId: null,
        records: Buffer.from('batches'),
      },
      {
        errorCode: 0,
        leaderId: 1,
        epoch: 5,
        highWatermark: 280,
        logStartOffset: 0,
        divergingEpoch: { epoch: 3, endOffset: 250 },
        snapshotId: null,
        records: Buffer.alloc(0),
      },
      {
        errorCode: 0,
        leaderId: 1,
        epoch: 5,
        highWatermark: 280,
        logStartOffset: 100,
        divergingEpoch: null,
        snapshotId: { epoch: 4, offset: 100 },
        records: Buffer.alloc(0),
      },
      {
        errorCode: ErrorCode.FENCED_LEADER_EPOCH,
        leaderId: 3,
        epoch: 6,
        highWatermark: -1,
        logStartOffset: -1,
        divergingEpoch: null,
        snapshotId: null,
        records: null,
      },
    ];
    for (const v of versions(ApiKey.Fetch, 12)) {
      for (const a of answers) {
        const wire = response(ApiKey.Fetch, v, fetchResponseToWire(a, v, { nodeId: a.leaderId, host: 'c', port: 1 }));
        assert.deepEqual(fetchResponseFromWire(wire, v), a, `v${v}`);
        assert.equal(wire.responses[0]!.partitions[0]!.lastStableOffset, BigInt(a.highWatermark));
        assert.equal(wire.nodeEndpoints.length, v >= 16 ? 1 : 0);
      }
    }
  });

  it('top-level errors: a foreign cluster, another topic id, topic or partition', () => {
    const v = 17;
    const wire = request(ApiKey.Fetch, v, fetchRequestToWire(fetch, 'other-cluster', v));
    assert.deepEqual(fetchRequestFromWire(wire, v, CLUSTER), { ok: false, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID });
    assert.equal(fetchRequestFromWire({ ...wire, clusterId: null }, v, CLUSTER).ok, true);
    const t = wire.topics[0]!;
    const withTopics = (topics: typeof wire.topics, version = v) =>
      fetchRequestFromWire({ ...wire, clusterId: CLUSTER, topics }, version, CLUSTER);
    const invalid = { ok: false, errorCode: ErrorCode.INVALID_REQUEST };
    assert.deepEqual(withTopics([{ ...t, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' }]), invalid);
    assert.deepEqual(withTopics([{ ...t, partitions: [{ ...t.partitions[0]!, partition: 1 }] }]), invalid);
    assert.deepEqual(withTopics([t, t]), invalid);
    assert.deepEqual(withTopics([{ ...t, topic: 'orders', topicId: METADATA_TOPIC_ID }], 12), invalid); // by name before v13
    const failed = fetchResponseFromWire(response(ApiKey.Fetch, v, fetchErrorResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)), v);
    assert.equal(failed.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
    assert.equal(failed.leaderId, -1);
    // an answer about another topic id is not ours
    const other = fetchResponseToWire({ ...failed, errorCode: 0 }, v);
    other.responses![0]!.topicId = 'AAAAAAAAAAAAAAAAAAAAAg';
    assert.equal(fetchResponseFromWire(response(ApiKey.Fetch, v, other), v).errorCode, ErrorCode.INVALID_REQUEST);
  });
});
