// Transactional offsets over a real __consumer_offsets PartitionLog (storage over the in-memory
// fs): a TxnOffsetCommit is one transactional batch of its producer (attributes bit 4, producer
// id and epoch, BaseSequence 0 as Kafka's coordinator writes it); COMMIT/ABORT control batches are
// appended as the WriteTxnMarkers path would; a coordinator loading the log (in small read
// chunks) ends in the state the live one reached: committed offsets, pending ones by producer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlRecordType, buildEndTxnMarkerBatch, decodeRecordBatches } from '@tributary/protocol';
import { LogManager, MemoryFileSystem, MockTime } from '@tributary/storage';
import { GroupCoordinator, PartitionCoordinatorLog, type TxnOffsetCommitRequest } from '../../src/coordinator/group/index.ts';

function txn(producerId: bigint, producerEpoch: number, groupId: string, offsets: [string, number, number][]): TxnOffsetCommitRequest {
  return {
    transactionalId: `tx${producerId}`,
    groupId,
    producerId,
    producerEpoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    apiVersion: 3,
    topics: [...new Set(offsets.map((o) => o[0]))].map((name) => ({
      name,
      partitions: offsets
        .filter((o) => o[0] === name)
        .map(([, partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: 1,
          committedMetadata: `p${producerId}`,
        })),
    })),
  };
}

function commit(groupId: string, topic: string, partitionIndex: number, committedOffset: number) {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [
      {
        name: topic,
        partitions: [{ partitionIndex, committedOffset, committedLeaderEpoch: 2, commitTimestamp: -1, committedMetadata: 'r' }],
      },
    ],
  };
}

/** Committed offsets and pending ones (by producer), with their record offsets. */
function state(c: GroupCoordinator) {
  const o = c.shard(0)!.offsets;
  const committed = [...o.offsets].flatMap(([g, topics]) =>
    [...topics].flatMap(([t, parts]) => [...parts].map(([p, v]) => [g, t, p, v.offset, v.metadata, v.recordOffset])),
  );
  const pending = [...o.pending.entries()].map(([pid, g, t, p, v]) => [pid, g, t, p, v.offset, v.recordOffset]);
  const sort = (a: unknown[], b: unknown[]) =>
    JSON.stringify(a, (_, x) => (typeof x === 'bigint' ? `${x}` : x)).localeCompare(
      JSON.stringify(b, (_, x) => (typeof x === 'bigint' ? `${x}` : x)),
    );
  return { committed: committed.sort(sort), pending: pending.sort(sort), groups: [...c.shard(0)!.groups.groups.keys()].sort() };
}

test('transactional batches and markers in the log replay to the live state', async () => {
  const time = new MockTime(1_700_000_000_000);
  const fs = new MemoryFileSystem(time);
  const mgr = new LogManager({ logDirs: ['/data'], fs, time, backgroundTasks: false, defaultConfig: { segmentBytes: 1024 } }).startup();
  const partition = mgr.getOrCreateLog('__consumer_offsets', 0);
  const log = new PartitionCoordinatorLog(partition, { leaderEpoch: () => 0, time, loadBufferBytes: 200 });
  const live = new GroupCoordinator({ config: { offsetsTopicNumPartitions: 1 }, time });
  await live.loadPartition(0, log);
  const marker = async (producerId: bigint, producerEpoch: number, commit: boolean) => {
    const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort;
    await partition.append(
      buildEndTxnMarkerBatch({ type, producerId, producerEpoch, coordinatorEpoch: 0, timestamp: BigInt(time.now()) }),
      {
        leaderEpoch: 0,
      },
    );
    await live.onTransactionCompleted(producerId, [0], commit);
  };
  const ok = (r: { topics: { partitions: { errorCode: number }[] }[] }) =>
    assert.deepEqual(
      r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)),
      r.topics.flatMap((t) => t.partitions.map(() => 0)),
    );

  ok(await live.commitOffsets(commit('g1', 't', 0, 1)));
  ok(
    await live.commitTransactionalOffsets(
      txn(10n, 0, 'g1', [
        ['t', 0, 100],
        ['t', 1, 101],
      ]),
    ),
  );
  ok(await live.commitTransactionalOffsets(txn(11n, 2, 'g1', [['t', 2, 110]])));
  ok(await live.commitTransactionalOffsets(txn(12n, 0, 'g2', [['u', 0, 120]])));
  ok(await live.commitOffsets(commit('g1', 't', 1, 5))); // later than producer 10's record: stays at COMMIT
  await marker(10n, 0, true);
  await marker(11n, 2, false);
  ok(await live.commitTransactionalOffsets(txn(10n, 1, 'g1', [['t', 0, 200]]))); // the next transaction
  ok(await live.commitTransactionalOffsets(txn(13n, 0, 'g3', [['w', 0, 130]])));
  await live.deleteOffsets({ groupId: 'g3', topics: [{ name: 'w', partitions: [{ partitionIndex: 0 }] }] });
  await marker(13n, 0, true); // its only offset was deleted: nothing to commit
  await marker(99n, 0, true); // a producer without offsets here
  for (let i = 0; i < 6; i++) ok(await live.commitOffsets(commit('g4', 'x', i, i)));

  const expected = state(live);
  assert.deepEqual(
    expected.committed.map((c) => c.slice(0, 5)),
    [
      ['g1', 't', 0, 100, 'p10'],
      ['g1', 't', 1, 5, 'r'],
      ['g4', 'x', 0, 0, 'r'],
      ['g4', 'x', 1, 1, 'r'],
      ['g4', 'x', 2, 2, 'r'],
      ['g4', 'x', 3, 3, 'r'],
      ['g4', 'x', 4, 4, 'r'],
      ['g4', 'x', 5, 5, 'r'],
    ],
  );
  assert.deepEqual(
    expected.pending.map((p) => p.slice(0, 5)),
    [
      [10n, 'g1', 't', 0, 200],
      [12n, 'g2', 'u', 0, 120],
    ],
  );
  assert.deepEqual(expected.groups, ['g1', 'g2', 'g3', 'g4']);

  // The batches as stored: transactional ones carry the producer; markers are control batches.
  const batches = [];
  for (let at = 0; at < partition.logEndOffset; ) {
    const read = await decodeRecordBatches(partition.read(at, 1 << 20).records);
    batches.push(...read);
    at = Number(read.at(-1)!.baseOffset) + read.at(-1)!.lastOffsetDelta + 1;
  }
  assert.equal(batches.length, 18, 'one batch per append, over several 1 KiB segments');
  const txnBatch = batches[1]!;
  assert.deepEqual(
    [
      txnBatch.isTransactional,
      txnBatch.isControl,
      txnBatch.producerId,
      txnBatch.producerEpoch,
      txnBatch.baseSequence,
      txnBatch.records.length,
    ],
    [true, false, 10n, 0, 0, 2],
  );
  assert.equal(txnBatch.attributes & 0x10, 0x10);
  assert.deepEqual([batches[0]!.isTransactional, batches[0]!.producerId, batches[0]!.baseSequence], [false, -1n, -1]);
  assert.deepEqual(
    batches.filter((b) => b.isControl).map((b) => [b.producerId, b.producerEpoch, b.records[0]!.key!.readInt16BE(2)]),
    [
      [10n, 0, 1],
      [11n, 2, 0],
      [13n, 0, 1],
      [99n, 0, 1],
    ],
  );
  live.shutdown();

  const again = new GroupCoordinator({ config: { offsetsTopicNumPartitions: 1 }, time });
  await again.loadPartition(0, log);
  assert.deepEqual(state(again), expected);
  // The reloaded coordinator completes the ongoing transactions like the live one would.
  await partition.append(
    buildEndTxnMarkerBatch({ type: ControlRecordType.Commit, producerId: 12n, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1n }),
    {
      leaderEpoch: 0,
    },
  );
  await again.onTransactionCompleted(12n, [0], true);
  const f = await again.fetchOffsets({ groupId: 'g2', topics: [{ name: 'u', partitionIndexes: [0] }], requireStable: true });
  assert.deepEqual(f.topics[0]!.partitions[0], {
    partitionIndex: 0,
    committedOffset: 120,
    committedLeaderEpoch: 1,
    metadata: 'p12',
    errorCode: 0,
  });
  again.shutdown();
  mgr.shutdown();
});
