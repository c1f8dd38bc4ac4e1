// Partition reassignment across broker processes, black-box (AlterPartitionReassignments and
// ListPartitionReassignments through the brokers, forwarded to the controller):
//   - [1,2] -> [2,3] under an acks=all, idempotent KafkaJS producer (KafkaJS's admin
//     alterPartitionReassignments / listPartitionReassignments): every acknowledged record is read
//     back, exactly and in order; the partition ends on exactly [2,3] (ISR [2,3], 2 leading),
//     broker 3's log is byte-identical to broker 2's, and broker 1 deleted its replica;
//   - a cancelled reassignment (held in progress by a replication throttle) restores the original
//     replica set [1,2], and the adding broker deletes the part it had copied;
//   - a reassignment survives a SIGKILL of the active controller of a three-controller quorum and a
//     SIGKILL and restart of the adding broker, then completes once the throttle is lifted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { produceBatch, withWire } from '../interop/wire-client.ts';
import { partitionView, replicaLogBytes, startFaultCluster, waitFor } from './harness.ts';
import {
  alterBrokerConfigs,
  alterReassignment,
  createAssignedTopic,
  hasReplicaDir,
  ongoingReassignment,
  patientKafkajs,
  readValues,
  throttleMove,
} from './reassign-helpers.ts';

const SETTINGS = {
  'broker.session.timeout.ms': 2000,
  'broker.heartbeat.interval.ms': 300,
  'replica.fetch.max.bytes': 65536,
  'replica.fetch.backoff.ms': 200,
};
const QUORUM = { ...SETTINGS, 'controller.quorum.election.timeout.ms': 500, 'controller.quorum.fetch.timeout.ms': 1000 };

/** `batches` batches of 64 records of 1000 bytes to `topic`-0 through the broker on `port` (acks=all); their values. */
async function fill(port: number, topic: string, batches: number, tag: string): Promise<string[]> {
  const all: string[] = [];
  for (let b = 0; b < batches; b++) {
    const values = Array.from({ length: 64 }, (_, i) => `${tag}-${b}-${i}-`.padEnd(1000, 'x'));
    await produceBatch(port, topic, await encodeRecordBatch({ records: values.map((value) => ({ value })) }), 0, -1);
    all.push(...values);
  }
  return all;
}

/** The partition as Metadata shows it, the ISR sorted. */
async function settled(cluster: LocalCluster, topic: string) {
  const v = await partitionView(cluster, topic);
  return { leader: v.leader, replicas: v.replicas, isr: [...v.isr].sort() };
}

async function activeController(cluster: LocalCluster): Promise<number> {
  const r = await withWire(cluster.portOf(cluster.brokerIds.find((id) => cluster.broker(id).running)!), (c) =>
    c.request(ApiKey.DescribeQuorum, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
  );
  const p = r.topics[0]?.partitions[0];
  if (r.errorCode !== ErrorCode.NONE || !p || p.errorCode !== ErrorCode.NONE || p.leaderId < 0) throw new Error('no active controller');
  return p.leaderId;
}

describe('partition reassignment across broker processes', { timeout: 240_000 }, () => {
  it('[1,2] -> [2,3] under an acks=all KafkaJS producer: every acknowledged record, exactly, on exactly [2,3]', async (t) => {
    const { cluster, dataDir, log } = await startFaultCluster(t, { brokers: 3, brokerSettings: SETTINGS, controllerSettings: SETTINGS });
    await createAssignedTopic(cluster, 'moves', [1, 2], { 'min.insync.replicas': '2' });
    const kafka = patientKafkajs(cluster.bootstrap);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const admin = kafka.admin();
    await producer.connect();
    await admin.connect();
    t.after(async () => {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    });
    const acked: string[] = [];
    const failures: string[] = [];
    let producing = true;
    const writer = (async () => {
      for (let i = 0; producing; i++) {
        const values = Array.from({ length: 20 }, (_, j) => `m-${i}-${j}-`.padEnd(200, 'x'));
        try {
          await producer.send({ topic: 'moves', acks: -1, messages: values.map((value) => ({ partition: 0, value })) });
          acked.push(...values);
        } catch (err) {
          failures.push(`${values[0]}: ${(err as Error).message}`);
        }
      }
    })();
    try {
      await waitFor('records before the move', () => acked.length >= 4000, 30_000);
      await admin.alterPartitionReassignments({ topics: [{ topic: 'moves', partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] });
      await waitFor(
        'the move to complete',
        async () => (await admin.listPartitionReassignments({ topics: [{ topic: 'moves', partitions: [0] }] })).topics.length === 0,
        30_000,
      );
      const atDone = acked.length;
      await waitFor('records after the move', () => acked.length >= atDone + 2000, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${log()}`);
    } finally {
      producing = false;
      await writer;
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(await admin.listPartitionReassignments({}), { topics: [] });
    assert.deepEqual(await settled(cluster, 'moves'), { leader: 2, replicas: [2, 3], isr: [2, 3] });
    const values = await readValues(cluster.portOf(2), 'moves');
    assert.equal(values.length, acked.length);
    assert.deepEqual(values, acked);
    await waitFor("broker 1's replica deleted", () => !hasReplicaDir(dataDir, 1, 'moves'), 10_000);
    await waitFor(
      'the new replica holding the same log',
      () => replicaLogBytes(dataDir, 3, 'moves').equals(replicaLogBytes(dataDir, 2, 'moves')),
      10_000,
    );
  });

  it('a cancelled reassignment restores the original replica set; the adding broker deletes what it copied', async (t) => {
    const { cluster, dataDir } = await startFaultCluster(t, { brokers: 3, brokerSettings: SETTINGS, controllerSettings: SETTINGS });
    await createAssignedTopic(cluster, 'cancel', [1, 2]);
    const produced = await fill(cluster.portOf(1), 'cancel', 32, 'a'); // 2 MB
    // 100 KB/s: the copy to 3 would take 20 s
    await throttleMove(cluster, 'cancel', [1, 2], [1, 3], 100_000);
    assert.deepEqual(await alterReassignment(cluster, 'cancel', [1, 3]), { errorCode: 0, errorMessage: null });
    assert.deepEqual(await ongoingReassignment(cluster, 'cancel'), { replicas: [1, 3, 2], adding: [3], removing: [2] });
    await waitFor('broker 3 copying', () => hasReplicaDir(dataDir, 3, 'cancel'), 10_000);
    assert.deepEqual(await alterReassignment(cluster, 'cancel', null), { errorCode: 0, errorMessage: null });
    assert.equal(await ongoingReassignment(cluster, 'cancel'), null);
    await waitFor(
      'the original replicas in the metadata',
      async () => JSON.stringify(await settled(cluster, 'cancel')) === JSON.stringify({ leader: 1, replicas: [1, 2], isr: [1, 2] }),
      10_000,
    );
    assert.equal((await partitionView(cluster, 'cancel')).leaderEpoch, 1, 'the replica set lost 3: a new leader epoch');
    await waitFor("broker 3's partial replica deleted", () => !hasReplicaDir(dataDir, 3, 'cancel'), 10_000);
    assert.deepEqual(await alterReassignment(cluster, 'cancel', null), {
      errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      errorMessage: 'No partition reassignment is in progress.',
    });
    produced.push(...(await fill(cluster.portOf(1), 'cancel', 2, 'b')));
    assert.deepEqual(await readValues(cluster.portOf(1), 'cancel'), produced);
    await waitFor(
      'both replicas holding the same log',
      () => replicaLogBytes(dataDir, 2, 'cancel').equals(replicaLogBytes(dataDir, 1, 'cancel')),
      10_000,
    );
  });

  it('survives a SIGKILL of the active controller and of the adding broker, and completes', async (t) => {
    const { cluster, dataDir, log } = await startFaultCluster(t, {
      brokers: 3,
      controllers: 3,
      brokerSettings: QUORUM,
      controllerSettings: QUORUM,
    });
    await createAssignedTopic(cluster, 'survive', [1, 2]);
    const produced = await fill(cluster.portOf(1), 'survive', 32, 'a'); // 2 MB
    await throttleMove(cluster, 'survive', [1, 2], [2, 3], 100_000);
    const admin = patientKafkajs(cluster.bootstrap).admin();
    await admin.connect();
    t.after(() => admin.disconnect().catch(() => undefined));
    await admin.alterPartitionReassignments({ topics: [{ topic: 'survive', partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] });
    const inProgress = { replicas: [2, 3, 1], adding: [3], removing: [1] };
    const listed = await admin.listPartitionReassignments({ topics: [{ topic: 'survive', partitions: [0] }] });
    assert.deepEqual(listed, {
      topics: [{ name: 'survive', partitions: [{ partition: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }] }],
    });
    try {
      const first = await activeController(cluster);
      await cluster.controllerNode(first).kill();
      await waitFor('a new active controller', async () => ((await activeController(cluster)) !== first ? true : undefined), 15_000);
      assert.deepEqual(await ongoingReassignment(cluster, 'survive'), inProgress);
      await waitFor('broker 3 copying', () => hasReplicaDir(dataDir, 3, 'survive'), 10_000);
      await cluster.broker(3).kill();
      await cluster.broker(3).start();
      await cluster.controllerNode(first).start();
      assert.deepEqual(await ongoingReassignment(cluster, 'survive'), inProgress);
      // the throttle lifted: the move completes
      for (const id of [1, 2, 3]) {
        await alterBrokerConfigs(cluster, id, { 'leader.replication.throttled.rate': null, 'follower.replication.throttled.rate': null });
      }
      await waitFor('the move to complete', async () => (await ongoingReassignment(cluster, 'survive')) === null, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${log()}`);
    }
    await waitFor(
      'the final replicas in the metadata',
      async () => JSON.stringify(await settled(cluster, 'survive')) === JSON.stringify({ leader: 2, replicas: [2, 3], isr: [2, 3] }),
      10_000,
    );
    assert.deepEqual(await readValues(cluster.portOf(2), 'survive'), produced);
    await waitFor("broker 1's replica deleted", () => !hasReplicaDir(dataDir, 1, 'survive'), 10_000);
    await waitFor(
      'the new replica holding the same log',
      () => replicaLogBytes(dataDir, 3, 'survive').equals(replicaLogBytes(dataDir, 2, 'survive')),
      10_000,
    );
  });
});
