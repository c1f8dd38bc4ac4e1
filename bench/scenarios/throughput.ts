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
import { brokerSkip, createTopics, KCAT_APIS, timedConsume, timedProduce } from '../lib/tributary.ts';
import { row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

export interface Shape { size: number; partitions: number; compression: 'none' | 'lz4' | 'zstd' }

export function shapes(ctx: RunContext): Shape[] {
  const out: Shape[] = [];
  for (const size of SIZES) {
    for (const partitions of ctx.quick ? [1] : [1, 16]) {
      for (const compression of ctx.quick ? (['none'] as const) : (['none', 'lz4', 'zstd'] as const)) out.push({ size, partitions, compression });
    }
  }
  return out;
}

const shapeLabel = (s: Shape) => `${sizeLabel(s.size)} p${s.partitions} ${s.compression}`;
const props = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
export const brokerSettings = (partitions: number) => ({ 'num.partitions': partitions });

function produceScenario(ctx: RunContext, s: Shape, acks: string): Scenario {
  return {
    name: `produce ${sizeLabel(s.size)} p${s.partitions} acks=${acks} ${s.compression}`,
    skip: () => brokerSkip(ctx, KCAT_APIS, { kcat: true }),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, s.size);
      const file = await recordsFile(ctx.tmp, s.size, n);
      const broker = await ctx.startBroker({ settings: brokerSettings(s.partitions) });
      await createTopics(ctx, broker, [{ name: 'bench', partitions: s.partitions }]);
      const m = await timedProduce(ctx, broker, { topic: 'bench', file, acks, compression: s.compression });
      return [row({
        scenario: `produce ${sizeLabel(s.size)} p${s.partitions} acks=${acks} ${s.compression}`, system: 'tributary', client: 'kcat -P',
        recordBytes: s.size, partitions: s.partitions, acks, compression: s.compression, records: n,
        recordsPerSec: n / m.value, mbPerSec: (n * s.size) / m.value / 1e6, brokerCpuPct: m.window.cpuPct, brokerRssMb: m.window.peakRssMb,
      })];
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
      await createTopics(ctx, broker, [{ name: 'bench', partitions: s.partitions }]);
      await timedProduce(ctx, broker, { topic: 'bench', file, acks: '1', compression: s.compression });
      const m = await timedConsume(ctx, broker, 'bench', n);
      return [row({
        scenario: `consume ${sizeLabel(s.size)} p${s.partitions} ${s.compression}`, system: 'tributary', client: 'kcat -C',
        recordBytes: s.size, partitions: s.partitions, compression: s.compression, records: n,
        recordsPerSec: n / m.value, mbPerSec: (n * s.size) / m.value / 1e6, brokerCpuPct: m.window.cpuPct, brokerRssMb: m.window.peakRssMb,
      })];
    },
  };
}

const brokerLine = 'broker: `tributary start` child process, fresh per scenario, defaults (durability page-cache) + num.partitions=<parts>, log.dirs on a temp dir';

export const produceGroup: ScenarioGroup = {
  id: 'produce',
  title: 'produce throughput: Tributary, C load generator (kcat / librdkafka)',
  setup: (ctx) => [
    brokerLine,
    `client: ${ctx.tools.kcat?.version ?? 'kcat missing'}, kcat -P -l <file> -z <compression> -X acks=<acks> ${props(KCAT_PRODUCE_PROPS)}`,
    `records: ${SIZES.map((s) => `${recordCount(ctx, s).toLocaleString('en-US')} x ${s} B`).join(', ')} (JSON log lines, lz4 ratio ~3.7); topic created with <parts> partitions; librdkafka's sticky partitioner (unkeyed)`,
    'rec/s and MB/s (record values, 10^6 B) over kcat\'s wall time, spawn to last ack; broker CPU% = broker process CPU over that time (100% = one core), RSS = peak',
  ],
  scenarios: (ctx) => shapes(ctx).flatMap((s) => (ctx.quick ? ['1'] : ['1', 'all']).map((acks) => produceScenario(ctx, s, acks))),
};

export const consumeGroup: ScenarioGroup = {
  id: 'consume',
  title: 'consume throughput from the page cache: Tributary, kcat -C',
  setup: (ctx) => [
    brokerLine,
    `data produced untimed just before (kcat -P, acks=1, same compression), then: ${ctx.tools.kcat?.version ?? 'kcat missing'} kcat -C -o beginning -e ${props(KCAT_CONSUME_PROPS)} > /dev/null`,
    'rec/s over kcat -C\'s wall time, spawn to end of every partition; records checked against the end offsets kcat reports',
  ],
  scenarios: (ctx) => shapes(ctx).map((s) => consumeScenario(ctx, s)),
};
