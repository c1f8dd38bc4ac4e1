// Leader elections, black-box, on a controller and three broker processes (RF 3). No third-party
// client here exposes ElectLeaders (KafkaJS 2.2.4 leaves it unimplemented, kafka-python 2.0.2 and
// confluent-kafka 1.7 have no election call), so requests go through our client's admin and our
// wire client; leaders are read back from Metadata.
//   - PREFERRED: the preferred leader of a partition is SIGKILLed (fenced, leadership moves) and
//     started again; once it is back in the ISR, an election moves leadership back to it (every
//     partition then led by its replicas[0]), the others answer ELECTION_NOT_NEEDED, and the records
//     written before are still there;
//   - UNCLEAN: with unclean.leader.election.enable off on the topic, a partition whose ISR is only a
//     stopped broker stays leaderless (PREFERRED_LEADER_NOT_AVAILABLE) until an UNCLEAN election
//     elects the live replica (ISR [it]); the stopped broker is then unregistered (UnregisterBroker:
//     NONE, then BROKER_ID_NOT_REGISTERED for it as for an id never registered);
//   - auto.leader.rebalance.enable with a 1 s check interval moves leadership back to the restarted
//     preferred leader without any request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kafka } from '@tributary/client';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { withWire } from '../interop/wire-client.ts';
import { createReplicatedTopic, latestOffset, partitionView, produceOne, startFaultCluster, waitFor } from './harness.ts';

const SETTINGS = {
  'broker.session.timeout.ms': 1500,
  'broker.heartbeat.interval.ms': 300,
  'replica.lag.time.max.ms': 3000,
};

/** Every partition of `topic` (0..n-1) as Metadata answers it. */
const views = (cluster: LocalCluster, topic: string, n: number) =>
  Promise.all(Array.from({ length: n }, (_, p) => partitionView(cluster, topic, p)));

/** Waits until every partition of `topic` has its full ISR of 3. */
async function fullIsr(cluster: LocalCluster, topic: string, n: number) {
  return waitFor(
    `the ISRs of ${topic} back to 3`,
    async () => {
      const vs = await views(cluster, topic, n);
      return vs.every((v) => v.isr.length === 3 && v.leader >= 0) ? vs : undefined;
    },
    20_000,
  );
}

/** Kills the preferred leader of partition 0, waits for another leader, restarts it, waits for the full ISR. */
async function restartPreferredLeaderOfP0(cluster: LocalCluster, topic: string, n: number): Promise<number> {
  const before = await fullIsr(cluster, topic, n);
  const preferred = before[0]!.replicas[0]!;
  assert.equal(before[0]!.leader, preferred);
  await cluster.broker(preferred).kill();
  await waitFor(
    `a new leader of ${topic}-0`,
    async () => {
      const v = await partitionView(cluster, topic, 0);
      return v.leader >= 0 && v.leader !== preferred;
    },
    15_000,
  );
  await cluster.broker(preferred).start();
  await fullIsr(cluster, topic, n);
  return preferred;
}

describe('leader elections across broker processes', { timeout: 180_000 }, () => {
  it('PREFERRED: leadership goes back to a restarted preferred leader once it is in sync; ELECTION_NOT_NEEDED elsewhere', async (t) => {
    const settings = { ...SETTINGS, 'auto.leader.rebalance.enable': 'false' };
    const { cluster } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'pref', 3, 3);
    const initial = await fullIsr(cluster, 'pref', 3);
    for (let i = 0; i < 5; i++)
      assert.equal((await produceOne(cluster.portOf(initial[0]!.leader), 'pref', `r${i}`)).errorCode, ErrorCode.NONE);

    const preferred = await restartPreferredLeaderOfP0(cluster, 'pref', 3);
    const moved = await views(cluster, 'pref', 3);
    assert.notEqual(moved[0]!.leader, preferred, 'nothing moved it back by itself');

    const kafka = new Kafka({ bootstrapServers: cluster.bootstrap, clientId: 'elect' });
    t.after(() => kafka.close());
    const results = await kafka.admin().electLeaders(
      'preferred',
      [0, 1, 2].map((partition) => ({ topic: 'pref', partition })),
    );
    assert.deepEqual(
      results.map((r) => [r.topic, r.partition, r.error?.type ?? null]),
      [
        ['pref', 0, null],
        ['pref', 1, 'ELECTION_NOT_NEEDED'],
        ['pref', 2, 'ELECTION_NOT_NEEDED'],
      ],
    );
    const after = await waitFor(
      'every partition led by its preferred replica',
      async () => {
        const vs = await views(cluster, 'pref', 3);
        return vs.every((v) => v.leader === v.replicas[0]) ? vs : undefined;
      },
      10_000,
    );
    assert.deepEqual(
      after.map((v) => v.leader),
      initial.map((v) => v.replicas[0]),
    );
    assert.equal(after[0]!.leader, preferred);
    assert.ok(after[0]!.leaderEpoch > moved[0]!.leaderEpoch);
    // a second election is not needed; the records written before are all there
    const again = await kafka.admin().electLeaders('preferred', [{ topic: 'pref', partition: 0 }]);
    assert.equal(again[0]!.error?.type, 'ELECTION_NOT_NEEDED');
    await waitFor('the new leader to serve 5 records', async () => (await latestOffset(cluster.portOf(preferred), 'pref')) === 5n, 10_000);
  });

  it('UNCLEAN: a partition whose ISR is only a stopped broker gets the live replica; UnregisterBroker removes the stopped one', async (t) => {
    const settings = { ...SETTINGS, 'auto.leader.rebalance.enable': 'false' };
    const { cluster } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'dirty', 1, 3, { 'unclean.leader.election.enable': 'false' });
    const [view] = await fullIsr(cluster, 'dirty', 1);
    const [a, b, c] = view!.replicas as [number, number, number];
    assert.equal(view!.leader, a);
    // the followers die, then the last ISR member: no leader, the ISR is [a]
    await cluster.broker(b).kill();
    await cluster.broker(c).kill();
    await waitFor('the ISR shrunk to the leader', async () => (await partitionView(cluster, 'dirty')).isr.length === 1, 15_000);
    await cluster.broker(a).kill();
    await cluster.broker(b).start();
    const stuck = await waitFor(
      'no leader',
      async () => {
        const v = await partitionView(cluster, 'dirty');
        return v.leader === -1 ? v : undefined;
      },
      15_000,
    );
    assert.deepEqual(stuck.isr, [a]);

    const elect = (electionType: number) =>
      withWire(cluster.portOf(b), (w) =>
        w.request(ApiKey.ElectLeaders, 2, { electionType, topicPartitions: [{ topic: 'dirty', partitions: [0] }], timeoutMs: 10_000 }),
      );
    const preferred = await elect(0);
    assert.deepEqual(
      [preferred.errorCode, preferred.replicaElectionResults[0]!.partitionResult[0]!.errorCode],
      [ErrorCode.NONE, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    );
    const unclean = await elect(1);
    assert.deepEqual(unclean.replicaElectionResults, [
      { topic: 'dirty', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null }] },
    ]);
    const elected = await waitFor(
      'the live replica leading',
      async () => {
        const v = await partitionView(cluster, 'dirty');
        return v.leader === b ? v : undefined;
      },
      10_000,
    );
    assert.deepEqual(elected.isr, [b]);
    assert.equal((await produceOne(cluster.portOf(b), 'dirty', 'after')).errorCode, ErrorCode.NONE);
    assert.equal((await elect(1)).replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);

    // the stopped broker a is decommissioned: unregistered once, then unknown to the controller
    const unregister = async (brokerId: number) =>
      (await withWire(cluster.portOf(b), (w) => w.request(ApiKey.UnregisterBroker, 0, { brokerId }))).errorCode;
    assert.equal(await unregister(a), ErrorCode.NONE);
    assert.equal(await unregister(a), ErrorCode.BROKER_ID_NOT_REGISTERED);
    assert.equal(await unregister(42), ErrorCode.BROKER_ID_NOT_REGISTERED);
    assert.deepEqual((await partitionView(cluster, 'dirty')).leader, b, 'the partition keeps its leader');
  });

  it('auto.leader.rebalance.enable: leadership returns to the restarted preferred leader without a request', async (t) => {
    const settings = { ...SETTINGS, 'auto.leader.rebalance.enable': 'true', 'leader.imbalance.check.interval.seconds': 1 };
    const { cluster, matched } = await startFaultCluster(t, {
      brokers: 3,
      brokerSettings: settings,
      controllerSettings: settings,
      watch: { rebalance: /moving leadership back to preferred replicas/ },
    });
    await createReplicatedTopic(cluster, 'auto', 3, 3);
    const initial = await fullIsr(cluster, 'auto', 3);
    const preferred = await restartPreferredLeaderOfP0(cluster, 'auto', 3);
    const back = await waitFor(
      'every partition led by its preferred replica',
      async () => {
        const vs = await views(cluster, 'auto', 3);
        return vs.every((v) => v.leader === v.replicas[0]) ? vs : undefined;
      },
      20_000,
    );
    assert.deepEqual(
      back.map((v) => v.leader),
      initial.map((v) => v.replicas[0]),
    );
    assert.equal(back[0]!.leader, preferred);
    assert.ok(matched('rebalance') >= 1, 'the controller logged the rebalance');
  });
});
