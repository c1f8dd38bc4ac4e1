// "transactions" group: what exactly-once costs a producer. @tributary/client writes 1 KiB records
// to a 1-partition topic in transactions of 100 records (beginTransaction, one send() of the 100,
// commitTransaction: AddPartitionsToTxn, the Produce, EndTxn and the COMMIT marker the
// coordinator writes), against the same client's idempotent producer (the default: acks=all,
// max 5 in flight) sending the same 100-record send() calls one after another, so the difference
// is the transaction itself. ONE `tributary start` child process serves both, which take turns
// round after round (a fresh topic each, the order alternating); each row is its best round (the
// note lists every round). The goal (issue 15): transactional at least 70% of idempotent.
import { recordValues, sizeLabel } from '../lib/shapes.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import type { Column } from '../lib/table.ts';
import { ratio } from '../lib/table.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const SIZE = 1024;
const PER_TXN = 100;
const ROUNDS = 5;
const MODES = ['idempotent', 'transactional'] as const;
type Mode = (typeof MODES)[number];

const scenarioName = (mode: Mode) => `${mode} produce ${sizeLabel(SIZE)} p1 ${PER_TXN}/send`;

async function transactions(ctx: RunContext): Promise<Row[]> {
  const { Kafka } = await import('@tributary/client');
  const n = ctx.quick ? 20_000 : 100_000;
  const values = recordValues(SIZE);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'bench-transactions' });
  const admin = kafka.admin();
  const idempotent = kafka.producer();
  const transactional = kafka.producer({ transactionalId: 'bench-transactions' });
  const rounds = new Map<Mode, Array<{ seconds: number; window: { cpuPct: number; peakRssMb: number } }>>(MODES.map((m) => [m, []]));
  const run = async (mode: Mode, topic: string, count: number) => {
    const t0 = performance.now();
    for (let sent = 0; sent < count; sent += PER_TXN) {
      const messages = [];
      for (let i = sent; i < Math.min(count, sent + PER_TXN); i++) messages.push({ value: values[i % values.length]! });
      if (mode === 'idempotent') {
        await idempotent.send({ topic, messages });
      } else {
        transactional.beginTransaction();
        await transactional.send({ topic, messages });
        await transactional.commitTransaction();
      }
    }
    return (performance.now() - t0) / 1000;
  };
  try {
    await transactional.initTransactions();
    for (const mode of MODES) {
      await admin.createTopics([{ name: `warmup-${mode}`, partitions: 1 }]);
      await run(mode, `warmup-${mode}`, n / 5);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of round % 2 ? MODES : [...MODES].reverse()) {
        const topic = `txn-${mode}-${round}`;
        await admin.createTopics([{ name: topic, partitions: 1 }]);
        const m = await sampled(broker, () => run(mode, topic, n));
        rounds.get(mode)!.push({ seconds: m.value, window: m.window });
      }
    }
  } finally {
    await idempotent.close().catch(() => {});
    await transactional.close().catch(() => {});
    await kafka.close();
  }
  return MODES.map((mode) => {
    const rs = rounds.get(mode)!;
    const best = rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    ctx.note(`${mode}: ${rs.map((r) => Math.round(n / r.seconds).toLocaleString('en-US')).join(', ')} records/s by round`);
    return row({
      scenario: scenarioName(mode),
      system: 'tributary',
      client: mode === 'idempotent' ? '@tributary/client idempotent' : `@tributary/client ${PER_TXN} records/transaction`,
      recordBytes: SIZE,
      partitions: 1,
      acks: 'all',
      compression: 'none',
      records: n,
      recordsPerSec: n / best.seconds,
      mbPerSec: (n * SIZE) / best.seconds / 1e6,
      brokerCpuPct: best.window.cpuPct,
      brokerRssMb: best.window.peakRssMb,
    });
  });
}

export const transactionsGroup: ScenarioGroup = {
  id: 'transactions',
  title: '@tributary/client transactional producer (100 records per transaction) vs idempotent',
  setup: () => [
    `broker: one \`tributary start\` child process, 1-partition topics, __transaction_state with its defaults (50 partitions, RF 1 on one broker); both producers take turns for ${ROUNDS} rounds (order alternating, a fresh topic each); rows show each one's best round, notes every round`,
    `producers: @tributary/client defaults (idempotent, acks=all), ${sizeLabel(SIZE)} values, no compression; send() of ${PER_TXN} messages awaited one after another; transactional: each send() inside beginTransaction/commitTransaction; after a warm-up of n/5 records each`,
  ],
  scenarios: (ctx): Scenario[] => [
    {
      name: 'transactions 1KiB',
      skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics, Api.InitProducerId, Api.EndTxn]),
      run: () => transactions(ctx),
    },
  ],
  columns: (rows: readonly Row[]): Column[] => [
    {
      title: 'txn / idempotent',
      right: true,
      value: (r: Row) => {
        if (!r.scenario.startsWith('transactional')) return null;
        const base = rows.find((x) => x.scenario === scenarioName('idempotent'));
        return base?.recordsPerSec && r.recordsPerSec ? ratio(r.recordsPerSec / base.recordsPerSec) : null;
      },
    },
  ],
};
