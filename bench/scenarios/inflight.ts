// "inflight" group: the idempotent producer of @tributary/client (acks=all, the default since
// idempotence is on by default) with max.in.flight 1 against 5 per broker connection, on one
// broker and a 1-partition topic, so the whole difference is how many batches of that partition
// may be out at once. Per record size and batch.size (Java's 16 KiB, where each request is small
// and waiting for its answer costs most, and the client's default 1 MiB), ONE `tributary start`
// child process serves both settings, which take turns round after round (a fresh topic each;
// the order alternates), and each row is the setting's best round (the note lists every round).
// Load: send() of 1,000 messages per call, 4 calls in flight, no compression, after a warm-up
// (n/5 records, each producer once); wall time from the first send to the last acknowledgement.
import { recordCount, recordValues, sizeLabel, SIZES } from '../lib/shapes.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import { warmupCount } from './throughput.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const PER_SEND = 1000;
const SENDS_IN_FLIGHT = 4;
const ROUNDS = 5;
const IN_FLIGHT = [1, 5] as const;
const BATCH_SIZES = [16384, 1048576] as const;

const batchLabel = (b: number) => (b >= 1048576 ? `${b / 1048576}MiB` : `${b / 1024}KiB`);

async function inflight(ctx: RunContext, size: number, batchSize: number): Promise<Row[]> {
  const { Kafka } = await import('@tributary/client');
  const n = recordCount(ctx, size);
  const values = recordValues(size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'bench-inflight' });
  const admin = kafka.admin();
  const producers = IN_FLIGHT.map((maxInFlight) => ({ maxInFlight, p: kafka.producer({ maxInFlight, batchSize }) }));
  const rounds = new Map<number, Array<{ seconds: number; window: { cpuPct: number; peakRssMb: number } }>>(IN_FLIGHT.map((m) => [m, []]));
  const sendAll = async (p: (typeof producers)[number]['p'], topic: string, count: number) => {
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const start = next;
        const end = Math.min(count, start + PER_SEND);
        next = end;
        const messages = [];
        for (let i = start; i < end; i++) messages.push({ value: values[i % values.length]! });
        await p.send({ topic, messages });
      }
    };
    await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, worker));
    return (performance.now() - t0) / 1000;
  };
  try {
    for (const { maxInFlight, p } of producers) {
      await admin.createTopics([{ name: `warmup-${maxInFlight}`, partitions: 1 }]);
      await sendAll(p, `warmup-${maxInFlight}`, warmupCount(n));
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const { maxInFlight, p } of round % 2 ? producers : [...producers].reverse()) {
        const topic = `inflight-${maxInFlight}-${round}`;
        await admin.createTopics([{ name: topic, partitions: 1 }]);
        const m = await sampled(broker, () => sendAll(p, topic, n));
        rounds.get(maxInFlight)!.push({ seconds: m.value, window: m.window });
      }
    }
  } finally {
    for (const { p } of producers) await p.close().catch(() => {});
    await kafka.close();
  }
  return IN_FLIGHT.map((maxInFlight) => {
    const rs = rounds.get(maxInFlight)!;
    const best = rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    ctx.note(
      `${sizeLabel(size)} batchSize ${batchLabel(batchSize)} maxInFlight ${maxInFlight}: ${rs.map((r) => Math.round(n / r.seconds).toLocaleString('en-US')).join(', ')} records/s by round`,
    );
    return row({
      scenario: `idempotent produce ${sizeLabel(size)} p1 acks=all batch ${batchLabel(batchSize)}`,
      system: 'tributary',
      client: `@tributary/client maxInFlight=${maxInFlight}`,
      recordBytes: size,
      partitions: 1,
      acks: 'all',
      compression: 'none',
      records: n,
      recordsPerSec: n / best.seconds,
      mbPerSec: (n * size) / best.seconds / 1e6,
      brokerCpuPct: best.window.cpuPct,
      brokerRssMb: best.window.peakRssMb,
    });
  });
}

export const inflightGroup: ScenarioGroup = {
  id: 'inflight',
  title: '@tributary/client idempotent producer: max.in.flight 1 vs 5',
  setup: () => [
    `broker: one \`tributary start\` child process per scenario, 1-partition topics; both settings take turns for ${ROUNDS} rounds (order alternating, a fresh topic each); rows show each setting's best round, notes every round`,
    `producer: idempotent (the default), acks=all, lingerMs 0, no compression, maxInFlight 1 or 5, batchSize 16 KiB (Java's default) or 1 MiB (ours); send() of ${PER_SEND.toLocaleString('en-US')} messages per call, ${SENDS_IN_FLIGHT} calls in flight, after a warm-up of n/5 records per producer`,
  ],
  scenarios: (ctx): Scenario[] =>
    SIZES.flatMap((size) =>
      BATCH_SIZES.map(
        (batchSize): Scenario => ({
          name: `inflight ${sizeLabel(size)} batch ${batchLabel(batchSize)}`,
          skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics]),
          run: () => inflight(ctx, size, batchSize),
        }),
      ),
    ),
};
