// The group coordinator loads compacted __consumer_offsets logs (storage's PartitionLog over the
// in-memory fs, read in small chunks): offset gaps between and inside batches, batches the
// cleaner rewrote (same base offset and last offset delta, fewer records), empty batches (record
// count 0, data and control), tombstones whose records are gone, a group whose metadata record
// was removed while offsets remain, compressed cleaned batches, transaction markers left without
// their data. And the tombstones it writes (DeleteGroups, OffsetDelete, offset expiry) carry the
// very key bytes of the records they delete, so compaction can drop both: a live workload, then
// compacted (tombstones kept, then gone past delete.retention.ms), reloads to the live state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionType, ControlRecordType, buildEndTxnMarkerBatch } from '@tributary/protocol';
import { LogManager, MemoryFileSystem, MockTime, type PartitionLog } from '@tributary/storage';
import {
  GroupCoordinator,
  PartitionCoordinatorLog,
  decodeCoordinatorRecord,
  encodeCoordinatorRecord,
  type CoordinatorRecord,
  type TxnOffsetCommitRequest,
} from '../../src/coordinator/group/index.ts';
import { appendBatch, batchesOf, compactedCopy } from './compacted-copy.ts';
import { Harness } from './group-harness.ts';

const commitRec = (group: string, topic: string, partition: number, offset: number): CoordinatorRecord => ({
  kind: 'offset-commit',
  key: { group, topic, partition },
  value: { offset, leaderEpoch: 1, metadata: `m${offset}`, commitTimestamp: 1_000_000, expireTimestamp: -1 },
});
const offsetTombstone = (group: string, topic: string, partition: number): CoordinatorRecord => ({
  kind: 'offset-commit',
  key: { group, topic, partition },
  value: null,
});
const at = (offsetDelta: number, r: CoordinatorRecord) => ({ ...encodeCoordinatorRecord(r), offsetDelta });

/** Committed offsets with their record offsets, pending ones, and each group's state, sorted. */
function state(c: GroupCoordinator) {
  const shard = c.shard(0)!;
  const committed = [...shard.offsets.offsets].flatMap(([g, topics]) =>
    [...topics].flatMap(([t, parts]) => [...parts].map(([p, v]) => `${g}/${t}/${p}=${v.offset}@${v.recordOffset}`)),
  );
  const pending = [...shard.offsets.pending.entries()].map(([pid, g, t, p, v]) => `${pid}:${g}/${t}/${p}=${v.offset}`);
  const groups = [...shard.groups.groups.values()].map(
    (g) => `${g.groupId}:${g.state}:${g.protocolType ?? '-'}:gen${g.generationId}:${g.members.size}`,
  );
  return { committed: committed.sort(), pending: pending.sort(), groups: groups.sort() };
}

function setup(time: MockTime) {
  const fs = new MemoryFileSystem(time);
  const mgr = new LogManager({ logDirs: ['/data'], fs, time, backgroundTasks: false, defaultConfig: { segmentBytes: 1024 } }).startup();
  const open = (p: number) => mgr.getOrCreateLog('__consumer_offsets', p);
  const coordinatorLog = (log: PartitionLog) => new PartitionCoordinatorLog(log, { leaderEpoch: () => 0, time, loadBufferBytes: 64 });
  return { mgr, open, coordinatorLog };
}

async function load(time: MockTime, log: PartitionCoordinatorLog): Promise<GroupCoordinator> {
  const c = new GroupCoordinator({ config: { offsetsTopicNumPartitions: 1 }, time });
  await c.loadPartition(0, log);
  return c;
}

test('loads a hand-built compacted log: gaps, rewritten and empty batches, tombstones, markers without data', async () => {
  const time = new MockTime(1_700_000_000_000);
  const { mgr, open, coordinatorLog } = setup(time);
  const log = open(0);
  const g1Meta: CoordinatorRecord = {
    kind: 'group-metadata',
    key: { group: 'g1' },
    value: { protocolType: 'consumer', generation: 3, protocol: null, leader: null, currentStateTimestamp: 1_000_000, members: [] },
  };
  // [0, 5]: a rewritten batch, two of its six records left (offsets 1 and 5)
  await appendBatch(log, 0, [at(1, commitRec('g1', 't', 0, 100)), at(5, g1Meta)], { lastOffsetDelta: 5 });
  // [6, 8]: a transactional producer's last batch, emptied
  await appendBatch(log, 6, [], { lastOffsetDelta: 2, producerId: 7n, producerEpoch: 0, isTransactional: true });
  // 9-11: whole batches removed; [12, 15] gzip: an offset tombstone and a group tombstone whose records are gone,
  // and offsets of g2, whose metadata record was removed (a group tombstone once the horizon passed)
  await appendBatch(
    log,
    12,
    [
      at(0, offsetTombstone('g1', 't', 1)),
      at(2, commitRec('g2', 'u', 0, 7)),
      at(3, { kind: 'group-metadata', key: { group: 'g3' }, value: null }),
    ],
    { lastOffsetDelta: 3, compression: CompressionType.Gzip },
  );
  // [16, 17]: a committed transaction's data (one of two records left), then its COMMIT marker at 18
  await appendBatch(log, 16, [at(1, commitRec('g1', 't', 2, 555))], {
    lastOffsetDelta: 1,
    producerId: 8n,
    producerEpoch: 1,
    isTransactional: true,
  });
  const setBase = (b: Buffer, offset: number) => {
    b.writeBigInt64BE(BigInt(offset), 0);
    return b;
  };
  log.appendAsFollower(
    setBase(
      buildEndTxnMarkerBatch({ type: ControlRecordType.Commit, producerId: 8n, producerEpoch: 1, coordinatorEpoch: 0, timestamp: 1n }),
      18,
    ),
  );
  // 19: an ABORT marker whose transaction's data the cleaner removed; [20]: an emptied control batch
  log.appendAsFollower(
    setBase(
      buildEndTxnMarkerBatch({ type: ControlRecordType.Abort, producerId: 9n, producerEpoch: 1, coordinatorEpoch: 0, timestamp: 1n }),
      19,
    ),
  );
  await appendBatch(log, 20, [], { lastOffsetDelta: 0, producerId: 10n, producerEpoch: 0, isTransactional: true, isControl: true });
  // 21-24 gone; [25]: the latest commit of g1/t/0
  await appendBatch(log, 25, [at(0, commitRec('g1', 't', 0, 200))]);
  assert.equal(log.logEndOffset, 26);
  assert.deepEqual(
    (await batchesOf(log)).map((b) => [Number(b.baseOffset), b.lastOffsetDelta, b.recordsCount, b.isControl]),
    [
      [0, 5, 2, false],
      [6, 2, 0, false],
      [12, 3, 3, false],
      [16, 1, 1, false],
      [18, 0, 1, true],
      [19, 0, 1, true],
      [20, 0, 0, true],
      [25, 0, 1, false],
    ],
  );

  const c = await load(time, coordinatorLog(log));
  const expected = {
    committed: ['g1/t/0=200@25', 'g1/t/2=555@17', 'g2/u/0=7@14'],
    pending: [],
    groups: ['g1:Empty:consumer:gen3:0', 'g2:Empty:-:gen0:0'],
  };
  assert.deepEqual(state(c), expected);
  assert.deepEqual(await c.fetchOffsets({ groupId: 'g2', topics: [{ name: 'u', partitionIndexes: [0] }] }), {
    groupId: 'g2',
    errorCode: 0,
    topics: [{ name: 'u', partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: 1, metadata: 'm7', errorCode: 0 }] }],
  });
  // it serves and writes at the log end
  const r = await c.commitOffsets({
    groupId: 'g2',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [
      {
        name: 'u',
        partitions: [{ partitionIndex: 1, committedOffset: 8, committedLeaderEpoch: 1, commitTimestamp: -1, committedMetadata: 'x' }],
      },
    ],
  });
  assert.equal(r.topics[0]!.partitions[0]!.errorCode, 0);
  assert.equal(log.logEndOffset, 27);
  c.shutdown();
  const again = await load(time, coordinatorLog(log));
  assert.deepEqual(state(again).committed, [...expected.committed, 'g2/u/1=8@26'].sort());
  again.shutdown();
  mgr.shutdown();
});

function txn(producerId: bigint, groupId: string, offsets: [string, number, number][]): TxnOffsetCommitRequest {
  return {
    transactionalId: `tx${producerId}`,
    groupId,
    producerId,
    producerEpoch: 0,
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
          committedMetadata: '',
        })),
    })),
  };
}

test('its own tombstones delete by key: a live log, compacted with and without its tombstones, reloads to the live state', async () => {
  const h = new Harness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const { mgr, open, coordinatorLog } = setup(h.time);
  const live = open(0);
  await h.coordinator.loadPartition(0, coordinatorLog(live));
  const commit = async (groupId: string, topic: string, partitionIndex: number, committedOffset: number, member?: [string, number]) => {
    const r = await h.coordinator.commitOffsets({
      groupId,
      generationIdOrMemberEpoch: member?.[1] ?? -1,
      memberId: member?.[0] ?? '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      apiVersion: 8,
      topics: [
        {
          name: topic,
          partitions: [{ partitionIndex, committedOffset, committedLeaderEpoch: 1, commitTimestamp: -1, committedMetadata: '' }],
        },
      ],
    });
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, 0);
  };
  const marker = async (producerId: bigint, commit: boolean) => {
    const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort;
    await live.append(buildEndTxnMarkerBatch({ type, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1n }), {
      leaderEpoch: 0,
    });
    await h.coordinator.onTransactionCompleted(producerId, [0], commit);
  };

  // a consumer group: joins, commits, leaves; its offsets expire and the empty group is deleted
  const m = await h.stableSingleMember();
  await commit('g', 't', 0, 1, [m, 1]);
  await commit('g', 't', 1, 2, [m, 1]);
  await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: m, groupInstanceId: null }] });
  await h.advance(75_000);
  assert.equal(h.group('g'), undefined);
  // g again, as a simple group: offsets without a group metadata record
  await commit('g', 't', 9, 9);
  await commit('s1', 't', 0, 10);
  await commit('s1', 't', 0, 11);
  await commit('s1', 't', 1, 12);
  await commit('s1', 't', 2, 13);
  assert.equal(
    (await h.coordinator.deleteOffsets({ groupId: 's1', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] })).errorCode,
    0,
  );
  await commit('del', 't', 0, 20);
  assert.deepEqual(await h.coordinator.deleteGroups(['del']), [{ groupId: 'del', errorCode: 0 }]);
  await h.coordinator.commitTransactionalOffsets(
    txn(10n, 's2', [
      ['t', 0, 30],
      ['t', 1, 31],
    ]),
  );
  await h.coordinator.commitTransactionalOffsets(txn(11n, 's2', [['t', 0, 40]]));
  await marker(10n, true);
  await marker(11n, false);
  await commit('s2', 't', 1, 32);
  await commit('s3', 't', 0, 50); // the active segment's
  await h.settle();

  const expected = state(h.coordinator);
  assert.deepEqual(expected, {
    committed: ['g/t/9=9@8', 's1/t/0=11@10', 's1/t/2=13@12', 's2/t/0=30@17', 's2/t/1=32@22', 's3/t/0=50@23'],
    pending: [],
    groups: ['g:Empty:-:gen0:0', 's1:Empty:-:gen0:0', 's2:Empty:-:gen0:0', 's3:Empty:-:gen0:0'],
  });

  // The tombstones written, and the records with the same key bytes before them.
  const entries = (await batchesOf(live)).filter((b) => !b.isControl).flatMap((b) => b.records);
  const tombstones = entries
    .filter((r) => r.value === null)
    .map((r) => {
      const rec = decodeCoordinatorRecord({ key: r.key!, value: null })!;
      const name =
        rec.kind === 'offset-commit' ? `offset ${rec.key.group}/${rec.key.topic}/${rec.key.partition}` : `group ${rec.key.group}`;
      const earlier = entries.filter((e) => e.offset < r.offset && e.value !== null && e.key!.equals(r.key!)).map((e) => Number(e.offset));
      return [Number(r.offset), name, earlier];
    });
  assert.deepEqual(tombstones, [
    [5, 'offset g/t/0', [2]], // expired
    [6, 'offset g/t/1', [3]],
    [7, 'group g', [0, 1, 4]], // the Empty group deleted: its every metadata record (rebalance, sync, leave)
    [13, 'offset s1/t/1', [11]], // OffsetDelete
    [15, 'offset del/t/0', [14]], // DeleteGroups
    [16, 'group del', []], // a simple group never had a metadata record
  ]);

  h.coordinator.shutdown();
  for (const horizonPassed of [false, true]) {
    const copy = open(horizonPassed ? 2 : 1);
    await compactedCopy(live, copy, { horizonPassed });
    const kept = (await batchesOf(copy)).flatMap((b) => b.records.map((r) => Number(r.offset)));
    assert.deepEqual(
      kept,
      // 20 and 21: the COMMIT of producer 10 (its record 17 left) and the ABORT of producer 11 (emptied batch at 19)
      horizonPassed ? [8, 10, 12, 17, 20, 22, 23] : [5, 6, 7, 8, 10, 12, 13, 15, 16, 17, 20, 21, 22, 23],
      `records left (horizon passed: ${horizonPassed})`,
    );
    assert.equal(copy.logEndOffset, live.logEndOffset);
    const reloaded = await load(h.time, coordinatorLog(copy));
    assert.deepEqual(state(reloaded), expected);
    reloaded.shutdown();
  }
  mgr.shutdown();
});
