// "quorum" group: the metadata quorum (KIP-595) of a LocalCluster (lib/cluster.ts) on 127.0.0.1, in
// two setups started fresh per scenario and measured in the same run:
//   1 voter:  a dedicated controller process (node 0, process.roles=controller, the only voter of
//             controller.quorum.voters) and 3 broker processes (process.roles=broker);
//   3 voters: 3 combined processes (process.roles=broker,controller), all voters, no dedicated
//             controller (LocalCluster's `combined`).
// Every request is a raw CreateTopics (lib/quorum.ts) of one new 1-partition topic.
//   metadata latency: after 10 untimed topics, 100 topics one CreateTopics at a time (RF=3) on one
//            connection to a broker that is not the active controller (1 voter: broker 1); each
//            request's latency is until its answer (the controller answers once the records are
//            committed); rec/s = topics/s; CPU% and RSS over every node process, controller included.
//   controller failover, 3 voters: the active controller (DescribeQuorum) is SIGKILLed; CreateTopics
//            (RF=1, a new name each attempt, 20 ms after a failure) go to the two survivors until one
//            succeeds: the time from the kill to that answer. The killed node is restarted and the
//            next repeat waits until the quorum has 3 voters caught up.
//   controller failover, 1 voter: no CreateTopics can succeed while the only voter is down, so the
//            controller is SIGKILLed and restarted at once, and the same loop (to the 3 brokers) times
//            the kill to the first success: kill + restart + the brokers finding it again.
import { createTopic, startCluster, waitFor, type BenchCluster } from '../lib/cluster.ts';
import { RawConnection } from '../lib/raw-client.ts';
import { describeQuorum, measureControllerFailover, missingTopics, RETRY_MS, timeCreateTopics, waitQuorumCaughtUp } from '../lib/quorum.ts';
import { latencySummary } from '../lib/stats.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const NODES = 3;
const TOPICS = 100;
const WARMUP_TOPICS = 10;
const LATENCY_RF = 3;
const FAILOVER_RF = 1;
const failoverRepeats = (ctx: RunContext) => (ctx.quick ? 1 : 3);

interface Setup {
  voters: 1 | 3;
  system: string;
  combined: boolean;
}
const SETUPS: Setup[] = [
  { voters: 1, system: 'tributary 3 brokers + 1 controller', combined: false },
  { voters: 3, system: 'tributary 3 combined nodes', combined: true },
];

const voterLabel = (s: Setup) => (s.voters === 1 ? '1 voter' : '3 voters');
const latencyName = (s: Setup) => `metadata CreateTopics x${TOPICS} RF=${LATENCY_RF} (${voterLabel(s)})`;
const failoverName = (s: Setup) =>
  s.voters === 1
    ? 'controller kill + restart -> first CreateTopics ok (1 voter)'
    : 'controller failover SIGKILL active -> first CreateTopics ok (3 voters)';
const skip = (ctx: RunContext) => brokerSkip(ctx, [Api.CreateTopics, Api.Metadata, Api.DescribeQuorum]);
const errorList = (errors: Record<string, number>) =>
  Object.entries(errors)
    .map(([e, k]) => `${e} x${k}`)
    .join(', ') || 'none';

function noteWarnings(ctx: RunContext, name: string, c: BenchCluster): void {
  const w = c.warnings();
  if (w.count > 0) ctx.note(`${name}: nodes printed ${w.count} WARN/ERROR line(s), last: ${w.last.slice(-3).join(' || ')}`);
}

function latencyScenario(ctx: RunContext, s: Setup): Scenario {
  const name = latencyName(s);
  return {
    name,
    skip: () => skip(ctx),
    async run(): Promise<Row[]> {
      const c = await startCluster(ctx, { brokers: NODES, combined: s.combined });
      const q = await waitQuorumCaughtUp(c.cluster, ctx.brokerApis, s.voters);
      const via = c.cluster.brokerIds.find((id) => id !== q.leaderId)!;
      const conn = await RawConnection.open('127.0.0.1', c.cluster.portOf(via));
      try {
        await timeCreateTopics(conn, ctx.brokerApis, { prefix: 'warmup', count: WARMUP_TOPICS, replicationFactor: LATENCY_RF });
        const m = await sampled({ sampler: c.nodesSampler }, () =>
          timeCreateTopics(conn, ctx.brokerApis, { prefix: 'meta', count: TOPICS, replicationFactor: LATENCY_RF }),
        );
        const lat = latencySummary(m.value.latenciesMs);
        ctx.note(
          `${name}: active controller node ${q.leaderId} (epoch ${q.leaderEpoch}), requests to broker ${via}; max ${Math.max(...m.value.latenciesMs).toFixed(1)} ms`,
        );
        noteWarnings(ctx, name, c);
        return [
          row({
            scenario: name,
            system: s.system,
            client: `raw CreateTopics, 1 at a time, via broker ${via}`,
            partitions: 1,
            records: TOPICS,
            recordsPerSec: TOPICS / m.value.seconds,
            p50Ms: lat.p50Ms,
            p99Ms: lat.p99Ms,
            maxMs: Math.max(...m.value.latenciesMs),
            brokerCpuPct: m.window.cpuPct,
            brokerRssMb: m.window.peakRssMb,
          }),
        ];
      } finally {
        conn.close();
      }
    },
  };
}

function failoverScenario(ctx: RunContext, s: Setup): Scenario {
  const name = failoverName(s);
  return {
    name,
    skip: () => skip(ctx),
    async run(): Promise<Row[]> {
      const c = await startCluster(ctx, { brokers: NODES, combined: s.combined });
      const ms: number[] = [];
      const acked: string[] = [];
      let q = await waitQuorumCaughtUp(c.cluster, ctx.brokerApis, s.voters);
      for (let i = 0; i < failoverRepeats(ctx); i++) {
        // a steady start: one CreateTopics through every broker first
        for (const id of c.cluster.brokerIds) {
          const conn = await RawConnection.open('127.0.0.1', c.cluster.portOf(id));
          const err = await createTopic(conn, ctx.brokerApis, `steady-${i}-${id}`, FAILOVER_RF).finally(() => conn.close());
          if (err !== null) throw new Error(`CreateTopics through broker ${id} before the kill: ${err}`);
          acked.push(`steady-${i}-${id}`);
        }
        const victim = s.combined ? c.cluster.broker(q.leaderId) : c.cluster.controller;
        let restartMs = 0;
        const t0 = performance.now();
        const r = await measureControllerFailover(c.cluster, ctx.brokerApis, {
          brokers: c.cluster.brokerIds.filter((id) => !s.combined || id !== q.leaderId),
          prefix: `failover-${i}`,
          replicationFactor: FAILOVER_RF,
          kill: async () => {
            await victim.kill();
            if (s.combined) return;
            await victim.start();
            restartMs = performance.now() - t0;
          },
        });
        ms.push(r.ms);
        acked.push(r.topic);
        const next = s.combined ? await describeQuorum(c.cluster, ctx.brokerApis, r.via) : null;
        ctx.note(
          `${voterLabel(s)} repeat ${i + 1}: killed ${s.combined ? `node ${q.leaderId}` : 'controller node 0'} (epoch ${q.leaderEpoch}); ` +
            `first CreateTopics ok after ${r.ms.toFixed(0)} ms via broker ${r.via}` +
            (next
              ? `; new active controller node ${next.leaderId} (epoch ${next.leaderEpoch})`
              : `; controller listening again after ${restartMs.toFixed(0)} ms`) +
            `; failed attempts: ${errorList(r.errors)}`,
        );
        if (s.combined) await victim.start();
        q = await waitQuorumCaughtUp(c.cluster, ctx.brokerApis, s.voters);
        // every topic acknowledged so far must still exist, on every broker (their images may lag a little)
        const t = performance.now();
        const known = () => Promise.all(c.cluster.brokerIds.map((id) => missingTopics(c.cluster, ctx.brokerApis, id, acked)));
        const lag = await waitFor(
          'every broker to know every acknowledged topic',
          async () => (await known()).every((l) => !l.length),
          15_000,
        ).then(
          () => performance.now() - t,
          async () => (await known()).map((l, k) => `broker ${c.cluster.brokerIds[k]} lacks ${l.join(', ') || 'none'}`).join('; '),
        );
        if (typeof lag === 'string') ctx.note(`${voterLabel(s)} repeat ${i + 1}: acknowledged topics missing after 15 s: ${lag}`);
        else if (lag > 200)
          ctx.note(
            `${voterLabel(s)} repeat ${i + 1}: every broker knew every acknowledged topic ${lag.toFixed(0)} ms after the quorum caught up`,
          );
      }
      noteWarnings(ctx, name, c);
      ms.sort((a, b) => a - b);
      return [
        row({
          scenario: name,
          system: s.system,
          client: `raw CreateTopics loop (RF=${FAILOVER_RF}, retry ${RETRY_MS} ms)`,
          partitions: 1,
          records: ms.length,
          p50Ms: ms[Math.floor((ms.length - 1) / 2)]!,
          maxMs: ms[ms.length - 1]!,
        }),
      ];
    },
  };
}

export const quorumGroup: ScenarioGroup = {
  id: 'quorum',
  title: 'quorum: metadata changes and controller failover, 1 voter (dedicated controller) vs 3 voters (combined nodes)',
  setup: (ctx) => [
    `1 voter: LocalCluster, a controller process (node 0, process.roles=controller, the only voter) and brokers 1..${NODES} (process.roles=broker); 3 voters: LocalCluster combined, nodes 1..${NODES} with process.roles=broker,controller, all voters of controller.quorum.voters; fresh per scenario, \`tributary start\` each on 127.0.0.1, defaults (controller.quorum.fetch.timeout.ms=2000, controller.quorum.election.timeout.ms=1000)`,
    `metadata latency: raw CreateTopics (lib/quorum.ts), one 1-partition RF=${LATENCY_RF} topic per request, one request at a time on one connection to a broker that is not the active controller; ${WARMUP_TOPICS} untimed topics, then ${TOPICS} timed: records = topics, rec/s = topics/s, p50/p99/max of each request's latency (until its answer)`,
    `controller failover: once the quorum has its voters caught up (DescribeQuorum), one CreateTopics through each broker, then SIGKILL; a loop sends CreateTopics (a new RF=${FAILOVER_RF} topic each, client timeout 5 s) to the live brokers, on a failure waits ${RETRY_MS} ms (a lost connection moves to the next broker); time from the kill to the first success. 3 voters: the active controller is killed, the loop uses the 2 survivors, the node is restarted after. 1 voter: the controller is killed and restarted at once (nothing succeeds without it), the loop uses the 3 brokers. ${failoverRepeats(ctx)} repeat(s): p50 ms = median, max ms = max, records = repeats`,
    'broker CPU% and RSS: every node process summed (the dedicated controller included; 100% = one core; RSS = peak of the sum) over the timed window',
  ],
  scenarios: (ctx) => [...SETUPS.map((s) => latencyScenario(ctx, s)), ...SETUPS.map((s) => failoverScenario(ctx, s))],
};
