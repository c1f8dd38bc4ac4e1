// The broker's AssignmentsManager (AssignReplicasToDirs, KIP-858): assignments made together go in
// one request grouped by dir and topic; acknowledged ones are done, ones for a topic or replica
// that went are dropped, the rest (and everything after a failed request or a top-level error) is
// sent again after the backoff; nothing is sent before the broker has an epoch; a newer
// assignment of a partition replaces a queued one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, type AssignReplicasToDirsRequest, type AssignReplicasToDirsResponse } from '@tributary/protocol';
import { MockTime } from '@tributary/storage';
import { AssignmentsManager } from '../../src/controller/assignments-manager.ts';
import { silentLogger } from '../../src/logger.ts';

const T1 = 'AAAAAAAAAAAAAAAAAAAAAw';
const T2 = 'AAAAAAAAAAAAAAAAAAAABA';
const D1 = 'AAAAAAAAAAAAAAAAAAAAew';
const D2 = 'AAAAAAAAAAAAAAAAAAAAfA';

/** A controller answering each partition with `code(topicId, partition, dir)`. */
function fakeController(code: (topicId: string, partition: number, dir: string) => number, top = () => ErrorCode.NONE as number) {
  const requests: AssignReplicasToDirsRequest[] = [];
  const send = async (req: AssignReplicasToDirsRequest): Promise<AssignReplicasToDirsResponse> => {
    requests.push(req);
    return {
      throttleTimeMs: 0,
      errorCode: top(),
      directories: req.directories.map((d) => ({
        id: d.id,
        topics: d.topics.map((t) => ({
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.topicId, p.partitionIndex, d.id) })),
        })),
      })),
    };
  };
  return { requests, send };
}

const shape = (req: AssignReplicasToDirsRequest) =>
  req.directories.map((d) => `${d.id}: ${d.topics.map((t) => `${t.topicId}[${t.partitions.map((p) => p.partitionIndex)}]`).join(' ')}`);

describe('AssignmentsManager', () => {
  it('batches assignments by dir and topic, with the broker epoch; done once acknowledged', async () => {
    const time = new MockTime();
    const c = fakeController(() => ErrorCode.NONE);
    const m = new AssignmentsManager({ nodeId: 1, brokerEpoch: () => 42n, send: c.send, log: silentLogger, time });
    m.onAssignment(T1, 0, D1);
    m.onAssignment(T1, 1, D2);
    m.onAssignment(T2, 0, D1);
    m.onAssignment(T1, 2, D1);
    await time.advance(10);
    assert.equal(c.requests.length, 1);
    assert.deepEqual([c.requests[0]!.brokerId, c.requests[0]!.brokerEpoch], [1, 42n]);
    assert.deepEqual(shape(c.requests[0]!), [`${D1}: ${T1}[0,2] ${T2}[0]`, `${D2}: ${T1}[1]`]);
    assert.equal(m.pendingCount, 0);
    await time.advance(5000);
    assert.equal(c.requests.length, 1);
  });

  it('drops UNKNOWN_TOPIC_ID / NOT_LEADER_OR_FOLLOWER, retries other errors and failed requests after the backoff', async () => {
    const time = new MockTime();
    let fail = true;
    const c = fakeController((t, p) =>
      t === T2
        ? ErrorCode.UNKNOWN_TOPIC_ID
        : p === 1
          ? ErrorCode.NOT_LEADER_OR_FOLLOWER
          : fail
            ? ErrorCode.KAFKA_STORAGE_ERROR
            : ErrorCode.NONE,
    );
    let reject = true;
    const send = async (req: AssignReplicasToDirsRequest) => {
      if (reject) {
        reject = false;
        throw new Error('connection reset');
      }
      return c.send(req);
    };
    const m = new AssignmentsManager({ nodeId: 1, brokerEpoch: () => 7n, send, log: silentLogger, time, retryBackoffMs: 500 });
    m.onAssignment(T1, 0, D1);
    m.onAssignment(T1, 1, D1);
    m.onAssignment(T2, 0, D1);
    await time.advance(10); // the request fails
    assert.equal(c.requests.length, 0);
    assert.equal(m.pendingCount, 3);
    await time.advance(500); // sent: T1-0 retried later, T1-1 and T2-0 dropped
    assert.equal(c.requests.length, 1);
    assert.equal(m.pendingCount, 1);
    assert.equal(m.isPending(T1, 0, D1), true);
    fail = false;
    await time.advance(499);
    assert.equal(c.requests.length, 1);
    await time.advance(1);
    assert.equal(c.requests.length, 2);
    assert.deepEqual(shape(c.requests[1]!), [`${D1}: ${T1}[0]`]);
    assert.equal(m.pendingCount, 0);
  });

  it('waits for a broker epoch; a top-level error is retried; a newer assignment replaces a queued one', async () => {
    const time = new MockTime();
    let epoch = -1n;
    let top: number = ErrorCode.STALE_BROKER_EPOCH;
    const c = fakeController(
      () => ErrorCode.NONE,
      () => top,
    );
    const m = new AssignmentsManager({ nodeId: 3, brokerEpoch: () => epoch, send: c.send, log: silentLogger, time, retryBackoffMs: 100 });
    m.onAssignment(T1, 0, D1);
    m.onAssignment(T1, 0, D2);
    await time.advance(10);
    assert.equal(c.requests.length, 0); // no epoch yet
    epoch = 9n;
    await time.advance(100);
    assert.equal(c.requests.length, 1);
    assert.deepEqual(shape(c.requests[0]!), [`${D2}: ${T1}[0]`]);
    assert.equal(m.pendingCount, 1); // refused at the top
    top = ErrorCode.NONE;
    await time.advance(100);
    assert.equal(c.requests.length, 2);
    assert.equal(m.pendingCount, 0);
    m.close();
  });
});
