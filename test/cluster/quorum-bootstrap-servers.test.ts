// A broker that knows the controller quorum only by `controller.quorum.bootstrap.servers` (KIP-853,
// Kafka 3.9+/4's way), black-box: three combined voters (controller.quorum.voters) and broker 100
// (process.roles=broker) configured with the three CONTROLLER listeners and no voter ids. It must
// learn the leader's id and endpoint from the quorum's answers, then:
//   - register (Metadata through it lists brokers 1, 2, 3 and 100) and follow the metadata log;
//   - lead a partition placed on it (replicas [100, 1, 2]): acks=all produce and fetch through it,
//     and a topic of replication factor 4 gets it in the ISR;
//   - after the active controller is SIGKILLed, follow the new leader: CreateTopics through it (an
//     RPC to the new active controller) succeeds, and it sees the new topic in its own metadata.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { produceBatch, readPartition, withWire } from '../interop/wire-client.ts';
import { partitionView, startFaultCluster, waitFor } from './harness.ts';

const SETTINGS = {
  'controller.quorum.election.timeout.ms': 500,
  'controller.quorum.fetch.timeout.ms': 1000,
  'broker.session.timeout.ms': 2000,
  'broker.heartbeat.interval.ms': 300,
};
const OBSERVER = 100;

/** The broker ids and topic names in Metadata v12 from node `id`'s broker listener. */
async function metadataOf(cluster: LocalCluster, id: number): Promise<{ brokers: number[]; topics: string[] }> {
  const md = await withWire(cluster.portOf(id), (c) => c.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false }));
  return { brokers: md.brokers.map((b) => b.nodeId).sort((a, b) => a - b), topics: md.topics.map((t) => t.name!) };
}

/** CreateTopics v5 through node `via`; `assignment` places partition 0 on these brokers. */
async function createTopic(cluster: LocalCluster, via: number, name: string, o: { replicationFactor?: number; assignment?: number[] }) {
  const res = await withWire(cluster.portOf(via), (c) =>
    c.request(ApiKey.CreateTopics, 5, {
      topics: [
        {
          name,
          numPartitions: o.assignment ? -1 : 1,
          replicationFactor: o.assignment ? -1 : (o.replicationFactor ?? 1),
          assignments: o.assignment ? [{ partitionIndex: 0, brokerIds: o.assignment }] : [],
          configs: [],
        },
      ],
      timeoutMs: 10_000,
      validateOnly: false,
    }),
  );
  return res.topics[0]!;
}

/** The active controller, as DescribeQuorum v2 through node `via` reports it. */
async function activeController(cluster: LocalCluster, via: number): Promise<number> {
  const r = await withWire(cluster.portOf(via), (c) =>
    c.request(ApiKey.DescribeQuorum, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
  );
  const p = r.topics[0]?.partitions[0];
  if (r.errorCode !== ErrorCode.NONE || !p || p.errorCode !== ErrorCode.NONE)
    throw new Error(`DescribeQuorum: ${r.errorCode}/${p?.errorCode}`);
  return p.leaderId;
}

describe('controller.quorum.bootstrap.servers', { timeout: 180_000 }, () => {
  it('a broker-only node with bootstrap servers only registers, serves a partition, and follows a new active controller', async (t) => {
    const { cluster, log } = await startFaultCluster(t, {
      brokers: 3,
      combined: true,
      bootstrapServerBrokers: [OBSERVER],
      brokerSettings: SETTINGS,
    });
    const fail = (err: Error) => {
      throw new Error(`${err.message}\n${log()}`);
    };
    // registered and unfenced: every node's Metadata lists it, its own included
    for (const id of [1, 2, 3, OBSERVER]) {
      await waitFor(
        `node ${id} to list broker ${OBSERVER}`,
        async () => (await metadataOf(cluster, id)).brokers.join() === `1,2,3,${OBSERVER}`,
        20_000,
      ).catch(fail);
    }

    // a partition it leads: produce (acks=all) and fetch through it
    const created = await createTopic(cluster, OBSERVER, 'on-observer', { assignment: [OBSERVER, 1, 2] });
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage ?? '');
    const view = await waitFor(
      'on-observer led by broker 100 with a full ISR',
      async () => {
        const v = await partitionView(cluster, 'on-observer');
        return v.leader === OBSERVER && v.isr.length === 3 ? v : undefined;
      },
      15_000,
    ).catch(fail);
    assert.deepEqual(view.replicas, [OBSERVER, 1, 2]);
    const batch = await encodeRecordBatch({ records: [{ value: Buffer.from('through the observer'), timestamp: Date.now() }] });
    const offset = await waitFor(
      'an acks=all produce at broker 100',
      () => produceBatch(cluster.portOf(OBSERVER), 'on-observer', batch),
      10_000,
    );
    assert.equal(offset, 0n);
    const read = await readPartition(cluster.portOf(OBSERVER), 'on-observer');
    assert.equal(read.batches.length, 1);
    assert.equal(read.highWatermark, 1n);

    // replication factor 4 needs every broker, the observer among them
    const rf4 = await createTopic(cluster, OBSERVER, 'rf-4', { replicationFactor: 4 });
    assert.equal(rf4.errorCode, ErrorCode.NONE, rf4.errorMessage ?? '');
    await waitFor(
      'rf-4 with broker 100 in its ISR',
      async () => {
        const v = await partitionView(cluster, 'rf-4');
        return v.replicas.length === 4 && v.isr.includes(OBSERVER);
      },
      15_000,
    ).catch(fail);

    // the active controller dies: the observer finds the new one through its bootstrap servers
    const doomed = await activeController(cluster, OBSERVER);
    assert.ok([1, 2, 3].includes(doomed), `active controller ${doomed}`);
    await cluster.broker(doomed).kill();
    const next = await waitFor(
      'a new active controller, as broker 100 forwards DescribeQuorum',
      async () => {
        const id = await activeController(cluster, OBSERVER);
        return id !== doomed && id >= 0 ? id : undefined;
      },
      20_000,
    ).catch(fail);
    assert.notEqual(next, doomed);
    const after = await waitFor(
      'CreateTopics through broker 100 after the failover',
      async () => {
        const r = await createTopic(cluster, OBSERVER, 'after-failover', { replicationFactor: 2 });
        return r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? r : undefined;
      },
      20_000,
    ).catch(fail);
    assert.ok(after.errorCode === ErrorCode.NONE || after.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS);
    await waitFor(
      'broker 100 to see after-failover in its own metadata',
      async () => (await metadataOf(cluster, OBSERVER)).topics.includes('after-failover'),
      10_000,
    ).catch(fail);
  });
});
