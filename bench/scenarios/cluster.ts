// "cluster" group: Tributary replicated across processes. Each scenario starts a fresh LocalCluster
// (lib/cluster.ts): a controller process (node 0) and 3 broker processes on 127.0.0.1.
//   produce: kcat -P, acks=all, 1 partition, no compression, 100 B and 1 KiB records (the produce
//            group's counts and warm-up), to a topic with replication factor 1 and then to one with
//            replication factor 3 (min.insync.replicas=2) on the same cluster; the RF3/RF1 column is
//            the cost of replication. CPU% and RSS are the three broker processes summed.
//   latency: bench/drivers/kafka_latency.py (confluent-kafka) at 10,000 records/s, 100 B, acks=all,
//            RF=3: a consumer sees a record once the followers have it (high watermark).
//   failover: a raw acks=all producer loop (lib/failover.ts) on an RF=3 partition; the leader is
//            SIGKILLed; time to the first acks=all success on its successor; the killed broker is
//            restarted and back in the ISR before the next repeat.
import { runLatencyDriver } from '../lib/latency-driver.ts';
import { KCAT_PRODUCE_PROPS, kcatProduce } from '../lib/kcat.ts';
import { recordsFile } from '../lib/records.ts';
import { recordCount, sizeLabel, SIZES } from '../lib/shapes.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import {
  type BenchCluster,
  CLUSTER_SYSTEM,
  createReplicatedTopic,
  FAILOVER_SESSION_TIMEOUT_MS,
  startCluster,
  waitFullIsr,
} from '../lib/cluster.ts';
import { measureFailover, PartitionProducer, RETRY_MS, type FailoverResult } from '../lib/failover.ts';
import { ratio, type Column } from '../lib/table.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';
import { warmupCount } from './throughput.ts';

const BROKERS = 3;
/** Topic configs of the two replication factors compared. */
const RF_CONFIGS = { 1: { 'min.insync.replicas': '1' }, 3: { 'min.insync.replicas': '2' } } as const;
const FAILOVER_SETTINGS = { 'broker.session.timeout.ms': FAILOVER_SESSION_TIMEOUT_MS, 'broker.heartbeat.interval.ms': 300 };
const failoverRepeats = (ctx: RunContext) => (ctx.quick ? 1 : 3);
const LATENCY_RATE = 10_000;
const LATENCY_SIZE = 100;
const latencySeconds = (ctx: RunContext) => (ctx.quick ? 2 : 10);
const LATENCY_WARMUP_SECONDS = 2;

const produceName = (size: number, rf: number) => `produce ${sizeLabel(size)} p1 RF=${rf} acks=all none`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One note line about the WARN/ERROR lines the nodes printed during a scenario (none is silent). */
function noteWarnings(ctx: RunContext, name: string, c: BenchCluster): void {
  const w = c.warnings();
  if (w.count === 0) return;
  ctx.note(`${name}: nodes printed ${w.count} WARN/ERROR line(s), last: ${w.last.slice(-3).join(' || ')}`);
}

const isr = (v: { leader: number; isr: number[] }) => `leader ${v.leader}, ISR [${v.isr.join(',')}]`;

function produceScenario(ctx: RunContext, size: number): Scenario {
  return {
    name: `produce ${sizeLabel(size)} p1 RF=3 vs RF=1 acks=all none`,
    skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics], { kcat: true }),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, size);
      const file = await recordsFile(ctx.tmp, size, n);
      const warm = await recordsFile(ctx.tmp, size, warmupCount(n));
      const c = await startCluster(ctx, { brokers: BROKERS });
      const produce = (topic: string, f: string) =>
        kcatProduce(ctx.tools.kcat!.path, { bootstrap: c.bootstrap, topic, file: f, acks: 'all', compression: 'none', timeoutMs: 300_000 });
      const rows: Row[] = [];
      const views: string[] = [];
      for (const rf of [1, 3] as const) {
        await createReplicatedTopic(c, ctx.brokerApis, `warmup-rf${rf}`, rf, RF_CONFIGS[rf]);
        const v = await createReplicatedTopic(c, ctx.brokerApis, `bench-rf${rf}`, rf, RF_CONFIGS[rf]);
        views.push(`RF=${rf} ${isr(v)}`);
      }
      for (const rf of [1, 3] as const) await produce(`warmup-rf${rf}`, warm);
      for (const rf of [1, 3] as const) {
        const m = await sampled(c, () => produce(`bench-rf${rf}`, file));
        rows.push(
          row({
            scenario: produceName(size, rf),
            system: CLUSTER_SYSTEM,
            client: 'kcat -P',
            recordBytes: size,
            partitions: 1,
            acks: 'all',
            compression: 'none',
            records: n,
            recordsPerSec: n / m.value,
            mbPerSec: (n * size) / m.value / 1e6,
            brokerCpuPct: m.window.cpuPct,
            brokerRssMb: m.window.peakRssMb,
          }),
        );
      }
      // did the followers keep up (a shrunk ISR would make RF=3 look cheaper than it is)?
      const after = await waitFullIsr(c.cluster, ctx.brokerApis, 'bench-rf3', 10_000).then(isr, (e: Error) => `not full: ${e.message}`);
      ctx.note(`${sizeLabel(size)}: topics ${views.join('; ')}; bench-rf3 after the run: ${after}`);
      noteWarnings(ctx, sizeLabel(size), c);
      return rows;
    },
  };
}

function latencyScenario(ctx: RunContext): Scenario {
  const name = `e2e latency ${LATENCY_RATE}/s RF=3 acks=all`;
  return {
    name,
    skip: () => brokerSkip(ctx, [Api.Produce, Api.Fetch, Api.ListOffsets, Api.Metadata, Api.CreateTopics], { python: true }),
    async run(): Promise<Row[]> {
      const seconds = latencySeconds(ctx);
      const c = await startCluster(ctx, { brokers: BROKERS });
      await createReplicatedTopic(c, ctx.brokerApis, 'warmup', 3, RF_CONFIGS[3]);
      const v = await createReplicatedTopic(c, ctx.brokerApis, 'latency', 3, RF_CONFIGS[3]);
      const driver = (topic: string, secs: number) =>
        runLatencyDriver(ctx, { bootstrap: c.bootstrap, topic, size: LATENCY_SIZE, rate: LATENCY_RATE, seconds: secs, acks: 'all' });
      // warm-up, untimed: the same driver for a short run (it also has the consumer's group
      // coordinator create __consumer_offsets, 50 partitions x RF 3, before the measured run)
      const w = await driver('warmup', LATENCY_WARMUP_SECONDS);
      ctx.note(`latency warm-up (untimed, ${LATENCY_WARMUP_SECONDS} s): p50 ${w.p50Ms?.toFixed(2)} ms, p99 ${w.p99Ms?.toFixed(1)} ms`);
      const m = await sampled(c, () => driver('latency', seconds));
      const out = m.value;
      const after = await waitFullIsr(c.cluster, ctx.brokerApis, 'latency', 10_000).then(isr, (e: Error) => `not full: ${e.message}`);
      ctx.note(
        `latency: ${isr(v)}; asked ${fmt(LATENCY_RATE)} records/s, sent ${fmt(out.achievedRate ?? 0)}/s; max ${out.maxMs?.toFixed(1)} ms; after the run: ${after}`,
      );
      noteWarnings(ctx, 'latency', c);
      return [
        row({
          scenario: name,
          system: CLUSTER_SYSTEM,
          client: 'confluent-kafka (python) linger.ms=0',
          recordBytes: LATENCY_SIZE,
          partitions: 1,
          acks: 'all',
          compression: 'none',
          records: out.counted,
          recordsPerSec: out.achievedRate ?? null,
          mbPerSec: out.achievedRate ? (out.achievedRate * LATENCY_SIZE) / 1e6 : null,
          p50Ms: out.p50Ms ?? null,
          p99Ms: out.p99Ms ?? null,
          p999Ms: out.p999Ms ?? null,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: m.window.peakRssMb,
        }),
      ];
    },
  };
}

function failoverScenario(ctx: RunContext): Scenario {
  const name = 'failover RF=3 acks=all (SIGKILL leader)';
  return {
    name,
    skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics]),
    async run(): Promise<Row[]> {
      const c = await startCluster(ctx, { brokers: BROKERS, brokerSettings: FAILOVER_SETTINGS, controllerSettings: FAILOVER_SETTINGS });
      await createReplicatedTopic(c, ctx.brokerApis, 'failover', 3, RF_CONFIGS[3]);
      const producer = new PartitionProducer(c.cluster, ctx.brokerApis, 'failover');
      const results: FailoverResult[] = [];
      try {
        for (let i = 0; i < failoverRepeats(ctx); i++) {
          const r = await measureFailover(c.cluster, producer);
          results.push(r);
          const errors = Object.entries(r.errors)
            .map(([e, k]) => `${e} x${k}`)
            .join(', ');
          ctx.note(
            `failover ${i + 1}: leader ${r.oldLeader} -> ${r.newLeader}: first acks=all success after ${r.ms.toFixed(0)} ms ` +
              `(Metadata named the new leader after ${r.metadataMs?.toFixed(0) ?? '?'} ms); failed attempts: ${errors || 'none'}`,
          );
          // bring the killed broker back and wait until it is in the ISR again
          const t = performance.now();
          await c.cluster.broker(r.oldLeader).start();
          await waitFullIsr(c.cluster, ctx.brokerApis, 'failover', 60_000);
          if (process.env.BENCH_VERBOSE) ctx.note(`broker ${r.oldLeader} back in the ISR after ${(performance.now() - t).toFixed(0)} ms`);
        }
      } finally {
        producer.close();
      }
      noteWarnings(ctx, 'failover', c);
      const ms = results.map((r) => r.ms).sort((a, b) => a - b);
      return [
        row({
          scenario: name,
          system: CLUSTER_SYSTEM,
          client: `raw acks=all loop (1 record/request, retry ${RETRY_MS} ms)`,
          recordBytes: 100,
          partitions: 1,
          acks: 'all',
          compression: 'none',
          records: results.length,
          p50Ms: ms[Math.floor((ms.length - 1) / 2)]!,
          maxMs: ms[ms.length - 1]!,
        }),
      ];
    },
  };
}

/** RF3/RF1 records/s for the RF=3 produce rows (the RF=1 row of the same size and run). */
function rfRatioColumn(rows: readonly Row[]): Column {
  return {
    title: 'RF3/RF1',
    right: true,
    value: (r) => {
      if (r.system !== CLUSTER_SYSTEM || !r.scenario.includes('RF=3') || !r.scenario.startsWith('produce ')) return null;
      const base = rows.find((x) => x.system === r.system && x.scenario === r.scenario.replace('RF=3', 'RF=1'));
      return ratio(base?.recordsPerSec && r.recordsPerSec ? r.recordsPerSec / base.recordsPerSec : null);
    },
  };
}

export const clusterGroup: ScenarioGroup = {
  id: 'cluster',
  title: `cluster: ${BROKERS} broker processes + a controller process (replication)`,
  setup: (ctx) => [
    `cluster: LocalCluster, fresh per scenario: a controller process (node 0, process.roles=controller) and brokers 1..${BROKERS} (process.roles=broker), \`tributary start\` each on 127.0.0.1, defaults (durability page-cache, default.replication.factor=3)`,
    `topics: 1 partition, created with CreateTopics through broker 1; RF=1 with min.insync.replicas=1, RF=3 with min.insync.replicas=2 (topic configs); measured once every replica is in the ISR`,
    `produce: ${ctx.tools.kcat?.version ?? 'kcat missing'}, kcat -P -b <3 brokers> -z none -X acks=all ${Object.entries(KCAT_PRODUCE_PROPS)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ' ',
      )}; ${SIZES.map((s) => `${recordCount(ctx, s).toLocaleString('en-US')} x ${s} B`).join(', ')}; warm-up n/10 (at least 10,000) to warmup-rf1 and warmup-rf3 first; then RF=1, then RF=3, on the same cluster`,
    `latency: ${ctx.tools.python?.version ?? 'python confluent-kafka missing'}, bench/drivers/kafka_latency.py --acks all, ${fmt(LATENCY_RATE)} records/s x ${LATENCY_SIZE} B for ${latencySeconds(ctx)} s (first 1 s not counted), linger.ms=0; consumer on the leader, fetch.wait.max.ms=100; warm-up: the same driver for ${LATENCY_WARMUP_SECONDS} s on topic warmup first, untimed (its consumer's FindCoordinator also creates __consumer_offsets then)`,
    `failover: brokers and controller with ${Object.entries(FAILOVER_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ', ',
      )}; a raw-client loop (bench/lib/failover.ts) sends one acks=all Produce (one 100 B record, timeout 2 s) at a time to the leader, on failure waits ${RETRY_MS} ms and re-reads Metadata; after 0.5 s of steady sends the leader is SIGKILLed: time from the kill to the first acks=all success on its successor; the killed broker is restarted and rejoins the ISR before the next kill; ${failoverRepeats(ctx)} repeat(s): p50 ms = median, max ms = max, records = repeats`,
    'broker CPU% and RSS: the 3 broker processes summed (CPU over the timed window, 100% = one core; RSS = peak of the sum), controller not included',
  ],
  scenarios: (ctx) => [...SIZES.map((s) => produceScenario(ctx, s)), latencyScenario(ctx), failoverScenario(ctx)],
  columns: (rows) => [rfRatioColumn(rows)],
};
