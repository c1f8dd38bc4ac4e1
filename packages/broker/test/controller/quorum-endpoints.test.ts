// QuorumEndpoints: bootstrap servers get Kafka's pseudo ids (-2, -3, ...); configured voters are
// authoritative; an endpoint learned from an answer is news once, replaced when it moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBootstrapServers, parseQuorumVoters } from '../../src/controller/controller-connection.ts';
import { QuorumEndpoints } from '../../src/controller/quorum-endpoints.ts';

describe('QuorumEndpoints', () => {
  it('numbers bootstrap servers -2, -3, ... and learns the leaders they name', () => {
    const e = new QuorumEndpoints(parseBootstrapServers('c1:9093, [::1]:9094'));
    assert.deepEqual(e.bootstrapIds, [-2, -3]);
    assert.deepEqual(e.voterIds, []);
    assert.deepEqual(e.address(-3), { id: -3, host: '::1', port: 9094 });
    assert.equal(e.address(2), undefined);
    assert.equal(e.learn({ nodeId: 2, host: 'c2', port: 9093 }), true);
    assert.equal(e.learn({ nodeId: 2, host: 'c2', port: 9093 }), false, 'known already');
    assert.deepEqual(e.address(2), { id: 2, host: 'c2', port: 9093 });
    assert.equal(e.learn({ nodeId: 2, host: 'c2b', port: 9095 }), true, 'moved');
    assert.deepEqual(e.address(2), { id: 2, host: 'c2b', port: 9095 });
    assert.equal(e.learn({ nodeId: -1, host: 'x', port: 1 }), false, 'no node');
  });

  it('keeps configured voters as they are', () => {
    const e = new QuorumEndpoints(parseQuorumVoters('1@c1:9093,2@c2:9093'));
    assert.deepEqual([e.voterIds, e.bootstrapIds], [[1, 2], []]);
    assert.equal(e.learn({ nodeId: 2, host: 'elsewhere', port: 1 }), false);
    assert.deepEqual(e.address(2), { id: 2, host: 'c2', port: 9093 });
  });
});
