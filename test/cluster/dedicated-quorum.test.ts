// A quorum of three dedicated controllers (process.roles=controller, node ids 1000-1002) and
// broker-only nodes that observe it, black-box: DescribeQuorum lists the brokers as observers;
// the active controller SIGKILLed, the brokers follow the new one by themselves (topic creation
// through a broker resumes, every broker sees the topic); a broker that was down while the
// controllers snapshotted and trimmed their logs catches up from a snapshot (FetchSnapshot) and
// sees every topic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { withWire } from '../interop/wire-client.ts';
import { createReplicatedTopic, startFaultCluster, waitFor } from './harness.ts';

const QUORUM = {
  'controller.quorum.election.timeout.ms': 500,
  'controller.quorum.fetch.timeout.ms': 1000,
  'broker.session.timeout.ms': 2000,
  'broker.heartbeat.interval.ms': 300,
};

async function describeQuorum(cluster: LocalCluster, brokerId: number) {
  const r = await withWire(cluster.portOf(brokerId), (c) =>
    c.request(ApiKey.DescribeQuorum, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
  );
  const p = r.topics[0]?.partitions[0];
  if (r.errorCode !== ErrorCode.NONE || !p || p.errorCode !== ErrorCode.NONE)
    throw new Error(`DescribeQuorum: ${r.errorCode}/${p?.errorCode}`);
  return p;
}

async function topicNames(cluster: LocalCluster, brokerId: number): Promise<Set<string>> {
  const md = await withWire(cluster.portOf(brokerId), (c) =>
    c.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false }),
  );
  return new Set(md.topics.filter((t) => !t.isInternal).map((t) => t.name!));
}

describe('a quorum of dedicated controllers', { timeout: 120_000 }, () => {
  it('brokers observe it, follow a new active controller after a SIGKILL, and catch up from a snapshot', async (t) => {
    const { cluster, log, matched } = await startFaultCluster(t, {
      brokers: 2,
      watch: { installs: /snapshot installed/ },
      controllers: 3,
      brokerSettings: QUORUM,
      // a snapshot every few changes: the log is trimmed under a broker that is down
      controllerSettings: { ...QUORUM, 'metadata.log.max.record.bytes.between.snapshots': 2000 },
    });
    const voters = cluster.controllerIds;
    assert.deepEqual(voters, [1000, 1001, 1002]);
    const before = await waitFor(
      'both brokers observing a settled quorum',
      async () => {
        const q = await describeQuorum(cluster, 1);
        const observers = q.observers.map((o) => o.replicaId).sort();
        return voters.includes(q.leaderId) && observers.join() === '1,2' ? q : undefined;
      },
      20_000,
    );
    assert.deepEqual(before.currentVoters.map((v) => v.replicaId).sort(), voters);

    await createReplicatedTopic(cluster, 'first', 1, 2);
    await cluster.controllerNode(before.leaderId).kill();
    const after = await waitFor(
      'a new active controller',
      async () => {
        const q = await describeQuorum(cluster, 1);
        return q.leaderId !== before.leaderId && voters.includes(q.leaderId) ? q : undefined;
      },
      15_000,
    ).catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    assert.ok(after.leaderEpoch > before.leaderEpoch);
    await createReplicatedTopic(cluster, 'second', 1, 2);
    for (const id of [1, 2]) await waitFor(`broker ${id} to see second`, async () => (await topicNames(cluster, id)).has('second'), 10_000);

    // broker 2 misses many changes; the controllers snapshot and drop the log under it
    await cluster.broker(2).kill();
    for (let i = 0; i < 20; i++) await createReplicatedTopic(cluster, `while-down-${i}`, 1, 1);
    await cluster.controllerNode(before.leaderId).start();
    await cluster.broker(2).start();
    const seen = await waitFor(
      'broker 2 to catch up',
      async () => {
        const names = await topicNames(cluster, 2);
        return names.size === 22 ? names : undefined;
      },
      20_000,
    ).catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    const one = await waitFor(
      'broker 1 to see them all',
      async () => {
        const names = await topicNames(cluster, 1);
        return names.size === 22 ? names : undefined;
      },
      10_000,
    ).catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    assert.deepEqual([...seen].sort(), [...one].sort());
    assert.ok(matched('installs') > 0, 'a node caught up from a snapshot (FetchSnapshot)');
  });
});
