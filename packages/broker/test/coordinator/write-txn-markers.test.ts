// writeTxnMarkers (what handler 27 and the transaction coordinator call) on a ReplicaManager
// without TCP: per-partition errors as Kafka's handleWriteTxnMarkersRequest answers them, the
// acks=all wait for the ISR, and the hand-off of __consumer_offsets partitions to the group
// coordinator (onTransactionCompleted), including its failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, type WriteTxnMarkersRequest } from '@tributary/protocol';
import { writeTxnMarkers } from '../../src/coordinator/transaction/write-txn-markers.ts';
import { silentLogger } from '../../src/logger.ts';
import type { BrokerServices } from '../../src/services.ts';
import { batch, harness, type Harness } from '../replica/helpers.ts';

const P1 = 1000n;
const OFFSETS = '__consumer_offsets';

function services(h: Harness, onTransactionCompleted: (pid: bigint, partitions: number[], commit: boolean) => Promise<void>) {
  return { replicas: h.replicas, log: silentLogger, groupCoordinator: { onTransactionCompleted } } as unknown as BrokerServices;
}

function request(commit: boolean, topics: Array<[string, number[]]>, producerEpoch = 0): WriteTxnMarkersRequest {
  return {
    markers: [
      {
        producerId: P1,
        producerEpoch,
        transactionResult: commit,
        coordinatorEpoch: 0,
        topics: topics.map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      },
    ],
  };
}

const codes = (r: Awaited<ReturnType<typeof writeTxnMarkers>>) =>
  r.markers.map((m) => [m.producerId, m.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])]);

describe('writeTxnMarkers', () => {
  it('appends a marker per partition; __consumer_offsets partitions that took it go to the group coordinator', async () => {
    const h = harness();
    const t = h.host('t');
    const o3 = h.host(OFFSETS, { partition: 3 });
    h.host('f', { leader: 2, replicas: [1, 2], isr: [1, 2] }); // followed here
    t.appendRecordsToLeader(await batch(1, { producerId: P1, producerEpoch: 0, baseSequence: 0, isTransactional: true }), {
      requiredAcks: 1,
      origin: 'client',
    });
    const calls: unknown[] = [];
    const res = await writeTxnMarkers(
      services(h, async (...args) => {
        calls.push(args);
      }),
      request(true, [
        ['t', [0]],
        [OFFSETS, [3, 4]],
        ['f', [0]],
        ['gone', [0]],
      ]),
      1,
    );
    assert.deepEqual(codes(res), [
      [
        P1,
        [
          ['t', [[0, ErrorCode.NONE]]],
          [
            OFFSETS,
            [
              [3, ErrorCode.NONE],
              [4, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
            ],
          ],
          ['f', [[0, ErrorCode.NOT_LEADER_OR_FOLLOWER]]],
          ['gone', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        ],
      ],
    ]);
    assert.deepEqual(calls, [[P1, [3], true]]);
    assert.deepEqual([t.logEndOffset, t.lastStableOffset, o3.logEndOffset], [2, 2, 1]);
    h.replicas.shutdown();
  });

  it('a failing group coordinator turns its partitions into UNKNOWN_SERVER_ERROR; others keep their answer', async () => {
    const h = harness();
    h.host('t');
    h.host(OFFSETS, { partition: 0 });
    const res = await writeTxnMarkers(
      services(h, () => Promise.reject(new Error('boom'))),
      request(false, [
        [OFFSETS, [0]],
        ['t', [0]],
      ]),
      1,
    );
    assert.deepEqual(codes(res), [
      [
        P1,
        [
          [OFFSETS, [[0, ErrorCode.UNKNOWN_SERVER_ERROR]]],
          ['t', [[0, ErrorCode.NONE]]],
        ],
      ],
    ]);
    h.replicas.shutdown();
  });

  it('acks=all: waits for the ISR; NOT_ENOUGH_REPLICAS below min.insync.replicas; INVALID_PRODUCER_EPOCH', async () => {
    const h = harness();
    const p = h.host('r', { replicas: [1, 2], isr: [1, 2] });
    h.host('m', { replicas: [1, 2], isr: [1], configs: { 'min.insync.replicas': '2' } });
    const e = h.host('e');
    e.appendRecordsToLeader(await batch(1, { producerId: P1, producerEpoch: 2, baseSequence: 0 }), { requiredAcks: 1, origin: 'client' });
    let done = false;
    const pending = writeTxnMarkers(
      services(h, async () => {}),
      request(true, [['r', [0]]]),
      1,
    ).then((r) => {
      done = true;
      return r;
    });
    await h.time.advance(1);
    assert.equal(done, false);
    p.updateFollowerFetchState(2, 1, 0);
    assert.deepEqual(codes(await pending), [[P1, [['r', [[0, ErrorCode.NONE]]]]]]);
    const refused = await writeTxnMarkers(
      services(h, async () => {}),
      request(
        true,
        [
          ['m', [0]],
          ['e', [0]],
        ],
        1,
      ),
      1,
    );
    assert.deepEqual(codes(refused), [
      [
        P1,
        [
          ['m', [[0, ErrorCode.NOT_ENOUGH_REPLICAS]]],
          ['e', [[0, ErrorCode.INVALID_PRODUCER_EPOCH]]],
        ],
      ],
    ]);
    h.replicas.shutdown();
  });
});
