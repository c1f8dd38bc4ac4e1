// "latency" group: end-to-end latency, producer to consumer, 100 B records, 1 partition, acks=1,
// at a fixed 10,000 records/s (10 s) and at half the maximum measured by the produce group in this
// run with a real client (100 B, 1 partition, acks=1, none; 5 s). A Python producer may not reach
// a high rate: the achieved rate is in the rec/s column and in a note. Driver: bench/drivers/kafka_latency.py (confluent-kafka):
// a producer process (linger.ms=0) stamps CLOCK_MONOTONIC into each value, a consumer process
// long-polls (fetch.wait.max.ms=100, fetch.min.bytes=1) and records receive - send time.
import { runLatencyDriver } from '../lib/latency-driver.ts';
import { headlineProduce, realClient } from '../lib/goals.ts';
import { brokerSkip, createTopics, sampled } from '../lib/tributary.ts';
import { rawLatency } from '../lib/raw-latency.ts';
import { RawConnection } from '../lib/raw-client.ts';
import { rawEnsureTopic } from '../lib/raw-load.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const SIZE = 100;
const APIS = [Api.Produce, Api.Fetch, Api.ListOffsets, Api.Metadata];

async function latencyRun(ctx: RunContext, rate: number, label: string, seconds = ctx.quick ? 2 : 10): Promise<Row[]> {
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  await createTopics(ctx, broker, [{ name: 'latency', partitions: 1 }]);
  const m = await sampled(broker, () =>
    runLatencyDriver(ctx, { bootstrap: broker.bootstrap, topic: 'latency', size: SIZE, rate, seconds }),
  );
  const out = m.value;
  ctx.note(
    `${label}: asked ${Math.round(rate).toLocaleString('en-US')} records/s, sent ${Math.round(out.achievedRate ?? 0).toLocaleString('en-US')}/s`,
  );
  if ((out.achievedRate ?? 0) < rate * 0.95)
    ctx.note(
      `${label}: the Python producer reached only ${Math.round(out.achievedRate ?? 0).toLocaleString('en-US')} records/s of the ${Math.round(rate).toLocaleString('en-US')} asked`,
    );
  return [
    row({
      scenario: `e2e latency ${label}`,
      system: 'tributary',
      client: 'confluent-kafka (python) linger.ms=0',
      recordBytes: SIZE,
      partitions: 1,
      acks: '1',
      compression: 'none',
      records: out.counted,
      recordsPerSec: out.achievedRate ?? null,
      mbPerSec: out.achievedRate ? (out.achievedRate * SIZE) / 1e6 : null,
      p50Ms: out.p50Ms ?? null,
      p99Ms: out.p99Ms ?? null,
      p999Ms: out.p999Ms ?? null,
      brokerCpuPct: m.window.cpuPct,
      brokerRssMb: m.window.peakRssMb,
    }),
  ];
}

const RAW_LATENCY_APIS = [Api.Produce, Api.Fetch, Api.ListOffsets, Api.Metadata];

async function rawLatencyRun(ctx: RunContext, rate: number, label: string, seconds: number): Promise<Row[]> {
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const conn = await RawConnection.open('127.0.0.1', broker.port);
  try {
    await rawEnsureTopic(conn, ctx.brokerApis, 'latency', 1);
  } finally {
    conn.close();
  }
  const m = await sampled(broker, () =>
    rawLatency('127.0.0.1', broker.port, ctx.brokerApis, { topic: 'latency', size: SIZE, rate, seconds, warmupSeconds: 1 }),
  );
  const out = m.value;
  ctx.note(
    `${label} (raw): asked ${Math.round(rate).toLocaleString('en-US')} records/s, sent ${Math.round(out.achievedRate).toLocaleString('en-US')}/s`,
  );
  return [
    row({
      scenario: `e2e latency ${label}`,
      system: 'tributary',
      client: 'raw (one batch per 1 ms tick)',
      recordBytes: SIZE,
      partitions: 1,
      acks: '1',
      compression: 'none',
      records: out.received,
      recordsPerSec: out.achievedRate,
      mbPerSec: (out.achievedRate * SIZE) / 1e6,
      p50Ms: out.p50Ms,
      p99Ms: out.p99Ms,
      p999Ms: out.p999Ms,
      brokerCpuPct: m.window.cpuPct,
      brokerRssMb: m.window.peakRssMb,
    }),
  ];
}

export const latencyGroup: ScenarioGroup = {
  id: 'latency',
  title: 'end-to-end latency, producer to consumer (Tributary)',
  setup: (ctx) => [
    'broker: `tributary start` child process, fresh per scenario, defaults (durability page-cache)',
    `records: ${SIZE} B, 1 partition, acks=1, no compression, ${ctx.quick ? 2 : 10} s at the rate (half max: 5 s; first 1 s not counted); client ${ctx.tools.python?.version ?? 'python confluent-kafka missing'}`,
    'producer process linger.ms=0 stamps CLOCK_MONOTONIC in the value; consumer process assign()ed at the end offset, fetch.wait.max.ms=100, fetch.min.bytes=1 (long poll)',
    'client raw: the harness produces one batch per ~1 ms timer tick with the records due (acks=1, no wait for acks) and long-polls Fetch on a second connection, same process and clock (its own event-loop delays count)',
    'half max: half the best records/s of a real client in the produce group (100 B, 1 partition, acks=1, none), 5 s, raw client (a Python producer and consumer cannot keep up there)',
    'latency = consumer receive time - producer send() time (includes client batching); p50/p99/p99.9 nearest rank',
  ],
  scenarios: (ctx): Scenario[] => {
    const skip = () => brokerSkip(ctx, APIS, { python: true });
    const rawSkip = () => brokerSkip(ctx, RAW_LATENCY_APIS);
    const seconds = ctx.quick ? 2 : 10;
    const list: Scenario[] = [
      { name: 'e2e latency 10000/s', skip, run: () => latencyRun(ctx, 10_000, '10000/s') },
      { name: 'e2e latency 10000/s raw', skip: rawSkip, run: () => rawLatencyRun(ctx, 10_000, '10000/s', seconds) },
    ];
    if (!ctx.quick) {
      list.push({
        name: 'e2e latency half max raw',
        skip: () =>
          rawSkip() ??
          (headlineProduce(ctx.rows, SIZE, realClient)?.recordsPerSec
            ? null
            : 'needs the produce 100B p1 acks=1 none row from this run (run the produce group too)'),
        run: () => {
          const max = headlineProduce(ctx.rows, SIZE, realClient)!.recordsPerSec!;
          return rawLatencyRun(ctx, max / 2, 'half max', 5);
        },
      });
    }
    return list;
  },
};
