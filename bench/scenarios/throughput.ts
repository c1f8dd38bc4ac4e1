// "produce" and "consume" groups: Tributary throughput driven by kcat (librdkafka, the C load
// generator; see the loadgen group for its own ceiling), one fresh broker per scenario.
//   produce: records of 100 B and 1 KiB, 1 and 16 partitions, acks=1 and all, none/lz4/zstd;
//            kcat -P from a file of records; wall time from spawn to the last acknowledgement.
//   consume: the same shapes (acks does not change what is consumed): the data is produced
//            untimed into a fresh broker, then kcat -C -e reads it from offset 0 (page cache)
//            to the end of every partition.
// MB/s counts record values (records x record size) in 10^6 B/s.
import { KCAT_CONSUME_PROPS, KCAT_PRODUCE_PROPS } from '../lib/kcat.ts';
import { recordsFile } from '../lib/records.ts';
import { recordCount, sizeLabel, SIZES } from '../lib/shapes.ts';
import { brokerSkip, createTopics, KCAT_APIS, KCAT_PRODUCE_APIS, timedConsume, timedProduce } from '../lib/tributary.ts';
import { RawConnection } from '../lib/raw-client.ts';
import { RAW_BATCH_BYTES, RAW_WINDOW, rawConsume, rawEnsureTopic, rawProduce } from '../lib/raw-load.ts';
import { sampled } from '../lib/tributary.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

export interface Shape {
  size: number;
  partitions: number;
  compression: 'none' | 'lz4' | 'zstd';
}

export function shapes(ctx: RunContext): Shape[] {
  const out: Shape[] = [];
  for (const size of SIZES) {
    for (const partitions of ctx.quick ? [1] : [1, 16]) {
      for (const compression of ctx.quick ? (['none'] as const) : (['none', 'lz4', 'zstd'] as const))
        out.push({ size, partitions, compression });
    }
  }
  return out;
}

const shapeLabel = (s: Shape) => `${sizeLabel(s.size)} p${s.partitions} ${s.compression}`;
const props = (p: Record<string, string>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
/** Records sent (and consumed) untimed to a 'warmup' topic first, so the broker's JIT is warm. */
export const warmupCount = (n: number) => Math.max(10_000, Math.round(n / 10));
export const brokerSettings = (partitions: number) => ({ 'num.partitions': partitions });

function produceScenario(ctx: RunContext, s: Shape, acks: string): Scenario {
  return {
    name: `produce ${sizeLabel(s.size)} p${s.partitions} acks=${acks} ${s.compression}`,
    skip: () => brokerSkip(ctx, KCAT_PRODUCE_APIS, { kcat: true }),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, s.size);
      const file = await recordsFile(ctx.tmp, s.size, n);
      const broker = await ctx.startBroker({ settings: brokerSettings(s.partitions) });
      await createTopics(ctx, broker, [
        { name: 'bench', partitions: s.partitions },
        { name: 'warmup', partitions: s.partitions },
      ]);
      await timedProduce(ctx, broker, {
        topic: 'warmup',
        file: await recordsFile(ctx.tmp, s.size, warmupCount(n)),
        acks,
        compression: s.compression,
      });
      const m = await timedProduce(ctx, broker, { topic: 'bench', file, acks, compression: s.compression });
      return [
        row({
          scenario: `produce ${sizeLabel(s.size)} p${s.partitions} acks=${acks} ${s.compression}`,
          system: 'tributary',
          client: 'kcat -P',
          recordBytes: s.size,
          partitions: s.partitions,
          acks,
          compression: s.compression,
          records: n,
          recordsPerSec: n / m.value,
          mbPerSec: (n * s.size) / m.value / 1e6,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: m.window.peakRssMb,
        }),
      ];
    },
  };
}

function consumeScenario(ctx: RunContext, s: Shape): Scenario {
  return {
    name: `consume ${shapeLabel(s)}`,
    skip: () => brokerSkip(ctx, KCAT_APIS, { kcat: true }),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, s.size);
      const file = await recordsFile(ctx.tmp, s.size, n);
      const broker = await ctx.startBroker({ settings: brokerSettings(s.partitions) });
      await createTopics(ctx, broker, [
        { name: 'bench', partitions: s.partitions },
        { name: 'warmup', partitions: s.partitions },
      ]);
      const w = warmupCount(n);
      await timedProduce(ctx, broker, {
        topic: 'warmup',
        file: await recordsFile(ctx.tmp, s.size, w),
        acks: '1',
        compression: s.compression,
      });
      await timedConsume(ctx, broker, 'warmup', w);
      await timedProduce(ctx, broker, { topic: 'bench', file, acks: '1', compression: s.compression });
      const m = await timedConsume(ctx, broker, 'bench', n);
      return [
        row({
          scenario: `consume ${sizeLabel(s.size)} p${s.partitions} ${s.compression}`,
          system: 'tributary',
          client: 'kcat -C',
          recordBytes: s.size,
          partitions: s.partitions,
          compression: s.compression,
          records: n,
          recordsPerSec: n / m.value,
          mbPerSec: (n * s.size) / m.value / 1e6,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: m.window.peakRssMb,
        }),
      ];
    },
  };
}

const RAW_CLIENT = `raw (pre-encoded frames)`;
const RAW_PRODUCE_APIS = [Api.Produce, Api.Metadata];
const RAW_FETCH_APIS = [Api.Produce, Api.Metadata, Api.Fetch];

/** Produce from the harness with pre-encoded frames (the broker's ceiling without a client's cost). */
function rawProduceScenario(ctx: RunContext, s: Shape, acks: string): Scenario {
  const scenario = `produce ${sizeLabel(s.size)} p1 acks=${acks} ${s.compression}`;
  return {
    name: `${scenario} raw`,
    skip: () => brokerSkip(ctx, RAW_PRODUCE_APIS),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, s.size);
      const broker = await ctx.startBroker({ settings: brokerSettings(1) });
      const conn = await RawConnection.open('127.0.0.1', broker.port);
      try {
        await rawEnsureTopic(conn, ctx.brokerApis, 'bench', 1);
        await rawEnsureTopic(conn, ctx.brokerApis, 'warmup', 1);
        await rawProduce(conn, ctx.brokerApis, {
          topic: 'warmup',
          size: s.size,
          count: warmupCount(n),
          acks: acks === 'all' ? -1 : Number(acks),
          compression: s.compression,
        });
        const m = await sampled(broker, () =>
          rawProduce(conn, ctx.brokerApis, {
            topic: 'bench',
            size: s.size,
            count: n,
            acks: acks === 'all' ? -1 : Number(acks),
            compression: s.compression,
          }),
        );
        return [
          row({
            scenario,
            system: 'tributary',
            client: RAW_CLIENT,
            recordBytes: s.size,
            partitions: 1,
            acks,
            compression: s.compression,
            records: n,
            recordsPerSec: n / m.value,
            mbPerSec: (n * s.size) / m.value / 1e6,
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

function rawConsumeScenario(ctx: RunContext, s: Shape): Scenario {
  const scenario = `consume ${sizeLabel(s.size)} p1 ${s.compression}`;
  return {
    name: `${scenario} raw`,
    skip: () => brokerSkip(ctx, RAW_FETCH_APIS),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, s.size);
      const broker = await ctx.startBroker({ settings: brokerSettings(1) });
      const conn = await RawConnection.open('127.0.0.1', broker.port);
      try {
        await rawEnsureTopic(conn, ctx.brokerApis, 'bench', 1);
        await rawEnsureTopic(conn, ctx.brokerApis, 'warmup', 1);
        await rawProduce(conn, ctx.brokerApis, {
          topic: 'warmup',
          size: s.size,
          count: warmupCount(n),
          acks: 1,
          compression: s.compression,
        });
        await rawConsume(conn, ctx.brokerApis, { topic: 'warmup', count: warmupCount(n) });
        await rawProduce(conn, ctx.brokerApis, { topic: 'bench', size: s.size, count: n, acks: 1, compression: s.compression });
        const m = await sampled(broker, () => rawConsume(conn, ctx.brokerApis, { topic: 'bench', count: n }));
        if (m.value.records !== n) throw new Error(`consumed ${m.value.records} records, expected ${n}`);
        return [
          row({
            scenario,
            system: 'tributary',
            client: RAW_CLIENT,
            recordBytes: s.size,
            partitions: 1,
            compression: s.compression,
            records: n,
            recordsPerSec: n / m.value.seconds,
            mbPerSec: (n * s.size) / m.value.seconds / 1e6,
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

const brokerLine =
  'broker: `tributary start` child process, fresh per scenario, defaults (durability page-cache) + num.partitions=<parts>, log.dirs on a temp dir';

export const produceGroup: ScenarioGroup = {
  id: 'produce',
  title: 'produce throughput: Tributary, C load generator (kcat / librdkafka)',
  setup: (ctx) => [
    brokerLine,
    `client: ${ctx.tools.kcat?.version ?? 'kcat missing'}, kcat -P -l <file> -z <compression> -X acks=<acks> ${props(KCAT_PRODUCE_PROPS)}`,
    `records: ${SIZES.map((s) => `${recordCount(ctx, s).toLocaleString('en-US')} x ${s} B`).join(', ')} (JSON log lines, lz4 ratio ~3.7); topic created with <parts> partitions; librdkafka's sticky partitioner (unkeyed)`,
    `client raw (pre-encoded frames), 1 partition: the harness replays ${RAW_BATCH_BYTES / 1024} KiB (uncompressed) record batches, compressed and framed once in Produce v9 requests, ${RAW_WINDOW} requests in flight on one connection (the broker's ceiling without a client's cost)`,
    'warm-up: the same client first sends n/10 records (at least 10,000) to a "warmup" topic, untimed',
    "rec/s and MB/s (record values, 10^6 B) over the client's wall time (kcat: spawn to last ack); broker CPU% = broker process CPU over that time (100% = one core), RSS = peak",
  ],
  scenarios: (ctx) =>
    shapes(ctx).flatMap((s) =>
      (ctx.quick ? ['1'] : ['1', 'all']).flatMap((acks) => [
        produceScenario(ctx, s, acks),
        ...(s.partitions === 1 ? [rawProduceScenario(ctx, s, acks)] : []),
      ]),
    ),
};

export const consumeGroup: ScenarioGroup = {
  id: 'consume',
  title: 'consume throughput from the page cache: Tributary, kcat -C',
  setup: (ctx) => [
    brokerLine,
    `data produced untimed just before (kcat -P, acks=1, same compression), then: ${ctx.tools.kcat?.version ?? 'kcat missing'} kcat -C -o beginning -e ${props(KCAT_CONSUME_PROPS)} > /dev/null`,
    'client raw (pre-encoded frames), 1 partition, uncompressed only: the harness fetches from offset 0 with Fetch v12 (max.wait 100 ms, 16 MiB per partition), one request in flight, counting records from batch headers',
    'warm-up: the same client first produces and consumes n/10 records (at least 10,000) of a "warmup" topic, untimed',
    "rec/s over the client's wall time (kcat: spawn to end of every partition); record counts checked",
  ],
  // raw consume only for uncompressed data: it counts records from batch headers and would not decompress
  scenarios: (ctx) =>
    shapes(ctx).flatMap((s) => [
      consumeScenario(ctx, s),
      ...(s.partitions === 1 && s.compression === 'none' ? [rawConsumeScenario(ctx, s)] : []),
    ]),
};
