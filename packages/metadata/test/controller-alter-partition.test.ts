// AlterPartition in the controller (Kafka's ReplicationControlManager.alterPartition): a leader's
// ISR proposals accepted (records, partition epoch bumped, leader epoch kept) and every rejection
// with Kafka's error code, by version (v0-1 names, v2+ ids, v3 broker epochs per ISR member).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, type AlterPartitionRequest, type AlterPartitionRequestPartitionData } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { Controller, LocalController, type MetadataImage } from '../src/index.ts';
import { clusterImage, commit, endpoint, incarnationId, options } from './helpers/fixtures.ts';

const c = new Controller(options());

/** Brokers 1-4 unfenced; topic t: p0 [1,2,3], p1 [2,3,4], p2 [3,4,1], RF 3, all in sync. */
function cluster(): MetadataImage {
  const image = clusterImage([1, 2, 3, 4]);
  return commit(image, c.createTopics(image, [{ name: 't', numPartitions: 3, replicationFactor: 3 }]).records);
}

const epoch = (image: MetadataImage, id: number) => image.cluster.broker(id)!.epoch;

function partition(over: Partial<AlterPartitionRequestPartitionData> & { newIsr: number[] }): AlterPartitionRequestPartitionData {
  return {
    partitionIndex: 0,
    leaderEpoch: 0,
    partitionEpoch: 0,
    leaderRecoveryState: 0,
    newIsrWithEpochs: [],
    ...over,
  };
}

/** One partition of t, asked by `brokerId` (default the leader of p0, broker 1) at its current epoch. */
function request(image: MetadataImage, p: AlterPartitionRequestPartitionData, brokerId = 1, topicName = 't'): AlterPartitionRequest {
  const topicId = image.topic('t')!.topicId;
  return { brokerId, brokerEpoch: epoch(image, brokerId), topics: [{ topicName, topicId, partitions: [p] }] };
}

const codeOf = (r: ReturnType<Controller['alterPartition']>) => r.response.topics[0]!.partitions[0]!.errorCode;

describe('controller: AlterPartition', () => {
  it('shrinks the ISR: one PartitionChangeRecord with the ISR only, the partition epoch bumped, the leader epoch kept', () => {
    let image = cluster();
    const r = c.alterPartition(image, request(image, partition({ newIsr: [1, 3] })), 2);
    assert.equal(r.records.length, 1);
    const rec = r.records[0]!;
    assert.equal(rec.type, 'PartitionChangeRecord');
    if (rec.type !== 'PartitionChangeRecord') return;
    assert.deepEqual([rec.data.partitionId, rec.data.isr, rec.data.leader, rec.data.leaderRecoveryState], [0, [1, 3], -2, -1]);
    assert.deepEqual(r.response, {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          topicName: 't',
          topicId: image.topic('t')!.topicId,
          partitions: [
            { partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: 0, isr: [1, 3], leaderRecoveryState: 0, partitionEpoch: 1 },
          ],
        },
      ],
    });
    image = commit(image, r.records);
    const p = image.partition('t', 0)!;
    assert.deepEqual([p.leader, p.isr, p.leaderEpoch, p.partitionEpoch], [1, [1, 3], 0, 1]);

    // expand again at the new partition epoch (v3, with broker epochs); ISR order is kept as asked
    const v3 = partition({
      newIsr: [],
      partitionEpoch: 1,
      newIsrWithEpochs: [
        { brokerId: 1, brokerEpoch: epoch(image, 1) },
        { brokerId: 3, brokerEpoch: -1n },
        { brokerId: 2, brokerEpoch: epoch(image, 2) },
      ],
    });
    const r2 = c.alterPartition(image, request(image, v3), 3);
    assert.equal(codeOf(r2), ErrorCode.NONE);
    image = commit(image, r2.records);
    const p2 = image.partition('t', 0)!;
    assert.deepEqual([p2.isr, p2.leaderEpoch, p2.partitionEpoch], [[1, 3, 2], 0, 2]);
  });

  it('an unchanged ISR writes nothing and answers the partition as it is', () => {
    const image = cluster();
    const r = c.alterPartition(image, request(image, partition({ newIsr: [1, 2, 3] })), 2);
    assert.deepEqual(r.records, []);
    assert.deepEqual(r.response.topics[0]!.partitions[0], {
      partitionIndex: 0,
      errorCode: 0,
      leaderId: 1,
      leaderEpoch: 0,
      isr: [1, 2, 3],
      leaderRecoveryState: 0,
      partitionEpoch: 0,
    });
  });

  it('v0-1 name topics; v2+ use ids', () => {
    const image = cluster();
    const byName = c.alterPartition(image, request(image, partition({ newIsr: [1, 2] })), 1);
    assert.equal(codeOf(byName), ErrorCode.NONE);
    const unknownName = c.alterPartition(image, request(image, partition({ newIsr: [1, 2] }), 1, 'nope'), 0);
    assert.equal(codeOf(unknownName), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const unknownId = request(image, partition({ newIsr: [1, 2] }));
    unknownId.topics[0]!.topicId = Buffer.alloc(16, 7).toString('base64url');
    assert.equal(codeOf(c.alterPartition(image, unknownId, 2)), ErrorCode.UNKNOWN_TOPIC_ID);
    const zeroId = request(image, partition({ newIsr: [1, 2] }));
    zeroId.topics[0]!.topicId = 'AAAAAAAAAAAAAAAAAAAAAA';
    assert.equal(codeOf(c.alterPartition(image, zeroId, 2)), ErrorCode.UNKNOWN_TOPIC_ID);
    assert.deepEqual(unknownId.topics[0]!.partitions.length, 1);
  });

  it('a requester with a stale or unknown broker epoch fails the whole request with STALE_BROKER_EPOCH', () => {
    const image = cluster();
    const stale = { ...request(image, partition({ newIsr: [1, 2] })), brokerEpoch: epoch(image, 1) - 1n };
    const r = c.alterPartition(image, stale, 2);
    assert.deepEqual(r, { records: [], response: { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] } });
    const unknown = { ...request(image, partition({ newIsr: [1, 2] })), brokerId: 9 };
    assert.equal(c.alterPartition(image, unknown, 2).response.errorCode, ErrorCode.STALE_BROKER_EPOCH);
  });

  it('rejects each invalid partition with Kafka error code, writing nothing', () => {
    const image = cluster();
    const cases: Array<[string, AlterPartitionRequestPartitionData, number, number]> = [
      ['unknown partition', partition({ partitionIndex: 7, newIsr: [1] }), 1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['newer leader epoch', partition({ leaderEpoch: 1, newIsr: [1, 2] }), 1, ErrorCode.NOT_CONTROLLER],
      ['newer partition epoch', partition({ partitionEpoch: 1, newIsr: [1, 2] }), 1, ErrorCode.NOT_CONTROLLER],
      ['not the leader', partition({ newIsr: [1, 2] }), 2, ErrorCode.INVALID_REQUEST],
      ['ISR not within the replicas', partition({ newIsr: [1, 4] }), 1, ErrorCode.INVALID_REQUEST],
      ['ISR with a duplicate', partition({ newIsr: [1, 2, 2] }), 1, ErrorCode.INVALID_REQUEST],
      ['ISR without the leader', partition({ newIsr: [2, 3] }), 1, ErrorCode.INVALID_REQUEST],
      ['empty ISR', partition({ newIsr: [] }), 1, ErrorCode.INVALID_REQUEST],
      ['RECOVERED -> RECOVERING', partition({ newIsr: [1], leaderRecoveryState: 1 }), 1, ErrorCode.INVALID_REQUEST],
      ['RECOVERING with two members', partition({ newIsr: [1, 2], leaderRecoveryState: 1 }), 1, ErrorCode.INVALID_REQUEST],
      ['unknown recovery state', partition({ newIsr: [1, 2], leaderRecoveryState: 5 }), 1, ErrorCode.INVALID_REQUEST],
    ];
    for (const [what, p, from, code] of cases) {
      const r = c.alterPartition(image, request(image, p, from), 2);
      assert.equal(codeOf(r), code, what);
      assert.deepEqual(r.records, [], what);
      assert.deepEqual(
        r.response.topics[0]!.partitions[0],
        {
          partitionIndex: p.partitionIndex,
          errorCode: code,
          leaderId: 0,
          leaderEpoch: 0,
          isr: [],
          leaderRecoveryState: 0,
          partitionEpoch: 0,
        },
        what,
      );
    }
  });

  it('an older leader epoch is FENCED_LEADER_EPOCH; the right leader epoch with an older partition epoch INVALID_UPDATE_VERSION', () => {
    let image = cluster();
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, leader: 2 }).records); // leader 2, epochs 1/1
    const olderLeaderEpoch = c.alterPartition(image, request(image, partition({ newIsr: [2, 3], partitionEpoch: 1 }), 2), 2);
    assert.equal(codeOf(olderLeaderEpoch), ErrorCode.FENCED_LEADER_EPOCH);
    // the old leader, at an old epoch: fenced before "not the leader"
    assert.equal(codeOf(c.alterPartition(image, request(image, partition({ newIsr: [1, 2] }), 1), 2)), ErrorCode.FENCED_LEADER_EPOCH);
    image = commit(
      image,
      c.alterPartition(image, request(image, partition({ leaderEpoch: 1, partitionEpoch: 1, newIsr: [2, 3] }), 2), 2).records,
    );
    assert.deepEqual([image.partition('t', 0)!.leaderEpoch, image.partition('t', 0)!.partitionEpoch], [1, 2]);
    const olderPartitionEpoch = c.alterPartition(
      image,
      request(image, partition({ leaderEpoch: 1, partitionEpoch: 1, newIsr: [2] }), 2),
      2,
    );
    assert.equal(codeOf(olderPartitionEpoch), ErrorCode.INVALID_UPDATE_VERSION);
  });

  it('an ISR member fenced, in controlled shutdown or (v3) at another broker epoch is INELIGIBLE_REPLICA (v0-1: OPERATION_NOT_ATTEMPTED)', () => {
    let image = cluster();
    image = commit(image, c.alterPartition(image, request(image, partition({ newIsr: [1] })), 2).records); // p0 isr [1], epoch 0/1
    const fenced = commit(image, c.fenceBroker(image, 2).records);
    const p0 = (img: MetadataImage) => img.partition('t', 0)!;
    const addTwo = (img: MetadataImage) => partition({ partitionEpoch: p0(img).partitionEpoch, newIsr: [1, 2] });
    assert.equal(codeOf(c.alterPartition(fenced, request(fenced, addTwo(fenced)), 2)), ErrorCode.INELIGIBLE_REPLICA);
    assert.equal(codeOf(c.alterPartition(fenced, request(fenced, addTwo(fenced)), 1)), ErrorCode.OPERATION_NOT_ATTEMPTED);

    const shutting = commit(image, [
      {
        type: 'BrokerRegistrationChangeRecord',
        data: { brokerId: 2, brokerEpoch: epoch(image, 2), fenced: 0, inControlledShutdown: 1, logDirs: [] },
      },
    ]);
    assert.equal(codeOf(c.alterPartition(shutting, request(shutting, addTwo(shutting)), 2)), ErrorCode.INELIGIBLE_REPLICA);

    const withEpochs = (e2: bigint) =>
      partition({
        partitionEpoch: 1,
        newIsr: [],
        newIsrWithEpochs: [
          { brokerId: 1, brokerEpoch: epoch(image, 1) },
          { brokerId: 2, brokerEpoch: e2 },
        ],
      });
    assert.equal(codeOf(c.alterPartition(image, request(image, withEpochs(epoch(image, 2) + 1n)), 3)), ErrorCode.INELIGIBLE_REPLICA);
    assert.equal(codeOf(c.alterPartition(image, request(image, withEpochs(-1n)), 3)), ErrorCode.NONE);
    assert.equal(codeOf(c.alterPartition(image, request(image, withEpochs(epoch(image, 2))), 3)), ErrorCode.NONE);
    // v2 has no epochs per member: NewIsr is taken with -1 (no check)
    assert.equal(codeOf(c.alterPartition(image, request(image, partition({ partitionEpoch: 1, newIsr: [1, 2] })), 2)), ErrorCode.NONE);
  });

  it('a RECOVERING leader (after an unclean election) may report RECOVERED and then grow the ISR', () => {
    const unclean = new Controller(options({ uncleanLeaderElectionEnable: true }));
    let image = cluster();
    image = commit(image, unclean.alterPartition(image, request(image, partition({ newIsr: [1] })), 2).records); // isr [1]
    image = commit(image, unclean.fenceBroker(image, 1).records); // unclean election: leader 2, isr [2], RECOVERING
    let p = image.partition('t', 0)!;
    assert.deepEqual([p.leader, p.isr, p.leaderRecoveryState], [2, [2], 1]);
    const still = partition({ leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [2, 3], leaderRecoveryState: 1 });
    assert.equal(codeOf(unclean.alterPartition(image, request(image, still, 2), 2)), ErrorCode.INVALID_REQUEST);
    const recovered = partition({ leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [2], leaderRecoveryState: 0 });
    const r = unclean.alterPartition(image, request(image, recovered, 2), 2);
    assert.equal(codeOf(r), ErrorCode.NONE);
    const rec = r.records[0]!;
    assert.ok(rec.type === 'PartitionChangeRecord' && rec.data.leaderRecoveryState === 0 && rec.data.isr === null);
    image = commit(image, r.records);
    p = image.partition('t', 0)!;
    assert.deepEqual(
      [p.leader, p.isr, p.leaderRecoveryState, p.partitionEpoch],
      [2, [2], 0, r.response.topics[0]!.partitions[0]!.partitionEpoch],
    );
  });
});

describe('LocalController.alterPartition', () => {
  it('writes the change, publishes the new image, and answers as the controller does', async () => {
    const time = new MockTime();
    const m = await LocalController.open({ logDir: '/meta', controller: options(), time, fs: new MemoryFileSystem() });
    try {
      for (const id of [1, 2]) {
        const r = await m.registerBroker({ brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9090 + id)] });
        await m.unfenceBroker(id, r.brokerEpoch);
      }
      await m.createTopics([{ name: 't', numPartitions: 1, replicationFactor: 2 }]);
      const seen: number[][] = [];
      m.subscribe((_delta, image) => seen.push([...image.partition('t', 0)!.isr]));
      const leader = m.image.partition('t', 0)!.leader;
      const end = m.nextOffset;
      const r = await m.alterPartition(request(m.image, partition({ newIsr: [leader] }), leader), 2);
      assert.deepEqual(r.topics[0]!.partitions[0], {
        partitionIndex: 0,
        errorCode: 0,
        leaderId: leader,
        leaderEpoch: 0,
        isr: [leader],
        leaderRecoveryState: 0,
        partitionEpoch: 1,
      });
      assert.equal(m.nextOffset, end + 1);
      assert.deepEqual(seen, [[1, 2], [leader]]);
      const stale = await m.alterPartition({ ...request(m.image, partition({ newIsr: [leader] }), leader), brokerEpoch: 0n }, 2);
      assert.equal(stale.errorCode, ErrorCode.STALE_BROKER_EPOCH);
      assert.equal(m.nextOffset, end + 1);
    } finally {
      await m.close();
    }
  });
});
