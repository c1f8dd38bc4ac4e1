// Group coordinator: state rebuilt by replaying __consumer_offsets records, and the record formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, subscription } from './group-harness.ts';
import {
  decodeCoordinatorRecord,
  encodeCoordinatorRecord,
  type CoordinatorRecord,
  type StoredRecord,
} from '../../src/coordinator/group/index.ts';

function snapshot(h: Harness) {
  const groups = [...h.shard.groups.groups.values()].map((g) => ({
    id: g.groupId,
    state: g.state,
    generation: g.generationId,
    protocolType: g.protocolType,
    protocol: g.protocolName,
    leader: g.leaderId,
    stateTs: g.currentStateTimestamp,
    members: [...g.members.values()].map((m) => ({
      id: m.memberId,
      instance: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      session: m.sessionTimeoutMs,
      rebalance: m.rebalanceTimeoutMs,
      assignment: m.assignment.toString('hex'),
      metadata: m.metadata(g.protocolName!).toString('hex'),
    })),
    topics: g.subscribedTopics === null ? null : [...g.subscribedTopics],
  }));
  const offsets = [...h.shard.offsets.offsets].map(([g, topics]) => [g, [...topics].map(([t, parts]) => [t, [...parts]])]);
  return { groups, offsets };
}

test('replaying the log rebuilds groups (generation, leader, members, assignments) and offsets', async () => {
  const h = await Harness.start();
  const a = await h.stableSingleMember({ groupInstanceId: 'static-a', sessionTimeoutMs: 20_000 });
  const b = await h.joinNew({ clientId: 'd', sessionTimeoutMs: 20_000 });
  await h.join({ memberId: a, groupInstanceId: 'static-a', sessionTimeoutMs: 20_000 });
  await b.result;
  await (
    await h.sync(
      a,
      2,
      [
        { memberId: a, assignment: Buffer.from('AA') },
        { memberId: b.memberId, assignment: Buffer.from('BB') },
      ],
      { groupInstanceId: 'static-a' },
    )
  ).result;
  const commit = (groupId: string, gen: number, memberId: string, inst: string | null, offset: number, metadata: string | null) =>
    h.coordinator.commitOffsets({
      groupId,
      generationIdOrMemberEpoch: gen,
      memberId,
      groupInstanceId: inst,
      retentionTimeMs: -1,
      apiVersion: 8,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 4, commitTimestamp: -1, committedMetadata: metadata },
          ],
        },
      ],
    });
  await commit('g', 2, a, 'static-a', 100, 'first');
  await commit('g', 2, b.memberId, null, 150, 'second');
  await commit('simple', -1, '', null, 7, null);
  const tCommit = h.time.now();
  await h.coordinator.commitOffsets({
    groupId: 'simple',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: 5000,
    apiVersion: 2,
    topics: [
      {
        name: 'u',
        partitions: [{ partitionIndex: 3, committedOffset: 9, committedLeaderEpoch: -1, commitTimestamp: 12345, committedMetadata: 'x' }],
      },
    ],
  });
  await h.coordinator.deleteOffsets({ groupId: 'simple', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
  await h.coordinator.commitOffsets({
    groupId: 'gone',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }],
      },
    ],
  });
  await h.coordinator.deleteGroups(['gone']);

  const before = snapshot(h);
  await h.restart();
  const after = snapshot(h);
  assert.deepEqual(after, before);
  assert.deepEqual(
    after.groups.map((g) => [g.id, g.state, g.generation, g.leader]),
    [
      ['g', 'Stable', 2, a],
      ['simple', 'Empty', 0, null],
    ],
  );
  const u3 = h.shard.offsets.get('simple', 'u', 3)!;
  assert.deepEqual([u3.offset, u3.leaderEpoch, u3.metadata, u3.commitTimestamp, u3.expireTimestamp], [9, -1, 'x', 12345, tCommit + 5000]);

  // The reloaded members heartbeat at the same generation; a static restart is recognised.
  assert.equal(await h.heartbeat(a, 2, 'static-a'), 0);
  assert.equal(await h.heartbeat(b.memberId, 2), 0);
  const fetched = await h.coordinator.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
  assert.deepEqual(fetched.topics[0]!.partitions[0], {
    partitionIndex: 0,
    committedOffset: 150,
    committedLeaderEpoch: 4,
    metadata: 'second',
    errorCode: 0,
  });
  const restart = await (await h.join({ groupInstanceId: 'static-a', sessionTimeoutMs: 20_000 })).result;
  assert.equal(restart.generationId, 2);
  assert.equal(h.group('g')!.state, 'Stable');
  assert.deepEqual((await (await h.sync(restart.memberId, 2, [], { groupInstanceId: 'static-a' })).result).assignment, Buffer.from('AA'));
});

test('reloaded members that do not heartbeat are evicted after their session timeout', async () => {
  const h = await Harness.start();
  await h.stableSingleMember();
  await h.restart();
  assert.equal(h.group('g')!.state, 'Stable');
  await h.advance(10_000);
  assert.deepEqual([h.group('g')!.state, h.group('g')!.generationId], ['Empty', 2]);
});

test('record formats: exact key bytes, value round trips, tombstones, unknown key versions ignored', () => {
  const key = encodeCoordinatorRecord({ kind: 'offset-commit', key: { group: 'g', topic: 't', partition: 2 }, value: null });
  assert.deepEqual(key.key, Buffer.from([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 2]));
  assert.equal(key.value, null);
  const gkey = encodeCoordinatorRecord({ kind: 'group-metadata', key: { group: 'ab' }, value: null });
  assert.deepEqual(gkey.key, Buffer.from([0, 2, 0, 2, 0x61, 0x62]));

  const offsetRec: CoordinatorRecord = {
    kind: 'offset-commit',
    key: { group: 'g', topic: 't', partition: 0 },
    value: { offset: 2 ** 40, leaderEpoch: 5, metadata: 'héllo', commitTimestamp: 1_700_000_000_123, expireTimestamp: -1 },
  };
  const enc = encodeCoordinatorRecord(offsetRec);
  assert.equal(enc.value!.readInt16BE(0), 3, 'OffsetCommitValue v3 without expire timestamp');
  assert.deepEqual(decodeCoordinatorRecord(enc), offsetRec);
  const v1: CoordinatorRecord = { ...offsetRec, value: { ...offsetRec.value!, leaderEpoch: -1, expireTimestamp: 1_700_000_100_000 } };
  const enc1 = encodeCoordinatorRecord(v1);
  assert.equal(enc1.value!.readInt16BE(0), 1);
  assert.equal(enc1.value!.length, 2 + 8 + 2 + 6 + 8 + 8);
  assert.deepEqual(decodeCoordinatorRecord(enc1), v1);

  const groupRec: CoordinatorRecord = {
    kind: 'group-metadata',
    key: { group: 'g' },
    value: {
      protocolType: 'consumer',
      generation: 7,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 99,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: 'i',
          clientId: 'c',
          clientHost: '/h',
          rebalanceTimeout: 300000,
          sessionTimeout: 45000,
          subscription: subscription('t'),
          assignment: Buffer.from([1, 2, 3]),
        },
      ],
    },
  };
  const genc = encodeCoordinatorRecord(groupRec);
  assert.equal(genc.value!.readInt16BE(0), 3);
  assert.deepEqual(decodeCoordinatorRecord(genc), groupRec);

  assert.equal(decodeCoordinatorRecord({ key: Buffer.from([0, 3, 0, 1, 0x67]), value: Buffer.from([0, 0]) }), null);
});

test('record formats: reads OffsetCommitValue v4 and GroupMetadataValue v4 (flexible) and v0', () => {
  // OffsetCommitValue v4: offset, leaderEpoch, compact metadata, commitTimestamp, tagged fields.
  const v4 = Buffer.concat([
    Buffer.from([0, 4]),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]),
    Buffer.from([0, 0, 0, 9]),
    Buffer.from([3, 0x6d, 0x64]),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 77]),
    Buffer.from([1, 5, 1, 0xaa]),
  ]);
  const key = Buffer.from([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 0]);
  assert.deepEqual(decodeCoordinatorRecord({ key, value: v4 })!.value, {
    offset: 42,
    leaderEpoch: 9,
    metadata: 'md',
    commitTimestamp: 77,
    expireTimestamp: -1,
  });
  const v0 = Buffer.concat([
    Buffer.from([0, 0]),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]),
    Buffer.from([0, 0]),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]),
  ]);
  assert.deepEqual(decodeCoordinatorRecord({ key, value: v0 })!.value, {
    offset: 1,
    leaderEpoch: -1,
    metadata: '',
    commitTimestamp: 2,
    expireTimestamp: -1,
  });

  const gkey = Buffer.from([0, 2, 0, 1, 0x67]);
  const compact = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s) + 1]), Buffer.from(s)]);
  const gv4 = Buffer.concat([
    Buffer.from([0, 4]),
    compact('consumer'),
    Buffer.from([0, 0, 0, 3]),
    compact('range'),
    compact('m'),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]),
    Buffer.from([2]),
    compact('m'),
    Buffer.from([0]),
    compact('c'),
    compact('h'),
    Buffer.from([0, 0, 0, 10]),
    Buffer.from([0, 0, 0, 20]),
    Buffer.from([2, 0xee]),
    Buffer.from([3, 1, 2]),
    Buffer.from([0]),
    Buffer.from([0]),
  ]);
  assert.deepEqual(decodeCoordinatorRecord({ key: gkey, value: gv4 })!.value, {
    protocolType: 'consumer',
    generation: 3,
    protocol: 'range',
    leader: 'm',
    currentStateTimestamp: 5,
    members: [
      {
        memberId: 'm',
        groupInstanceId: null,
        clientId: 'c',
        clientHost: 'h',
        rebalanceTimeout: 10,
        sessionTimeout: 20,
        subscription: Buffer.from([0xee]),
        assignment: Buffer.from([1, 2]),
      },
    ],
  });
  const str = (s: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(s)]), Buffer.from(s)]);
  const gv0 = Buffer.concat([
    Buffer.from([0, 0]),
    str('consumer'),
    Buffer.from([0, 0, 0, 1]),
    Buffer.from([0xff, 0xff]),
    Buffer.from([0xff, 0xff]),
    Buffer.from([0, 0, 0, 0]),
  ]);
  assert.deepEqual(decodeCoordinatorRecord({ key: gkey, value: gv0 })!.value, {
    protocolType: 'consumer',
    generation: 1,
    protocol: null,
    leader: null,
    currentStateTimestamp: -1,
    members: [],
  });
});

test('coordinator records travel as one uncompressed record batch per append and load back with offsets', async () => {
  const { encodeCoordinatorBatch, coordinatorRecordsIn } = await import('../../src/coordinator/group/coordinator-batches.ts');
  const recs = [
    encodeCoordinatorRecord({
      kind: 'offset-commit',
      key: { group: 'g', topic: 't', partition: 0 },
      value: { offset: 5, leaderEpoch: 1, metadata: '', commitTimestamp: 1000, expireTimestamp: -1 },
    }),
    encodeCoordinatorRecord({ kind: 'group-metadata', key: { group: 'g' }, value: null }),
  ];
  const batch = encodeCoordinatorBatch(recs, 1000);
  assert.equal(batch.readInt8(16), 2, 'magic 2');
  assert.equal(batch.readInt16BE(21) & 0x07, 0, 'no compression');
  const { isTxnMarker } = await import('../../src/coordinator/group/index.ts');
  const back = (await coordinatorRecordsIn(batch)).filter((e) => !isTxnMarker(e)) as StoredRecord[];
  assert.equal(back.length, 2);
  assert.deepEqual(
    back.map((r) => r.offset),
    [0, 1],
  );
  assert.deepEqual(
    back.map((r) => decodeCoordinatorRecord(r)),
    recs.map((r) => decodeCoordinatorRecord(r)),
  );
  assert.equal(back[1]!.value, null);
});

test("GroupApiError carries its Kafka code in errorCode; malformed records throw the protocol's RecordFormatError", async () => {
  const { ErrorCode, RecordFormatError, errorCodeOf } = await import('@tributary/protocol');
  const { GroupApiError } = await import('../../src/coordinator/group/index.ts');
  const e = new GroupApiError(ErrorCode.NOT_COORDINATOR);
  assert.equal(e.errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(errorCodeOf(e), ErrorCode.NOT_COORDINATOR);
  assert.throws(() => decodeCoordinatorRecord({ key: Buffer.from([0, 1, 0]), value: null }), RecordFormatError);
});
