// The /metrics endpoint of dedicated controller processes (process.roles=controller,
// tributary.metrics.port=0: each prints where it serves): a quorum of three controllers and one
// broker, every controller scraped with a real Prometheus text-format parser. Exactly one reports
// ActiveControllerCount 1, the one every controller names as the raft leader; each counts the
// topics and partitions created through the broker. SIGKILLed, the active controller is
// replaced: one survivor reports 1, in a higher raft epoch, the other 0; restarted, the old one
// rejoins as a follower reporting 0 and counts what was created while it was down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { scrape, type Metrics } from '../../packages/broker/test/helpers/prometheus-text.ts';
import { createReplicatedTopic, startFaultCluster, waitFor } from './harness.ts';

const QUORUM = {
  'controller.quorum.election.timeout.ms': 500,
  'controller.quorum.fetch.timeout.ms': 1000,
  'broker.session.timeout.ms': 2000,
  'broker.heartbeat.interval.ms': 300,
};
const KC = 'kafka_controller_kafkacontroller_';
const RAFT = 'kafka_server_raftmetrics_';

/**
 * The metrics URL a controller printed last (`Metrics: http://...`, just after it listens), once
 * it is not `previous` (the one of its start before a restart).
 */
async function metricsUrl(cluster: LocalCluster, id: number, previous?: string): Promise<string> {
  return waitFor(
    `controller ${id}'s metrics URL`,
    () => {
      const url = [
        ...cluster
          .controllerNode(id)
          .output()
          .matchAll(/Metrics: (http:\/\/\S+)/g),
      ].at(-1)?.[1];
      return url !== previous ? url : undefined;
    },
    10_000,
  );
}

interface ControllerView {
  id: number;
  active: number;
  leader: number;
  epoch: number;
  state: string;
  topics: number;
  partitions: number;
  offline: number;
  activeBrokers: number;
  metrics: Metrics;
}

async function view(id: number, url: string): Promise<ControllerView> {
  const m = await scrape(url);
  const state = m.labelSets(`${RAFT}current_state`);
  assert.equal(state.length, 1);
  return {
    id,
    active: m.value(`${KC}activecontrollercount`)!,
    leader: m.value(`${RAFT}current_leader`)!,
    epoch: m.value(`${RAFT}current_epoch`)!,
    state: state[0]!.current_state!,
    topics: m.value(`${KC}globaltopiccount`)!,
    partitions: m.value(`${KC}globalpartitioncount`)!,
    offline: m.value(`${KC}offlinepartitionscount`)!,
    activeBrokers: m.value(`${KC}activebrokercount`)!,
    metrics: m,
  };
}

/**
 * Scrapes the controllers until exactly one reports itself active, every one names it as the raft
 * leader in one epoch, and each counts `topics` topics and `partitions` partitions.
 */
async function settled(urls: Map<number, string>, topics: number, partitions: number, what: string): Promise<ControllerView[]> {
  let last: ControllerView[] = [];
  return waitFor(
    what,
    async () => {
      last = await Promise.all([...urls].map(([id, url]) => view(id, url)));
      const active = last.filter((v) => v.active === 1);
      if (active.length !== 1 || last.some((v) => v.active !== 1 && v.active !== 0)) return undefined;
      const leader = active[0]!;
      const agreed = last.every((v) => v.leader === leader.id && v.epoch === leader.epoch);
      const counted = last.every((v) => v.topics === topics && v.partitions === partitions && v.offline === 0);
      return agreed && counted ? last : undefined;
    },
    20_000,
  ).catch((err) => {
    const seen = last.map(({ metrics: _m, ...v }) => JSON.stringify(v)).join('\n');
    throw new Error(`${err.message}\nlast scrapes:\n${seen}`);
  });
}

describe('metrics of dedicated controller processes', { timeout: 120_000 }, () => {
  it('exactly one controller reports itself active, a new one after a SIGKILL, in a higher epoch', async (t) => {
    const { cluster, log } = await startFaultCluster(t, {
      brokers: 1,
      controllers: 3,
      brokerSettings: QUORUM,
      controllerSettings: { ...QUORUM, 'tributary.metrics.port': 0 },
    });
    const voters = cluster.controllerIds;
    assert.deepEqual(voters, [1000, 1001, 1002]);
    const urls = new Map<number, string>();
    for (const id of voters) urls.set(id, await metricsUrl(cluster, id));

    await createReplicatedTopic(cluster, 'orders', 3, 1);
    await createReplicatedTopic(cluster, 'payments', 2, 1);
    const before = await settled(urls, 2, 5, 'one active controller counting 2 topics and 5 partitions').catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    const active = before.find((v) => v.active === 1)!;
    assert.deepEqual(
      before.map((v) => [v.id, v.state]),
      voters.map((id) => [id, id === active.id ? 'leader' : 'follower']),
    );
    assert.ok(active.epoch >= 1);
    const m = active.metrics;
    assert.equal(m.value(`${KC}activebrokercount`), 1);
    assert.equal(m.value(`${KC}fencedbrokercount`), 0);
    assert.equal(m.value(`${KC}metadataerrorcount`), 0);
    assert.equal(m.value(`${KC}lastappliedrecordlagms`), 0, 'the active controller has no lag');
    // the leader's log: everything it applied is committed, up to its high watermark
    const hw = m.value(`${RAFT}high_watermark`)!;
    assert.equal(m.value(`${KC}lastcommittedrecordoffset`), hw - 1);
    assert.ok(m.value(`${KC}lastappliedrecordoffset`)! <= hw - 1);
    assert.ok(m.value(`${RAFT}log_end_offset`)! >= hw);
    // its own appends (the topics, the broker's heartbeats) were committed by the quorum and timed
    assert.ok(m.value(`${RAFT}commit_latency_avg`)! > 0);
    assert.ok(m.value('kafka_controller_controllereventmanager_eventqueueprocessingtimems_count')! > 0);

    await cluster.controllerNode(active.id).kill();
    const survivors = new Map([...urls].filter(([id]) => id !== active.id));
    await createReplicatedTopic(cluster, 'refunds', 1, 1);
    const after = await settled(survivors, 3, 6, 'a new active controller counting 3 topics and 6 partitions').catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    const next = after.find((v) => v.active === 1)!;
    assert.notEqual(next.id, active.id);
    assert.ok(next.epoch > active.epoch, `epoch ${next.epoch} after ${active.epoch}`);
    assert.equal(next.activeBrokers, 1);

    // the old active controller comes back as a follower of the new one
    await cluster.controllerNode(active.id).start();
    urls.set(active.id, await metricsUrl(cluster, active.id, urls.get(active.id)));
    const rejoined = await settled(urls, 3, 6, 'the restarted controller following the new one').catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    assert.deepEqual(
      rejoined.map((v) => [v.id, v.active, v.state]),
      voters.map((id) => [id, id === next.id ? 1 : 0, id === next.id ? 'leader' : 'follower']),
    );
  });
});
