// JBOD in the controller (KIP-858): directory ids in the records and the image, new replicas'
// default dirs, AssignReplicasToDirs with Kafka's errors, a heartbeat's OfflineLogDirs taking the
// replicas in those dirs offline (ISR, leadership, the broker's online dirs), an amended
// registration bringing a dir back, and metadata.version gating (3.6-IV2 logs write none of it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, type AssignReplicasToDirsRequest } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import {
  Controller,
  DirectoryId,
  LocalController,
  MetadataImage,
  MetadataVersion,
  decodeMetadataRecord,
  encodeMetadataRecord,
  partitionsInOrder,
  replicaDirectory,
  replicaInOnlineDir,
  type MetadataRecord,
} from '../src/index.ts';
import { featureLevelRecord, partitionRecord, brokerRegistrationChangeRecord } from '../src/records/metadata-record.ts';
import { BrokerHeartbeatManager } from '../src/controller/broker-heartbeat-manager.ts';
import { commit, endpoint, incarnationId, options } from './helpers/fixtures.ts';

const c = new Controller(options());
const A = 'AAAAAAAAAAAAAAAAAAAAew'; // broker 1's dirs
const B = 'AAAAAAAAAAAAAAAAAAAAfA';
const C = 'AAAAAAAAAAAAAAAAAAAAfQ'; // broker 2's only dir

/** The version a record is written at (frame 1, apiKey and version are one byte each here). */
const writtenVersion = (r: MetadataRecord) => encodeMetadataRecord(r)[2];

/** Brokers 1 (dirs A, B), 2 (dir C) and 3 (no dirs), unfenced, at metadata.version `mv`. */
function cluster(mv: number = MetadataVersion.IBP_3_7_IV2): MetadataImage {
  let image = commit(MetadataImage.EMPTY, [featureLevelRecord('metadata.version', mv)]);
  const dirs: Record<number, string[]> = { 1: [B, A], 2: [C], 3: [] };
  for (const id of [1, 2, 3]) {
    const req = { brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9090 + id)], logDirs: dirs[id] };
    image = commit(image, c.registerBroker(image, req, image.provenance.lastOffset + 1).records);
    image = commit(image, c.unfenceBroker(image, id).records);
  }
  return image;
}

function assign(image: MetadataImage, brokerId: number, dir: string, topicId: string, partitions: number[], epoch?: bigint) {
  const req: AssignReplicasToDirsRequest = {
    brokerId,
    brokerEpoch: epoch ?? image.cluster.broker(brokerId)!.epoch,
    directories: [{ id: dir, topics: [{ topicId, partitions: partitions.map((partitionIndex) => ({ partitionIndex })) }] }],
  };
  return c.assignReplicasToDirs(image, req);
}

const state = (image: MetadataImage, topic = 't') =>
  partitionsInOrder(image.topic(topic)!).map(([p, r]) => `${p}: leader=${r.leader} isr=${r.isr.join(',')}`);

describe('JBOD directories: records and image', () => {
  it('writes Directories / LogDirs at the versions of 3.7-IV2 and reads them back; without them, the 3.6-IV2 versions', () => {
    const withDirs = partitionRecord({
      topicId: A,
      partitionId: 0,
      replicas: [1, 2],
      isr: [1, 2],
      leader: 1,
      leaderEpoch: 0,
      directories: [A, C],
    });
    const without = partitionRecord({ topicId: A, partitionId: 0, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0 });
    assert.equal(writtenVersion(withDirs), 1);
    assert.equal(writtenVersion(without), 0);
    assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(withDirs)), withDirs);
    const change = brokerRegistrationChangeRecord({ brokerId: 1, brokerEpoch: 5n, logDirs: [B] });
    assert.equal(writtenVersion(change), 2);
    assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(change)), change);
    assert.equal(writtenVersion(brokerRegistrationChangeRecord({ brokerId: 1, brokerEpoch: 5n, fenced: 1 })), 1);
  });

  it('registers online dirs (sorted) and gives new replicas their default dir: the only one, UNASSIGNED for several, MIGRATING for none', () => {
    let image = cluster();
    assert.deepEqual(image.cluster.broker(1)!.directories, [A, B]);
    assert.deepEqual(image.cluster.broker(3)!.directories, []);
    const created = c.createTopics(image, [{ name: 't', numPartitions: 3, replicationFactor: 3 }]).records;
    const pr = created.filter((r) => r.type === 'PartitionRecord');
    assert.deepEqual(pr.map(writtenVersion), [1, 1, 1]);
    image = commit(image, created);
    for (const [, p] of partitionsInOrder(image.topic('t')!)) {
      assert.equal(replicaDirectory(p, 1), DirectoryId.UNASSIGNED);
      assert.equal(replicaDirectory(p, 2), C);
      assert.equal(replicaDirectory(p, 3), DirectoryId.MIGRATING);
    }
  });

  it('at metadata.version 3.6-IV2 nothing is tracked: no LogDirs, v0 PartitionRecords, every replica MIGRATING (online)', () => {
    let image = cluster(MetadataVersion.IBP_3_6_IV2);
    assert.deepEqual(image.cluster.broker(1)!.directories, []);
    const created = c.createTopics(image, [{ name: 't', numPartitions: 1, replicationFactor: 3 }]).records;
    assert.deepEqual(created.filter((r) => r.type === 'PartitionRecord').map(writtenVersion), [0]);
    image = commit(image, created);
    const p = image.partition('t', 0)!;
    assert.deepEqual(p.directories, [DirectoryId.MIGRATING, DirectoryId.MIGRATING, DirectoryId.MIGRATING]);
    assert.equal(replicaInOnlineDir(image, p, 1), true);
    const r = assign(image, 1, A, image.topic('t')!.topicId, [0]);
    assert.deepEqual(r, { records: [], response: { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, directories: [] } });
  });
});

describe('JBOD directories: AssignReplicasToDirs', () => {
  it('assigns a replica to a dir (a PartitionChangeRecord v1 with the Directories), nothing when already there', () => {
    let image = cluster();
    image = commit(image, c.createTopics(image, [{ name: 't', numPartitions: 2, replicationFactor: 3 }]).records);
    const topicId = image.topic('t')!.topicId;
    const r = assign(image, 1, B, topicId, [0, 1]);
    assert.equal(r.response.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      r.response.directories[0]!.topics[0]!.partitions.map((p) => p.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    assert.deepEqual(r.records.map(writtenVersion), [1, 1]);
    const before = state(image);
    image = commit(image, r.records);
    assert.equal(replicaDirectory(image.partition('t', 0)!, 1), B);
    assert.equal(replicaDirectory(image.partition('t', 0)!, 2), C); // the others keep theirs
    assert.deepEqual(state(image), before); // leaders and ISRs untouched
    assert.equal(image.partition('t', 0)!.partitionEpoch, 1);
    assert.deepEqual(assign(image, 1, B, topicId, [0]).records, []);
  });

  it("answers Kafka's errors: STALE_BROKER_EPOCH, UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER", () => {
    let image = cluster();
    image = commit(
      image,
      c.createTopics(image, [
        { name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }] },
      ]).records,
    );
    const topicId = image.topic('t')!.topicId;
    const stale = assign(image, 1, A, topicId, [0], 999n);
    assert.deepEqual(stale.response, { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, directories: [] });
    assert.deepEqual(assign(image, 7, A, topicId, [0], 1n).response.errorCode, ErrorCode.STALE_BROKER_EPOCH);
    const codes = (r: ReturnType<typeof assign>) => r.response.directories[0]!.topics[0]!.partitions.map((p) => p.errorCode);
    assert.deepEqual(codes(assign(image, 1, A, 'AAAAAAAAAAAAAAAAAAAAzw', [0])), [ErrorCode.UNKNOWN_TOPIC_ID]);
    assert.deepEqual(codes(assign(image, 2, C, topicId, [0, 5])), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    // broker 1 holds no replica of t-0
    const notReplica = assign(image, 1, A, topicId, [0]);
    assert.deepEqual(codes(notReplica), [ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    assert.deepEqual(notReplica.records, []);
  });

  it('a replica assigned to a dir the broker does not list online leaves the ISR and its leadership', () => {
    let image = cluster();
    image = commit(
      image,
      c.createTopics(image, [
        { name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }] },
      ]).records,
    );
    const gone = 'AAAAAAAAAAAAAAAAAAAAgA';
    image = commit(image, assign(image, 1, gone, image.topic('t')!.topicId, [0]).records);
    assert.deepEqual(state(image), ['0: leader=2 isr=2,3']);
    assert.equal(replicaDirectory(image.partition('t', 0)!, 1), gone);
  });
});

describe('JBOD directories: OfflineLogDirs (handleDirectoriesOffline)', () => {
  async function open() {
    const time = new MockTime();
    const m = await LocalController.open({
      logDir: '/meta',
      controller: options({ sessionTimeoutMs: 9000 }),
      time,
      fs: new MemoryFileSystem(),
    });
    assert.equal(m.image.features.metadataVersion, MetadataVersion.IBP_3_7_IV2);
    const epochs = new Map<number, bigint>();
    for (const [id, dirs] of [
      [1, [A, B]],
      [2, [C]],
      [3, []],
    ] as const) {
      const r = await m.registerBroker({ brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9090 + id)], logDirs: dirs });
      epochs.set(id, r.brokerEpoch);
      const hb = await m.brokerHeartbeat({
        brokerId: id,
        brokerEpoch: r.brokerEpoch,
        currentMetadataOffset: m.image.provenance.lastOffset,
        wantFence: false,
        wantShutDown: false,
      });
      assert.equal(hb.isFenced, false);
    }
    return { m, time, epochs };
  }
  const beat = (m: LocalController, id: number, epoch: bigint, offlineLogDirs: string[]) =>
    m.brokerHeartbeat({
      brokerId: id,
      brokerEpoch: epoch,
      currentMetadataOffset: m.image.provenance.lastOffset,
      wantFence: false,
      wantShutDown: false,
      offlineLogDirs,
    });

  it('moves leadership and ISR off the replicas in the failed dir only; the broker keeps the others; a repeat changes nothing', async () => {
    const { m, epochs } = await open();
    // t-0 and t-1 led by 1; t-2 led by 2 with 1 a follower
    const assignments = [
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
    ].map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds }));
    assert.equal((await m.createTopics([{ name: 't', numPartitions: -1, replicationFactor: -1, assignments }]))[0]!.errorCode, 0);
    const topicId = m.image.topic('t')!.topicId;
    const a = await m.assignReplicasToDirs({
      brokerId: 1,
      brokerEpoch: epochs.get(1)!,
      directories: [
        { id: A, topics: [{ topicId, partitions: [{ partitionIndex: 0 }, { partitionIndex: 2 }] }] },
        { id: B, topics: [{ topicId, partitions: [{ partitionIndex: 1 }] }] },
      ],
    });
    assert.equal(a.errorCode, 0);
    assert.deepEqual(state(m.image), ['0: leader=1 isr=1,2,3', '1: leader=1 isr=1,3,2', '2: leader=2 isr=2,1,3']);
    const end = m.image.provenance.lastOffset;
    const r = await beat(m, 1, epochs.get(1)!, [A]);
    assert.equal(r.errorCode, 0);
    assert.equal(r.isFenced, false);
    assert.deepEqual(state(m.image), ['0: leader=2 isr=2,3', '1: leader=1 isr=1,3,2', '2: leader=2 isr=2,3']);
    assert.deepEqual(m.image.cluster.broker(1)!.directories, [B]);
    assert.equal(m.image.cluster.broker(1)!.epoch, epochs.get(1));
    assert.equal(replicaInOnlineDir(m.image, m.image.partition('t', 0)!, 1), false);
    assert.equal(replicaInOnlineDir(m.image, m.image.partition('t', 1)!, 1), true);
    assert.equal(m.image.provenance.lastOffset, end + 3); // two partition changes, one registration change
    // reported again: nothing new
    await beat(m, 1, epochs.get(1)!, [A]);
    assert.equal(m.image.provenance.lastOffset, end + 3);
    // a replica in the offline dir cannot lead: a preferred election keeps 2
    const el = await m.electLeaders({ electionType: 0, topicPartitions: [{ topic: 't', partitions: [0] }] });
    assert.equal(el.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
    assert.equal(m.image.partition('t', 0)!.leader, 2);
    await m.close();
  });

  it('the same incarnation registering again with the dir amends the registration: same epoch, still unfenced, the dir online', async () => {
    const { m, epochs } = await open();
    await m.createTopics([
      { name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }] },
    ]);
    const topicId = m.image.topic('t')!.topicId;
    await m.assignReplicasToDirs({
      brokerId: 1,
      brokerEpoch: epochs.get(1)!,
      directories: [{ id: A, topics: [{ topicId, partitions: [{ partitionIndex: 0 }] }] }],
    });
    await beat(m, 1, epochs.get(1)!, [A]);
    assert.deepEqual(state(m.image), ['0: leader=2 isr=2,3']);
    const again = await m.registerBroker({ brokerId: 1, incarnationId: incarnationId(1), endpoints: [endpoint(9091)], logDirs: [A, B] });
    assert.equal(again.errorCode, 0);
    assert.equal(again.brokerEpoch, epochs.get(1));
    const b = m.image.cluster.broker(1)!;
    assert.deepEqual([b.fenced, b.directories], [false, [A, B]]);
    assert.equal(replicaInOnlineDir(m.image, m.image.partition('t', 0)!, 1), true);
    // its heartbeats go on under the same epoch
    assert.equal((await beat(m, 1, epochs.get(1)!, [])).errorCode, 0);
    // it rejoins the ISR by catching up (AlterPartition from the leader)
    const p = m.image.partition('t', 0)!;
    const ap = await m.alterPartition(
      {
        brokerId: 2,
        brokerEpoch: epochs.get(2)!,
        topics: [
          {
            topicName: 't',
            topicId,
            partitions: [
              {
                partitionIndex: 0,
                leaderEpoch: p.leaderEpoch,
                newIsr: [],
                newIsrWithEpochs: [2, 3, 1].map((brokerId) => ({ brokerId, brokerEpoch: -1n })),
                leaderRecoveryState: 0,
                partitionEpoch: p.partitionEpoch,
              },
            ],
          },
        ],
      },
      3,
    );
    assert.equal(ap.topics[0]!.partitions[0]!.errorCode, 0);
    assert.deepEqual(state(m.image), ['0: leader=2 isr=2,3,1']);
    await m.close();
  });

  it('a partition whose only replica was in the failed dir has no leader until the dir is registered again', async () => {
    const { m, epochs } = await open();
    await m.createTopics([
      { name: 'solo', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
    ]);
    const topicId = m.image.topic('solo')!.topicId;
    await m.assignReplicasToDirs({
      brokerId: 1,
      brokerEpoch: epochs.get(1)!,
      directories: [{ id: B, topics: [{ topicId, partitions: [{ partitionIndex: 0 }] }] }],
    });
    await beat(m, 1, epochs.get(1)!, [B]);
    assert.deepEqual(state(m.image, 'solo'), ['0: leader=-1 isr=1']); // the ISR keeps its last member
    await m.registerBroker({ brokerId: 1, incarnationId: incarnationId(1), endpoints: [endpoint(9091)], logDirs: [A, B] });
    assert.deepEqual(state(m.image, 'solo'), ['0: leader=1 isr=1']);
    await m.close();
  });
});

describe('JBOD directories: metadata.version gating', () => {
  it("below 3.7-IV2 a heartbeat's OfflineLogDirs changes nothing (Kafka ignores them there)", () => {
    // brokers registered with their dirs and a replica assigned to A, then the level lowered to 3.6-IV2
    let image = cluster();
    image = commit(image, c.createTopics(image, [{ name: 't', numPartitions: 1, replicationFactor: 3 }]).records);
    image = commit(image, assign(image, 1, A, image.topic('t')!.topicId, [0]).records);
    image = commit(image, [featureLevelRecord('metadata.version', MetadataVersion.IBP_3_6_IV2)]);
    assert.deepEqual(image.cluster.broker(1)!.directories, [A, B]);
    const hb = new BrokerHeartbeatManager(9000);
    for (const id of [1, 2, 3]) hb.touch(id, image.cluster.broker(id)!.epoch, false, image.provenance.lastOffset, 0);
    const r = c.brokerHeartbeat(
      image,
      {
        brokerId: 1,
        brokerEpoch: image.cluster.broker(1)!.epoch,
        currentMetadataOffset: image.provenance.lastOffset,
        wantFence: false,
        wantShutDown: false,
        offlineLogDirs: [A],
      },
      hb,
    );
    assert.equal(r.response.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.records, []);
    // the same heartbeat at 3.7-IV2 takes the replica offline
    const at17 = commit(image, [featureLevelRecord('metadata.version', MetadataVersion.IBP_3_7_IV2)]);
    const r17 = c.brokerHeartbeat(
      at17,
      {
        brokerId: 1,
        brokerEpoch: at17.cluster.broker(1)!.epoch,
        currentMetadataOffset: at17.provenance.lastOffset,
        wantFence: false,
        wantShutDown: false,
        offlineLogDirs: [A],
      },
      hb,
    );
    assert.deepEqual(
      r17.records.map((x) => x.type),
      ['PartitionChangeRecord', 'BrokerRegistrationChangeRecord'],
    );
  });
});
