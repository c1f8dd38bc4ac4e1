// "durable" group: produce acknowledged only once on disk — the broker's
// `tributary.durability=fsync` mode (the partition log is fsynced before acks=1/all produces are
// answered; concurrent produces share one fsync: group commit). Same load generator and records as
// the produce group, 1 partition, no compression. Compare with the produce group's page-cache rows.
import { KCAT_PRODUCE_PROPS } from '../lib/kcat.ts';
import { recordsFile } from '../lib/records.ts';
import { recordCount, sizeLabel, SIZES } from '../lib/shapes.ts';
import { brokerKnowsSetting } from '../lib/broker-settings.ts';
import { brokerSkip, createTopics, KCAT_PRODUCE_APIS, timedProduce } from '../lib/tributary.ts';
import { warmupCount } from './throughput.ts';
import { row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

function durableScenario(ctx: RunContext, size: number, acks: string): Scenario {
  const scenario = `durable produce ${sizeLabel(size)} p1 acks=${acks} none`;
  return {
    name: scenario,
    skip: () =>
      brokerSkip(ctx, KCAT_PRODUCE_APIS, { kcat: true }) ??
      (brokerKnowsSetting(ctx.root, 'tributary.durability') ? null : 'the broker has no tributary.durability setting yet'),
    async run(): Promise<Row[]> {
      const n = recordCount(ctx, size);
      const file = await recordsFile(ctx.tmp, size, n);
      const broker = await ctx.startBroker({ settings: { 'num.partitions': 1, 'tributary.durability': 'fsync' } });
      await createTopics(ctx, broker, [
        { name: 'bench', partitions: 1 },
        { name: 'warmup', partitions: 1 },
      ]);
      await timedProduce(ctx, broker, {
        topic: 'warmup',
        file: await recordsFile(ctx.tmp, size, warmupCount(n)),
        acks,
        compression: 'none',
      });
      const m = await timedProduce(ctx, broker, { topic: 'bench', file, acks, compression: 'none' });
      return [
        row({
          scenario,
          system: 'tributary',
          client: 'kcat -P',
          recordBytes: size,
          partitions: 1,
          acks,
          compression: 'none',
          records: n,
          recordsPerSec: n / m.value,
          mbPerSec: (n * size) / m.value / 1e6,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: m.window.peakRssMb,
        }),
      ];
    },
  };
}

export const durableGroup: ScenarioGroup = {
  id: 'durable',
  title: 'durable produce: acknowledged once fsynced (tributary.durability=fsync, group commit)',
  setup: (ctx) => [
    'broker: `tributary start --override tributary.durability=fsync --override num.partitions=1`, fresh per scenario; disk: virtio ext4 (fdatasync ~0.2 ms here: a host cache, not media)',
    `client: ${ctx.tools.kcat?.version ?? 'kcat missing'}, kcat -P, ${Object.entries(KCAT_PRODUCE_PROPS)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    `records: ${SIZES.map((s) => `${recordCount(ctx, s).toLocaleString('en-US')} x ${s} B`).join(', ')}, 1 partition, no compression; warm-up as in the produce group`,
  ],
  scenarios: (ctx) =>
    SIZES.flatMap((size) => (ctx.quick ? ['all'] : ['1', 'all']).map((acks) => durableScenario(ctx, size, acks))).filter(
      (s, i) => !ctx.quick || i === 1,
    ),
};
