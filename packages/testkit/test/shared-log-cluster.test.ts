// A SharedLogCluster of three nodes over one shared log, seen through real sockets: Metadata and
// DescribeCluster list every live node, leaders go round-robin; Produce, Fetch, ListOffsets and
// DeleteRecords on a node that does not lead the partition answer NOT_LEADER_OR_FOLLOWER; a stale
// CurrentLeaderEpoch is fenced, a future one unknown (checked before leadership, as Kafka);
// moving a leader bumps the leader epoch (Metadata, the epoch cache, the batches appended after
// it) and answers a Fetch parked on the old leader; stopping a node re-elects its partitions and
// shrinks the ISRs, starting it again restores them; new partitions go to live nodes; a leaderless
// partition waits for its last ISR member (no unclean election); FindCoordinator names the leader of the
// group's __consumer_offsets partition; OffsetForLeaderEpoch answers Kafka's end offsets per epoch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode, decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import { BrokerConfig, silentLogger } from '@tributary/broker';
import { kafkaClient, type KafkaTestClient } from '../../broker/test/helpers/kafka-client.ts';
import { topicsOfCore } from '../../broker/test/helpers/test-topics.ts';
import { SharedLogCluster } from '../src/shared-log-cluster.ts';

const records = (n: number, prefix: string) =>
  encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}`, timestamp: 1_700_000_000_000 + i })) });

async function produce(c: KafkaTestClient, topic: string, partition: number, n: number, prefix = 'v') {
  const r = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: await records(n, prefix) }] }],
  });
  return r.responses[0]!.partitionResponses[0]!;
}

function fetchReq(
  topic: string,
  partition: number,
  offset: number,
  o: { currentLeaderEpoch?: number; maxWaitMs?: number; replicaId?: number } = {},
) {
  return {
    replicaId: o.replicaId ?? -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: o.currentLeaderEpoch ?? -1,
            fetchOffset: BigInt(offset),
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
  };
}

async function fetchOne(
  c: KafkaTestClient,
  topic: string,
  partition: number,
  offset: number,
  o: { currentLeaderEpoch?: number; maxWaitMs?: number; version?: number } = {},
) {
  const r = await c.request(ApiKey.Fetch, o.version ?? 12, fetchReq(topic, partition, offset, o));
  return r.responses[0]!.partitions[0]!;
}

async function listLatest(
  c: KafkaTestClient,
  topic: string,
  partition: number,
  o: { currentLeaderEpoch?: number; replicaId?: number } = {},
) {
  const r = await c.request(ApiKey.ListOffsets, 8, {
    replicaId: o.replicaId ?? -1,
    isolationLevel: 0,
    topics: [
      {
        name: topic,
        partitions: [{ partitionIndex: partition, currentLeaderEpoch: o.currentLeaderEpoch ?? -1, timestamp: -1n, maxNumOffsets: 1 }],
      },
    ],
  });
  return r.topics[0]!.partitions[0]!;
}

describe('SharedLogCluster', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cluster-test-'));
  const config = BrokerConfig.load({
    settings: {
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.dirs': dataDir,
      'node.id': 1,
      'default.replication.factor': 3,
      'offsets.topic.replication.factor': 3,
      'num.partitions': 3,
    },
  });
  const cluster = new SharedLogCluster(config, { nodeIds: [1, 2, 3], log: silentLogger, shutdownTimeoutMs: 2000 });
  await cluster.start();
  const ports = new Map(cluster.endpoints().map((e) => [e.nodeId, e.port]));
  const clients = new Map<number, KafkaTestClient>();
  for (const [id, port] of ports) clients.set(id, await kafkaClient(port));
  const c = (id: number) => clients.get(id)!;
  const tm = topicsOfCore(cluster.core);
  await tm.createTopic({ name: 'lc' });
  after(async () => {
    for (const x of clients.values()) x.close();
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Metadata and DescribeCluster on every node list the three nodes; leaders round-robin, epoch 0', async () => {
    for (const id of [1, 2, 3]) {
      const m = await c(id).request(ApiKey.Metadata, 12, { topics: [{ name: 'lc', topicId: undefined }], allowAutoTopicCreation: false });
      assert.deepEqual(
        m.brokers.map((b) => [b.nodeId, b.host, b.port]),
        [1, 2, 3].map((n) => [n, '127.0.0.1', ports.get(n)]),
      );
      assert.equal(m.controllerId, 1);
      assert.deepEqual(
        m.topics[0]!.partitions.map((p) => [
          p.partitionIndex,
          p.errorCode,
          p.leaderId,
          p.leaderEpoch,
          p.replicaNodes,
          p.isrNodes,
          p.offlineReplicas,
        ]),
        [
          [0, 0, 1, 0, [1, 2, 3], [1, 2, 3], []],
          [1, 0, 2, 0, [2, 3, 1], [2, 3, 1], []],
          [2, 0, 3, 0, [3, 1, 2], [3, 1, 2], []],
        ],
      );
      const d = await c(id).request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      assert.deepEqual([d.controllerId, d.brokers.map((b) => b.brokerId)], [1, [1, 2, 3]]);
    }
  });

  it('a node that does not lead the partition answers NOT_LEADER_OR_FOLLOWER; epochs are checked first', async () => {
    // lc-0 is led by node 1
    const ok = await produce(c(1), 'lc', 0, 3);
    assert.deepEqual([ok.errorCode, ok.baseOffset], [ErrorCode.NONE, 0n]);
    for (const id of [2, 3]) {
      const r = await produce(c(id), 'lc', 0, 1);
      assert.deepEqual([r.errorCode, r.baseOffset], [ErrorCode.NOT_LEADER_OR_FOLLOWER, -1n]);
      // before Fetch v11 a consumer must fetch from the leader; from v11 a follower serves it (KIP-392)
      assert.equal((await fetchOne(c(id), 'lc', 0, 0, { version: 10 })).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.equal((await fetchOne(c(id), 'lc', 0, 0, { currentLeaderEpoch: 0, version: 10 })).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.deepEqual(
        [(await fetchOne(c(id), 'lc', 0, 0, { currentLeaderEpoch: 0 })).errorCode, (await fetchOne(c(id), 'lc', 0, 0)).highWatermark],
        [ErrorCode.NONE, 3n],
      );
      assert.equal((await listLatest(c(id), 'lc', 0)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const dr = await c(id).request(ApiKey.DeleteRecords, 2, {
        topics: [{ name: 'lc', partitions: [{ partitionIndex: 0, offset: 0n }] }],
        timeoutMs: 1000,
      });
      assert.equal(dr.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    // Kafka's debugging replica id (-2) may list offsets on any replica
    assert.deepEqual(
      [(await listLatest(c(2), 'lc', 0, { replicaId: -2 })).errorCode, (await listLatest(c(2), 'lc', 0, { replicaId: -2 })).offset],
      [0, 3n],
    );
    assert.equal(tm.partition('lc', 0)!.logEndOffset, 3, 'nothing appended through a follower');
    const f = await fetchOne(c(1), 'lc', 0, 0, { currentLeaderEpoch: 0 });
    assert.deepEqual([f.errorCode, f.highWatermark], [0, 3n]);
    // an epoch from the future: UNKNOWN_LEADER_EPOCH, even on a follower
    assert.equal((await fetchOne(c(1), 'lc', 0, 0, { currentLeaderEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    assert.equal((await fetchOne(c(2), 'lc', 0, 0, { currentLeaderEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    assert.equal((await listLatest(c(1), 'lc', 0, { currentLeaderEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('moving a leader bumps the epoch everywhere: Metadata, epoch cache, appended batches, fencing', async () => {
    const p = tm.partition('lc', 0)!;
    const leo = p.logEndOffset; // 3
    assert.equal(await cluster.moveLeader('lc', 0, 2), 1);
    assert.equal(await cluster.moveLeader('lc', 0, 2), 1, 'moving to the leader changes nothing');
    for (const id of [1, 2, 3]) {
      const m = await c(id).request(ApiKey.Metadata, 12, { topics: [{ name: 'lc', topicId: undefined }], allowAutoTopicCreation: false });
      const mp = m.topics[0]!.partitions[0]!;
      assert.deepEqual([mp.leaderId, mp.leaderEpoch, mp.isrNodes], [2, 1, [1, 2, 3]]);
    }
    assert.deepEqual(p.log.leaderEpochCache.all, [
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: leo },
    ]);
    assert.equal((await produce(c(1), 'lc', 0, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const r = await produce(c(2), 'lc', 0, 2, 'after');
    assert.deepEqual([r.errorCode, r.baseOffset], [0, 3n]);
    // the old leader's epoch is fenced (before the leadership check), on any node
    assert.equal((await fetchOne(c(2), 'lc', 0, 0, { currentLeaderEpoch: 0 })).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal((await fetchOne(c(1), 'lc', 0, 0, { currentLeaderEpoch: 0 })).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal((await listLatest(c(2), 'lc', 0, { currentLeaderEpoch: 0 })).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    const latest = await listLatest(c(2), 'lc', 0, { currentLeaderEpoch: 1 });
    assert.deepEqual([latest.errorCode, latest.offset, latest.leaderEpoch], [0, 5n, 1]);
    const f = await fetchOne(c(2), 'lc', 0, 0, { currentLeaderEpoch: 1 });
    const batches = await decodeRecordBatches(f.records!);
    assert.deepEqual(
      batches.map((b) => [b.baseOffset, b.partitionLeaderEpoch]),
      [
        [0n, 0],
        [3n, 1],
      ],
    );
    // and back: epoch 2
    assert.equal(await cluster.moveLeader('lc', 0, 1), 2);
    assert.deepEqual([p.leader, p.leaderEpoch], [1, 2]);
    await assert.rejects(cluster.moveLeader('lc', 0, 7), /not a replica/);
  });

  it('OffsetForLeaderEpoch: end offsets per epoch from the leader, with the same leader rules', async () => {
    // lc-0: epoch 0 from offset 0, epoch 1 from 3, epoch 2 (moved back to node 1, nothing appended yet) from 5
    const ask = (id: number, leaderEpoch: number, currentLeaderEpoch = -1, version = 4) =>
      c(id)
        .request(ApiKey.OffsetForLeaderEpoch, version, {
          replicaId: -1,
          topics: [{ topic: 'lc', partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
        })
        .then((r) => {
          const p = r.topics[0]!.partitions[0]!;
          return [p.errorCode, p.leaderEpoch, Number(p.endOffset)];
        });
    assert.deepEqual(tm.partition('lc', 0)!.log.leaderEpochCache.all, [
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 3 },
      { epoch: 2, startOffset: 5 },
    ]);
    assert.deepEqual(await ask(1, 0), [0, 0, 3]);
    assert.deepEqual(await ask(1, 1, 2), [0, 1, 5]);
    assert.deepEqual(await ask(1, 2, 2), [0, 2, 5]); // the latest epoch ends at the log end offset
    assert.deepEqual(await ask(1, 7), [0, -1, -1]);
    assert.deepEqual(await ask(1, -1), [0, -1, -1]);
    assert.deepEqual(await ask(1, 1, 2, 0), [0, -1, 5]); // v0 has no LeaderEpoch field
    assert.deepEqual(await ask(2, 0), [ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1]);
    assert.deepEqual(await ask(1, 0, 1), [ErrorCode.FENCED_LEADER_EPOCH, -1, -1]);
    assert.deepEqual(await ask(2, 0, 3), [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1]);
  });

  it('a Fetch parked on the old leader is answered when the leadership moves', async () => {
    // lc-1 is led by node 2; the fetch waits at the log end for up to 20 s
    const end = tm.partition('lc', 1)!.logEndOffset;
    const parked = fetchOne(c(2), 'lc', 1, end, { maxWaitMs: 20_000, version: 10 }); // v10: leader only
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(tm.replicas.fetchPurgatory.size, 1);
    const t0 = Date.now();
    await cluster.moveLeader('lc', 1, 3);
    const f = await parked;
    assert.equal(f.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.ok(Date.now() - t0 < 10_000, 'answered when the leader moved, not at maxWaitMs');
    assert.equal(tm.replicas.fetchPurgatory.size, 0);
    assert.equal((await produce(c(3), 'lc', 1, 1)).errorCode, 0);
  });

  it('a stopped node leaves Metadata, its partitions are re-elected, ISRs shrink; it comes back on its port', async () => {
    // leaders now: lc-0 node 1 (epoch 2), lc-1 node 3 (epoch 1), lc-2 node 3 (epoch 0)
    c(3).close();
    await cluster.stopNode(3);
    const m = await c(1).request(ApiKey.Metadata, 12, { topics: [{ name: 'lc', topicId: undefined }], allowAutoTopicCreation: false });
    assert.deepEqual(
      m.brokers.map((b) => b.nodeId),
      [1, 2],
    );
    assert.deepEqual(
      m.topics[0]!.partitions.map((p) => [p.leaderId, p.leaderEpoch, p.isrNodes, p.offlineReplicas]),
      [
        [1, 2, [1, 2], [3]],
        [2, 2, [2, 1], [3]], // replicas [2, 3, 1]: node 2 is the first live ISR member
        [1, 1, [1, 2], [3]], // replicas [3, 1, 2]
      ],
    );
    assert.equal((await produce(c(1), 'lc', 2, 1)).errorCode, 0);
    const back = await cluster.startNode(3);
    assert.equal(back.port, ports.get(3));
    clients.set(3, await kafkaClient(back.port));
    const m2 = await c(3).request(ApiKey.Metadata, 12, { topics: [{ name: 'lc', topicId: undefined }], allowAutoTopicCreation: false });
    assert.deepEqual(
      m2.brokers.map((b) => b.nodeId),
      [1, 2, 3],
    );
    assert.deepEqual(
      m2.topics[0]!.partitions.map((p) => [p.leaderId, p.leaderEpoch, p.isrNodes, p.offlineReplicas]),
      [
        [1, 2, [1, 2, 3], []],
        [2, 2, [2, 3, 1], []],
        [1, 1, [3, 1, 2], []],
      ],
    );
    assert.equal((await produce(c(3), 'lc', 2, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('a partition with no live replica has no leader until one comes back', async () => {
    await tm.createTopic({ name: 'solo', assignments: [{ partitionIndex: 0, brokerIds: [1] }] });
    c(1).close();
    await cluster.stopNode(1);
    const m = await c(2).request(ApiKey.Metadata, 12, { topics: [{ name: 'solo', topicId: undefined }], allowAutoTopicCreation: false });
    const p = m.topics[0]!.partitions[0]!;
    assert.deepEqual(
      [p.errorCode, p.leaderId, p.leaderEpoch, p.isrNodes, p.offlineReplicas],
      [ErrorCode.LEADER_NOT_AVAILABLE, -1, 1, [1], [1]],
    );
    assert.equal((await produce(c(2), 'solo', 0, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const back = await cluster.startNode(1);
    clients.set(1, await kafkaClient(back.port));
    assert.deepEqual([tm.partition('solo', 0)!.leader, tm.partition('solo', 0)!.leaderEpoch], [1, 2]);
    assert.equal((await produce(c(1), 'solo', 0, 1)).errorCode, 0);
  });

  it('new partitions go to live nodes only; a replication factor above the live count is refused; a manual assignment may name a stopped node', async () => {
    c(2).close();
    await cluster.stopNode(2);
    const r = await tm.createTopic({ name: 'without-2', numPartitions: 3, replicationFactor: 2 });
    assert.equal(r.errorCode, 0);
    assert.deepEqual(
      r.topic!.partitions.map((p) => [p.leader, p.replicas, p.isr]),
      [
        // nodes 1 and 3 lead two partitions each; node 3 holds fewer replicas (not solo's), so it leads first
        [3, [3, 1], [3, 1]],
        [1, [1, 3], [1, 3]],
        [3, [3, 1], [3, 1]],
      ],
    );
    const tooMany = await tm.createTopic({ name: 'rf3', numPartitions: 1, replicationFactor: 3 });
    assert.equal(tooMany.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.match(tooMany.errorMessage!, /only 2 broker\(s\)/);
    assert.equal((await tm.createPartitions('without-2', 4)).errorCode, 0);
    assert.deepEqual(tm.partition('without-2', 3)!.replicas, [1, 3]); // node 1 now leads 3, node 3 leads 4
    // a manual assignment may name the stopped node (it is registered): the live replicas form the ISR
    const manual = await tm.createTopic({ name: 'manual', assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }] });
    assert.equal(manual.errorCode, 0);
    assert.deepEqual([manual.topic!.partitions[0]!.leader, manual.topic!.partitions[0]!.isr], [3, [3]]);
    const allDown = await tm.createTopic({ name: 'all-down', assignments: [{ partitionIndex: 0, brokerIds: [2] }] });
    assert.equal(allDown.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.match(allDown.errorMessage!, /All brokers specified in the manual partition assignment for partition 0 are fenced/);
    assert.equal(
      (await tm.createTopic({ name: 'nine', assignments: [{ partitionIndex: 0, brokerIds: [9] }] })).errorMessage,
      'The manual partition assignment includes broker 9, but no such broker is registered.',
    );
    clients.set(2, await kafkaClient((await cluster.startNode(2)).port));
  });

  it('a leaderless partition waits for its last ISR member: a returning replica outside the ISR does not lead', async () => {
    assert.equal((await tm.createTopic({ name: 'pair', assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }] })).errorCode, 0);
    c(2).close();
    await cluster.stopNode(2); // leader 3, ISR [3]
    c(3).close();
    await cluster.stopNode(3); // offline, ISR keeps [3]
    const p = () => tm.partition('pair', 0)!;
    assert.deepEqual([p().leader, p().isr], [-1, [3]]);
    clients.set(2, await kafkaClient((await cluster.startNode(2)).port));
    assert.deepEqual([p().leader, p().isr], [-1, [3]]);
    assert.equal((await produce(c(2), 'pair', 0, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    clients.set(3, await kafkaClient((await cluster.startNode(3)).port));
    assert.deepEqual([p().leader, p().isr], [3, [2, 3]]);
    assert.equal((await produce(c(3), 'pair', 0, 1)).errorCode, 0);
  });

  it("FindCoordinator answers the leader of the group's __consumer_offsets partition", async () => {
    const r = await c(2).request(ApiKey.FindCoordinator, 3, { key: 'g1', keyType: 0 });
    assert.equal(r.errorCode, 0);
    const gc = cluster.core.groupCoordinator;
    const leader = tm.partition('__consumer_offsets', gc.partitionFor('g1'))!.leader;
    assert.deepEqual([r.nodeId, r.host, r.port], [leader, '127.0.0.1', ports.get(leader)]);
    const other = [1, 2, 3].find((n) => n !== leader)!;
    await cluster.moveLeader('__consumer_offsets', gc.partitionFor('g1'), other);
    const r2 = await c(2).request(ApiKey.FindCoordinator, 3, { key: 'g1', keyType: 0 });
    assert.deepEqual([r2.errorCode, r2.nodeId, r2.port], [0, other, ports.get(other)]);
  });
});
