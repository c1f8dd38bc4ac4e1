// Group coordinator: transactional offsets (TxnOffsetCommit). Pending per producer until the
// transaction's marker (written to the in-memory log here, as the partition's WriteTxnMarkers
// path would, then announced through onTransactionCompleted); group checks; interplay with
// regular commits, OffsetDelete, DeleteGroups, topic deletion and expiry; refused appends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaError } from '@tributary/protocol';
import { Harness } from './group-harness.ts';
import type { OffsetCommitRequest, TxnOffsetCommitRequest } from '../../src/coordinator/group/index.ts';

const E = {
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_PRODUCER_EPOCH: 47,
  FENCED_INSTANCE_ID: 82,
  UNSTABLE_OFFSET_COMMIT: 88,
};

type Offsets = [topic: string, partition: number, offset: number, metadata?: string | null][];

function topicsOf<P>(offsets: Offsets, part: (p: number, o: number, md: string | null) => P): { name: string; partitions: P[] }[] {
  const topics = new Map<string, { name: string; partitions: P[] }>();
  for (const [name, p, o, md] of offsets) {
    if (!topics.has(name)) topics.set(name, { name, partitions: [] });
    topics.get(name)!.partitions.push(part(p, o, md ?? null));
  }
  return [...topics.values()];
}

function txnReq(producerId: bigint, offsets: Offsets, over: Partial<TxnOffsetCommitRequest> = {}): TxnOffsetCommitRequest {
  return {
    transactionalId: `tx-${producerId}`,
    groupId: 'g',
    producerId,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    apiVersion: 4,
    topics: topicsOf(offsets, (partitionIndex, committedOffset, committedMetadata) => ({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: 5,
      committedMetadata,
    })),
    ...over,
  };
}

function commitReq(offsets: Offsets, over: Partial<OffsetCommitRequest> = {}): OffsetCommitRequest {
  return {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: topicsOf(offsets, (partitionIndex, committedOffset, committedMetadata) => ({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: 2,
      commitTimestamp: -1,
      committedMetadata,
    })),
    ...over,
  };
}

const codes = (r: { topics: { partitions: { errorCode: number }[] }[] }) => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

/** [topic, partition, offset, errorCode] of an OffsetFetch, listed partitions or (topics null) all. */
async function fetch(h: Harness, topics: [string, number[]][] | null, requireStable = false, groupId = 'g') {
  const r = await h.coordinator.fetchOffsets({
    groupId,
    topics: topics?.map(([name, partitionIndexes]) => ({ name, partitionIndexes })) ?? null,
    requireStable,
  });
  assert.equal(r.errorCode, E.NONE);
  return r.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.errorCode]));
}

/** A marker written to the partition, then announced (helper A's WriteTxnMarkers path). */
async function endTxn(h: Harness, producerId: bigint, commit: boolean, epoch = 0) {
  h.log.appendMarker(producerId, epoch, commit);
  await h.coordinator.onTransactionCompleted(producerId, [0], commit);
}

test('pending transactional offsets are invisible until COMMIT; requireStable answers UNSTABLE_OFFSET_COMMIT', async () => {
  const h = await Harness.start();
  const r = await h.coordinator.commitTransactionalOffsets(
    txnReq(7n, [
      ['t', 0, 100, 'm'],
      ['t', 1, 200],
    ]),
  );
  assert.deepEqual(
    r.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [
      [
        't',
        [
          [0, E.NONE],
          [1, E.NONE],
        ],
      ],
    ],
  );
  // One transactional append of producer 7: both records carry its id.
  assert.deepEqual(
    h.log.records.map((x) => x.producerId),
    [7n, 7n],
  );
  assert.ok(h.group('g'), 'a simple group is created');
  assert.deepEqual(await fetch(h, [['t', [0, 1, 2]]]), [
    ['t', 0, -1, E.NONE],
    ['t', 1, -1, E.NONE],
    ['t', 2, -1, E.NONE],
  ]);
  assert.deepEqual(await fetch(h, [['t', [0, 1, 2]]], true), [
    ['t', 0, -1, E.UNSTABLE_OFFSET_COMMIT],
    ['t', 1, -1, E.UNSTABLE_OFFSET_COMMIT],
    ['t', 2, -1, E.NONE],
  ]);
  assert.deepEqual(await fetch(h, null, true), [], 'all partitions: only committed ones are listed, as Kafka');

  await endTxn(h, 7n, true);
  const after = await h.coordinator.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable: true });
  assert.deepEqual(after.topics[0]!.partitions, [
    { partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 5, metadata: 'm', errorCode: E.NONE },
    { partitionIndex: 1, committedOffset: 200, committedLeaderEpoch: 5, metadata: '', errorCode: E.NONE },
  ]);
  assert.deepEqual(h.shard.offsets.pending.producerIds, []);
  // The commit timestamp is the coordinator's clock; no expire timestamp (value v3).
  assert.equal(h.shard.offsets.get('g', 't', 0)!.commitTimestamp, h.time.now());
  assert.equal(h.shard.offsets.get('g', 't', 0)!.expireTimestamp, -1);
  assert.equal(h.shard.offsets.get('g', 't', 0)!.recordOffset, 0);
});

test('ABORT drops the pending offsets; the committed offset stays; a marker without pending offsets changes nothing', async () => {
  const h = await Harness.start();
  await h.coordinator.commitOffsets(commitReq([['t', 0, 5]]));
  await h.coordinator.commitTransactionalOffsets(
    txnReq(3n, [
      ['t', 0, 50],
      ['u', 0, 60],
    ]),
  );
  assert.deepEqual(await fetch(h, [['t', [0]]]), [['t', 0, 5, E.NONE]], 'the committed offset shows while one is pending');
  await endTxn(h, 3n, false);
  assert.deepEqual(
    await fetch(
      h,
      [
        ['t', [0]],
        ['u', [0]],
      ],
      true,
    ),
    [
      ['t', 0, 5, E.NONE],
      ['u', 0, -1, E.NONE],
    ],
  );
  await endTxn(h, 3n, true); // nothing pending any more
  await endTxn(h, 99n, true);
  assert.deepEqual(await fetch(h, null), [['t', 0, 5, E.NONE]]);
});

test('producers are independent; a later transaction of the same producer starts afresh', async () => {
  const h = await Harness.start();
  await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 10]]));
  await h.coordinator.commitTransactionalOffsets(txnReq(2n, [['t', 1, 20]]));
  await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 2, 30]])); // same transaction, second call
  await endTxn(h, 2n, true);
  assert.deepEqual(await fetch(h, [['t', [0, 1, 2]]], true), [
    ['t', 0, -1, E.UNSTABLE_OFFSET_COMMIT],
    ['t', 1, 20, E.NONE],
    ['t', 2, -1, E.UNSTABLE_OFFSET_COMMIT],
  ]);
  await endTxn(h, 1n, true);
  await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 11]]));
  await endTxn(h, 1n, false);
  assert.deepEqual(await fetch(h, [['t', [0, 1, 2]]], true), [
    ['t', 0, 10, E.NONE],
    ['t', 1, 20, E.NONE],
    ['t', 2, 30, E.NONE],
  ]);
});

test('a regular commit and a pending transactional one: the later record in the log wins at COMMIT (as Kafka)', async () => {
  const h = await Harness.start();
  // Transactional first (record 0), regular after (record 1): the regular commit stays.
  await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 100]]));
  await h.coordinator.commitOffsets(commitReq([['t', 0, 7]]));
  assert.deepEqual(await fetch(h, [['t', [0]]]), [['t', 0, 7, E.NONE]]);
  assert.deepEqual(await fetch(h, [['t', [0]]], true), [['t', 0, -1, E.UNSTABLE_OFFSET_COMMIT]], 'still pending');
  await endTxn(h, 1n, true);
  assert.deepEqual(await fetch(h, [['t', [0]]], true), [['t', 0, 7, E.NONE]]);
  // Regular first, transactional after: the transactional offset replaces it.
  await h.coordinator.commitOffsets(commitReq([['t', 1, 8]]));
  await h.coordinator.commitTransactionalOffsets(txnReq(2n, [['t', 1, 200]]));
  await endTxn(h, 2n, true);
  assert.deepEqual(await fetch(h, [['t', [1]]], true), [['t', 1, 200, E.NONE]]);
  // A regular commit racing the marker: queued before the completion, it is replayed first and,
  // being later in the log than the pending record, wins.
  await h.coordinator.commitTransactionalOffsets(txnReq(3n, [['t', 2, 300]]));
  const racing = h.coordinator.commitOffsets(commitReq([['t', 2, 9]]));
  h.log.appendMarker(3n, 0, true);
  await Promise.all([racing, h.coordinator.onTransactionCompleted(3n, [0], true)]);
  assert.deepEqual(await fetch(h, [['t', [2]]], true), [['t', 2, 9, E.NONE]]);
  await h.restart();
  assert.deepEqual(await fetch(h, [['t', [0, 1, 2]]], true), [
    ['t', 0, 7, E.NONE],
    ['t', 1, 200, E.NONE],
    ['t', 2, 9, E.NONE],
  ]);
});

test('TxnOffsetCommit group checks: v3 generation/member/instance as OffsetCommit; no member (v0-2) accepted', async () => {
  const h = await Harness.start();
  const m = await h.stableSingleMember({ groupInstanceId: 'i1' });
  const call = (over: Partial<TxnOffsetCommitRequest>) =>
    h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 1]], over)).then(codes);
  assert.deepEqual(await call({ generationId: 1, memberId: m, groupInstanceId: 'i1' }), [E.NONE]);
  assert.deepEqual(await call({ generationId: 2, memberId: m, groupInstanceId: 'i1' }), [E.ILLEGAL_GENERATION]);
  assert.deepEqual(await call({ generationId: 1, memberId: 'nobody', groupInstanceId: null }), [E.UNKNOWN_MEMBER_ID]);
  assert.deepEqual(await call({ generationId: 1, memberId: 'other', groupInstanceId: 'i1' }), [E.FENCED_INSTANCE_ID]);
  assert.deepEqual(await call({ generationId: 1, memberId: m, groupInstanceId: 'i2' }), [E.UNKNOWN_MEMBER_ID]);
  assert.deepEqual(await call({ generationId: -1, memberId: m, groupInstanceId: null }), [E.ILLEGAL_GENERATION]);
  // v0-2 carry no generation or member: accepted although the group has members (unlike OffsetCommit).
  assert.deepEqual(await call({ apiVersion: 2 }), [E.NONE]);
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitReq([['t', 0, 1]]))), [E.UNKNOWN_MEMBER_ID]);
  // An unknown group with a generation: ILLEGAL_GENERATION (any version); empty group id: INVALID_GROUP_ID.
  assert.deepEqual(await call({ groupId: 'other', generationId: 0, memberId: 'x' }), [E.ILLEGAL_GENERATION]);
  assert.equal(h.group('other'), undefined);
  assert.deepEqual(await call({ groupId: '' }), [E.INVALID_GROUP_ID]);
  // A group completing a rebalance still takes transactional commits (the state is not enforced).
  const j = await h.join({ memberId: m, groupInstanceId: 'i1', protocols: [{ name: 'range', metadata: Buffer.from('x') }] });
  await h.advance(1);
  assert.equal((await j.result).errorCode, E.NONE);
  assert.equal(h.group('g')!.state, 'CompletingRebalance');
  assert.deepEqual(await call({ generationId: 2, memberId: m, groupInstanceId: 'i1' }), [E.NONE]);
  assert.deepEqual(
    codes(
      await h.coordinator.commitOffsets(commitReq([['t', 0, 1]], { generationIdOrMemberEpoch: 2, memberId: m, groupInstanceId: 'i1' })),
    ),
    [27],
    'OffsetCommit answers REBALANCE_IN_PROGRESS',
  );
});

test('OFFSET_METADATA_TOO_LARGE per partition; the rest is written; nothing written when all are too large', async () => {
  const h = await Harness.start({ offsetMetadataMaxSize: 4 });
  const r = await h.coordinator.commitTransactionalOffsets(
    txnReq(1n, [
      ['t', 0, 1, 'abcd'],
      ['t', 1, 2, 'abcde'],
    ]),
  );
  assert.deepEqual(codes(r), [E.NONE, E.OFFSET_METADATA_TOO_LARGE]);
  assert.equal(h.log.records.length, 1);
  const none = await h.coordinator.commitTransactionalOffsets(txnReq(2n, [['t', 1, 2, 'abcde']]));
  assert.deepEqual(codes(none), [E.OFFSET_METADATA_TOO_LARGE]);
  assert.equal(h.log.records.length, 1);
  assert.deepEqual(h.shard.offsets.pending.producerIds, [1n]);
});

test('a refused append is answered as Kafka maps it and leaves nothing pending', async () => {
  const h = await Harness.start();
  h.log.failAppends = new KafkaError(E.INVALID_PRODUCER_EPOCH, 'Epoch of producer 1 is 0, which is smaller than the last seen epoch 1');
  assert.deepEqual(
    codes(
      await h.coordinator.commitTransactionalOffsets(
        txnReq(1n, [
          ['t', 0, 1],
          ['u', 0, 1],
        ]),
      ),
    ),
    [E.INVALID_PRODUCER_EPOCH, E.INVALID_PRODUCER_EPOCH],
  );
  h.log.failAppends = new KafkaError(6); // NOT_LEADER_OR_FOLLOWER
  assert.deepEqual(codes(await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 1]]))), [E.NOT_COORDINATOR]);
  h.log.failAppends = new KafkaError(19); // NOT_ENOUGH_REPLICAS
  assert.deepEqual(codes(await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 1]]))), [E.COORDINATOR_NOT_AVAILABLE]);
  h.log.failAppends = null;
  assert.deepEqual(h.shard.offsets.pending.producerIds, []);
  assert.deepEqual(await fetch(h, [['t', [0]]], true), [['t', 0, -1, E.NONE]]);
});

test('OffsetDelete, DeleteGroups and topic deletion remove pending offsets too (one tombstone per partition)', async () => {
  const h = await Harness.start();
  await h.coordinator.commitOffsets(commitReq([['t', 0, 1]]));
  await h.coordinator.commitTransactionalOffsets(
    txnReq(1n, [
      ['t', 0, 10],
      ['t', 1, 11],
      ['u', 0, 12],
    ]),
  );
  const before = h.log.records.length;
  const del = await h.coordinator.deleteOffsets({
    groupId: 'g',
    topics: [{ name: 't', partitions: [{ partitionIndex: 1 }, { partitionIndex: 2 }] }],
  });
  assert.deepEqual(codes(del), [E.NONE, E.NONE]);
  assert.equal(h.log.records.length, before + 1, 'a tombstone for the pending-only partition 1, none for 2');
  await endTxn(h, 1n, true);
  assert.deepEqual(await fetch(h, null), [
    ['t', 0, 10, E.NONE],
    ['u', 0, 12, E.NONE],
  ]);

  await h.coordinator.commitTransactionalOffsets(
    txnReq(2n, [
      ['t', 0, 20],
      ['v', 0, 21],
    ]),
  );
  await h.coordinator.onTopicsDeleted(['v']);
  const tombstones = h.log.records.slice(-1);
  assert.equal(tombstones[0]!.value, null);
  await endTxn(h, 2n, true);
  assert.deepEqual(await fetch(h, null), [
    ['t', 0, 20, E.NONE],
    ['u', 0, 12, E.NONE],
  ]);

  await h.coordinator.commitTransactionalOffsets(
    txnReq(3n, [
      ['t', 0, 30],
      ['w', 0, 31],
    ]),
  );
  const n = h.log.records.length;
  assert.deepEqual(await h.coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: E.NONE }]);
  assert.equal(h.log.records.length, n + 4, 'tombstones for t-0, u-0, w-0 (pending only) and the group');
  await endTxn(h, 3n, true);
  assert.equal(h.group('g'), undefined);
  assert.deepEqual(h.shard.offsets.offsets.get('g'), undefined);
  await h.restart();
  assert.equal(h.group('g'), undefined);
  assert.deepEqual(h.shard.offsets.offsets.get('g'), undefined);
});

test('pending offsets do not expire, and a group with an open transaction is not deleted', async () => {
  const h = await Harness.start({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  await h.coordinator.commitOffsets(commitReq([['t', 0, 1]]));
  await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 2]]));
  await h.coordinator.commitTransactionalOffsets(txnReq(2n, [['t', 1, 3]], { groupId: 'only-pending' }));
  await h.advance(100_000);
  assert.deepEqual(await fetch(h, [['t', [0]]]), [['t', 0, 1, E.NONE]], 'the committed offset is kept while one is pending');
  assert.ok(h.group('only-pending'), 'a group whose only offsets are pending stays');
  await endTxn(h, 2n, false);
  await endTxn(h, 1n, false);
  await h.advance(10_000);
  assert.equal(h.group('g'), undefined);
  assert.equal(h.group('only-pending'), undefined);
});

test('a marker announced while the partition loads is applied once it is loaded', async () => {
  const h = await Harness.start();
  await h.coordinator.commitTransactionalOffsets(txnReq(1n, [['t', 0, 10]]));
  await h.coordinator.commitTransactionalOffsets(txnReq(2n, [['t', 1, 20]]));
  h.log.appendMarker(2n, 0, true); // replayed by the load below
  // The load does not see the marker of producer 1 (written after it started reading).
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const entries = h.log.entries.slice();
  const slow = {
    append: h.log.append.bind(h.log),
    async *readAll() {
      await gate;
      yield* entries;
    },
  };
  h.coordinator.shutdown();
  h.coordinator = h.newCoordinator();
  const loading = h.coordinator.loadPartition(0, slow);
  h.log.appendMarker(1n, 0, true);
  const done = h.coordinator.onTransactionCompleted(1n, [0, 5], true); // partition 5 is not served here
  const also = h.coordinator.onTransactionCompleted(2n, [0], true); // already replayed: nothing more
  release();
  await loading;
  await Promise.all([done, also]);
  assert.deepEqual(await fetch(h, [['t', [0, 1]]], true), [
    ['t', 0, 10, E.NONE],
    ['t', 1, 20, E.NONE],
  ]);
  h.coordinator.unloadPartition(0);
  await h.coordinator.onTransactionCompleted(1n, [0], true); // not served: skipped, no rejection
});
