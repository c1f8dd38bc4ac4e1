// The spec overlays (scripts/protocol-gen/overlays.ts): KIP-996's VoteRequest v2 PreVote field is
// generated on top of the shared 3.9 spec (v2 round-trips it; v0/v1 cannot carry a pre-vote: the
// encoder refuses, so a pre-vote is never mistaken for a vote), VoteResponse v2 is v1's bytes, and
// an overlay whose spec changed under it stops the generator instead of masking the real spec.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOverlay, type SpecOverlay } from '../../../scripts/protocol-gen/overlays.ts';
import {
  API_SPECS,
  ApiKey,
  EncodeError,
  Reader,
  Writer,
  decodeVoteRequest,
  decodeVoteResponse,
  encodeVoteRequest,
  encodeVoteResponse,
  type Encodable,
  type VoteRequest,
} from '../src/index.ts';

const vote = (preVote: boolean): Encodable<VoteRequest> => ({
  clusterId: 'c',
  voterId: 2,
  topics: [
    {
      topicName: '__cluster_metadata',
      partitions: [{ partitionIndex: 0, candidateEpoch: 5, candidateId: 1, lastOffsetEpoch: 4, lastOffset: 99n, preVote }],
    },
  ],
});

function encoded(v: number, value: Encodable<VoteRequest>): Buffer {
  const w = new Writer();
  encodeVoteRequest(w, v, value);
  return w.finish();
}

describe('spec overlays', () => {
  it('VoteRequest v2 carries PreVote; v1 bytes are v2 minus that one byte', () => {
    assert.equal(API_SPECS[ApiKey.Vote]!.maxVersion, 2);
    for (const preVote of [true, false]) {
      const bytes = encoded(2, vote(preVote));
      assert.equal(decodeVoteRequest(new Reader(bytes), 2).topics[0]!.partitions[0]!.preVote, preVote);
    }
    const v1 = encoded(1, vote(false));
    assert.equal(encoded(2, vote(false)).length, v1.length + 1);
    assert.equal(decodeVoteRequest(new Reader(v1), 1).topics[0]!.partitions[0]!.preVote, false);
  });

  it('a pre-vote does not encode below v2', () => {
    for (const v of [0, 1]) assert.throws(() => encoded(v, vote(true)), EncodeError);
  });

  it('VoteResponse v2 is byte-for-byte v1', () => {
    const body = {
      errorCode: 0,
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 5, voteGranted: true }] }],
    };
    const at = (v: number) => {
      const w = new Writer();
      encodeVoteResponse(w, v, body);
      return w.finish();
    };
    assert.deepEqual(at(2), at(1));
    assert.equal(decodeVoteResponse(new Reader(at(2)), 2).topics[0]!.partitions[0]!.voteGranted, true);
  });

  it('a stale overlay stops the generator', () => {
    const overlay: SpecOverlay = {
      source: 'messages/X.json',
      why: 'test',
      from: '0-1',
      to: '0-2',
      add: [{ path: ['Topics'], field: { name: 'New', type: 'bool', versions: '2+', about: '' } }],
    };
    const spec = (validVersions: string, topicFields: { name: string }[]) => ({
      validVersions,
      fields: [{ name: 'Topics', fields: topicFields }],
    });
    const ok = spec('0-1', [{ name: 'A' }]);
    assert.equal(applyOverlay(ok, 'messages/X.json', [overlay]), 'test');
    assert.equal(ok.validVersions, '0-2');
    assert.deepEqual(
      ok.fields[0]!.fields.map((f) => f.name),
      ['A', 'New'],
    );
    assert.equal(applyOverlay(spec('0-1', []), 'messages/Other.json', [overlay]), undefined);
    assert.throws(() => applyOverlay(spec('0-2', []), 'messages/X.json', [overlay]), /stale/);
    assert.throws(() => applyOverlay(spec('0-1', [{ name: 'New' }]), 'messages/X.json', [overlay]), /stale/);
  });
});
