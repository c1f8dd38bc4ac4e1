// The metrics endpoint of broker processes (tributary.metrics.port=0: each broker prints where it
// serves), scraped with a real Prometheus text-format parser, on a controller and three brokers:
// an RF=3 topic with a SIGSTOPped follower shows, on the leader, one under-replicated partition
// per partition it leads (every one has that follower) and as many more ISR shrinks; after
// SIGCONT and the catch-up, none, and as many ISR expansions. Writes keep going to the leader's
// partitions meanwhile (a follower only falls behind while there is something to fetch).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { scrape } from '../../packages/broker/test/helpers/prometheus-text.ts';
import { createReplicatedTopic, partitionView, produceOne, startFaultCluster, waitFor, type PartitionView } from './harness.ts';

const LAG_MS = 2000;
const PARTITIONS = 4;
const TOPIC = 'metered';

/** The metrics URL a broker printed at start (`Metrics: http://...`). */
async function metricsUrl(cluster: LocalCluster, brokerId: number): Promise<string> {
  return waitFor(`broker ${brokerId}'s metrics URL`, () => /Metrics: (http:\/\/\S+)/.exec(cluster.broker(brokerId).output())?.[1], 10_000);
}

async function views(cluster: LocalCluster): Promise<PartitionView[]> {
  const out: PartitionView[] = [];
  for (let p = 0; p < PARTITIONS; p++) out.push(await partitionView(cluster, TOPIC, p));
  return out;
}

describe('metrics across broker processes', { timeout: 120_000 }, () => {
  it('the leader reports under-replicated partitions while a follower is stopped, and none once it has caught up', async (t) => {
    const settings = {
      'replica.lag.time.max.ms': LAG_MS,
      'broker.session.timeout.ms': 60_000,
      'broker.heartbeat.interval.ms': 500,
    };
    const { cluster } = await startFaultCluster(t, {
      brokers: 3,
      brokerSettings: { ...settings, 'tributary.metrics.port': 0 },
      controllerSettings: settings,
    });
    await createReplicatedTopic(cluster, TOPIC, PARTITIONS, 3);
    const initial = await waitFor(
      'every ISR of 3',
      async () => {
        const v = await views(cluster);
        return v.every((x) => x.isr.length === 3) ? v : undefined;
      },
      10_000,
    );
    const leader = initial[0]!.leader;
    const follower = initial[0]!.replicas.find((id) => id !== leader)!;
    const led = initial.flatMap((v, p) => (v.leader === leader ? [p] : []));
    const url = await metricsUrl(cluster, leader);
    const rm = 'kafka_server_replicamanager_';
    const before = await scrape(url);
    assert.deepEqual(
      [before.value(`${rm}underreplicatedpartitions`), before.value(`${rm}leadercount`), before.value(`${rm}partitioncount`)],
      [0, led.length, PARTITIONS],
    );
    const shrinks = before.value(`${rm}isrshrinks_total`)!;
    const expands = before.value(`${rm}isrexpands_total`)!;

    let writing = true;
    const leaderPort = cluster.portOf(leader);
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        for (const p of led) await produceOne(leaderPort, TOPIC, `w${i}`, 1, p);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    t.after(() => {
      writing = false;
    });

    cluster.broker(follower).pause();
    await waitFor(
      `broker ${follower} out of the ISR of partitions ${led.join(', ')}`,
      async () => (await views(cluster)).every((v, p) => !led.includes(p) || !v.isr.includes(follower)),
      LAG_MS * 4,
    );
    const stopped = await waitFor(
      'the leader to report them',
      async () => {
        const m = await scrape(url);
        return m.value(`${rm}underreplicatedpartitions`) === led.length ? m : undefined;
      },
      5_000,
    );
    assert.equal(stopped.value(`${rm}isrshrinks_total`), shrinks + led.length, 'one shrink per partition led');
    assert.equal(stopped.value(`${rm}isrexpands_total`), expands);
    for (let p = 0; p < PARTITIONS; p++) {
      const labels = { topic: TOPIC, partition: String(p) };
      assert.equal(stopped.value('kafka_cluster_partition_underreplicated', labels), led.includes(p) ? 1 : 0, `partition ${p}`);
      assert.equal(stopped.value('kafka_cluster_partition_insyncreplicascount', labels), led.includes(p) ? 2 : 0, `partition ${p}`);
    }
    assert.equal(stopped.value('kafka_controller_kafkacontroller_offlinepartitionscount'), 0);

    cluster.broker(follower).resume();
    await waitFor(
      `broker ${follower} back in every ISR`,
      async () => (await views(cluster)).every((v) => v.isr.includes(follower)),
      15_000,
    );
    const caughtUp = await waitFor(
      'the leader to report none',
      async () => {
        const m = await scrape(url);
        return m.value(`${rm}underreplicatedpartitions`) === 0 ? m : undefined;
      },
      5_000,
    );
    assert.equal(caughtUp.value(`${rm}isrexpands_total`), expands + led.length, 'one expansion per partition led');
    assert.equal(caughtUp.value(`${rm}isrshrinks_total`), shrinks + led.length);
    writing = false;
    await writer;
    // the follower replicated the writes: its replication bytes in, the leader's replication bytes out
    const f = await scrape(await metricsUrl(cluster, follower));
    assert.ok(f.value('kafka_server_brokertopicmetrics_replicationbytesin_total')! > 0);
    assert.ok(caughtUp.value('kafka_server_brokertopicmetrics_replicationbytesout_total')! > 0);
    // (the leader's view of the quorum: the paused follower may still be looking for the leader again)
    assert.deepEqual(
      caughtUp.labelSets('kafka_server_raftmetrics_current_state'),
      [{ current_state: 'observer' }],
      'a broker-only node observes',
    );
    assert.equal(caughtUp.value('kafka_server_raftmetrics_current_leader'), 0, 'the dedicated controller, node 0');
    assert.equal(caughtUp.value('kafka_controller_kafkacontroller_activecontrollercount'), 0, 'the controller is not this broker');
  });
});
