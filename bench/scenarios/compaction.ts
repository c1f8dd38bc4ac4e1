// "compaction" group: what the log cleaner costs and how fast it works. Each phase starts its own
// `tributary start` child process and fills a compacted 1-partition topic `table` with dirty data
// (1 KiB values, KEYS keys, every key written VERSIONS times, round-major) while
// min.compaction.lag.ms holds the cleaner off; then min.compaction.lag.ms goes to 0
// (IncrementalAlterConfigs) and the cleaner starts (log.cleaner.backoff.ms 100):
//   - idle: nothing else runs; the row is the cleaner's throughput (MB of dirty log per second,
//     from the alter until the partition holds one segment group of latest values on disk);
//   - under load: @tributary/client produces 1 KiB records to another topic (100 per send(), 8
//     in flight, acks=all) for as long as the clean lasts; rows: the clean's MB/s, and the
//     producer's throughput and send() latency percentiles;
//   - cleaner off: a broker with log.cleaner.enable=false, the same fill and alter, the same
//     producer for the same duration: the baseline the "under load" producer is compared with.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { recordValues } from '../lib/shapes.ts';
import { latencySummary } from '../lib/stats.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import type { BrokerProcess } from '../lib/broker-process.ts';
import { ratio, type Column } from '../lib/table.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const SIZE = 1024;
const KEYS = 10_000;
const PER_SEND = 100;
const IN_FLIGHT = 8;
const SEGMENT_BYTES = 16 * 1024 * 1024;
const TABLE = 'table';
const versions = (ctx: RunContext) => (ctx.quick ? 2 : 20);

type Client = InstanceType<typeof import('@tributary/client')['Kafka']>;

/** Bytes of the partition's segment files, and whether a swap is under way. */
function onDisk(dataDir: string, topic: string): { bytes: number; segments: number; swapping: boolean } {
  const dir = join(dataDir, `${topic}-0`);
  let bytes = 0;
  let segments = 0;
  let swapping = false;
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.log')) {
      // the cleaner may delete a segment between the listing and the stat: it no longer counts
      const st = statSync(join(dir, f), { throwIfNoEntry: false });
      if (st === undefined) continue;
      bytes += st.size;
      segments++;
    }
    if (f.endsWith('.cleaned') || f.endsWith('.swap')) swapping = true;
  }
  return { bytes, segments, swapping };
}

/** Sends batches of PER_SEND records, IN_FLIGHT at a time, until `until()` is true; send() latencies in ms. */
async function produceWhile(
  kafka: Client,
  topic: string,
  until: () => boolean,
): Promise<{ records: number; seconds: number; latencies: number[] }> {
  const producer = kafka.producer();
  const values = recordValues(SIZE);
  const latencies: number[] = [];
  let records = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (!until()) {
      const messages = [];
      for (let i = 0; i < PER_SEND; i++) messages.push({ value: values[(records + i) % values.length]!, partition: 0 });
      const s = performance.now();
      await producer.send({ topic, messages });
      latencies.push(performance.now() - s);
      records += PER_SEND;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - t0) / 1000;
  await producer.close();
  return { records, seconds, latencies };
}

/** A broker with `table` filled with dirty keyed data, the cleaner held off by min.compaction.lag.ms. */
async function filledBroker(ctx: RunContext, cleaner: boolean): Promise<{ broker: BrokerProcess; kafka: Client; dirtyBytes: number }> {
  const { Kafka } = await import('@tributary/client');
  const broker = await ctx.startBroker({
    settings: { 'num.partitions': 1, 'log.cleaner.enable': cleaner, 'log.cleaner.backoff.ms': 100 },
  });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'bench-compaction' });
  const admin = kafka.admin();
  await admin.createTopics([
    {
      name: TABLE,
      partitions: 1,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(SEGMENT_BYTES), 'min.compaction.lag.ms': '86400000' },
    },
    { name: 'load', partitions: 1 },
  ]);
  const producer = kafka.producer();
  const values = recordValues(SIZE);
  const total = KEYS * versions(ctx);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const from = next;
      next += PER_SEND;
      const messages = [];
      for (let i = from; i < Math.min(total, from + PER_SEND); i++)
        messages.push({ key: `key-${i % KEYS}`, value: values[i % values.length]!, partition: 0 });
      await producer.send({ topic: TABLE, messages });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await producer.close();
  return { broker, kafka, dirtyBytes: onDisk(broker.dataDir, TABLE).bytes };
}

/**
 * Lets the cleaner at `table`. The returned function answers the seconds the clean took once the
 * partition is compacted on disk, null before; it throws once `timeoutMs` passed without that.
 */
async function releaseCleaner(kafka: Client, broker: BrokerProcess, timeoutMs: number): Promise<() => number | null> {
  await kafka.admin().alterConfigs({ type: 'topic', name: TABLE }, { 'min.compaction.lag.ms': '0' });
  const t0 = performance.now();
  // compacted: every key once (KEYS values) plus at most the active segment, no swap in progress
  const target = KEYS * (SIZE + 100) + SEGMENT_BYTES;
  let done: number | null = null;
  const poll = setInterval(() => {
    const d = onDisk(broker.dataDir, TABLE);
    if (!d.swapping && d.bytes <= target) {
      done = (performance.now() - t0) / 1000;
      clearInterval(poll);
    } else if (performance.now() - t0 > timeoutMs) clearInterval(poll);
  }, 20);
  return () => {
    if (done === null && performance.now() - t0 > timeoutMs) throw new Error(`the cleaner did not compact ${TABLE} within ${timeoutMs} ms`);
    return done;
  };
}

async function compaction(ctx: RunContext): Promise<Row[]> {
  const out: Row[] = [];
  const dirtyRecords = KEYS * versions(ctx);
  const cleanRow = (scenario: string, dirtyBytes: number, seconds: number, window: { cpuPct: number; peakRssMb: number }) =>
    row({
      scenario,
      system: 'tributary',
      client: 'log cleaner',
      recordBytes: SIZE,
      partitions: 1,
      records: dirtyRecords,
      recordsPerSec: dirtyRecords / seconds,
      mbPerSec: dirtyBytes / seconds / 1e6,
      brokerCpuPct: window.cpuPct,
      brokerRssMb: window.peakRssMb,
    });

  // 1. the cleaner alone
  {
    const { broker, kafka, dirtyBytes } = await filledBroker(ctx, true);
    const m = await sampled(broker, async () => {
      const done = await releaseCleaner(kafka, broker, 600_000);
      for (;;) {
        const s = done();
        if (s !== null) return s;
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    ctx.note(
      `idle clean: ${(dirtyBytes / 1e6).toFixed(1)} MB dirty -> ${(onDisk(broker.dataDir, TABLE).bytes / 1e6).toFixed(1)} MB in ${m.value.toFixed(2)} s`,
    );
    out.push(cleanRow('compaction clean 1KiB idle', dirtyBytes, m.value, m.window));
    await kafka.close();
    await broker.stop();
  }

  // 2. the cleaner while a producer runs; 3. the same producer, cleaner off, same duration
  let loadSeconds = 0;
  for (const cleaner of [true, false]) {
    const { broker, kafka, dirtyBytes } = await filledBroker(ctx, cleaner);
    const m = await sampled(broker, async () => {
      const done = await releaseCleaner(kafka, broker, 600_000);
      const t0 = performance.now();
      const until = cleaner ? () => done() !== null : () => (performance.now() - t0) / 1000 >= loadSeconds;
      const load = await produceWhile(kafka, 'load', until);
      return { load, cleanSeconds: cleaner ? done()! : null };
    });
    if (cleaner) {
      loadSeconds = m.value.cleanSeconds!;
      out.push(cleanRow('compaction clean 1KiB under produce load', dirtyBytes, m.value.cleanSeconds!, m.window));
    }
    const { records, seconds, latencies } = m.value.load;
    out.push(
      row({
        scenario: `compaction produce 1KiB p1 cleaner ${cleaner ? 'on' : 'off'}`,
        system: 'tributary',
        client: `@tributary/client ${PER_SEND}/send x${IN_FLIGHT}`,
        recordBytes: SIZE,
        partitions: 1,
        acks: 'all',
        compression: 'none',
        records,
        recordsPerSec: records / seconds,
        mbPerSec: (records * SIZE) / seconds / 1e6,
        ...latencySummary(latencies),
        brokerCpuPct: m.window.cpuPct,
        brokerRssMb: m.window.peakRssMb,
      }),
    );
    await kafka.close();
    await broker.stop();
  }
  return out;
}

export const compactionGroup: ScenarioGroup = {
  id: 'compaction',
  title: 'log cleaner: throughput, and produce while it cleans vs with the cleaner off',
  setup: (ctx) => [
    `broker: a fresh \`tributary start\` child process per phase; topic \`table\`: cleanup.policy=compact, segment.bytes=${SEGMENT_BYTES}, filled by @tributary/client with ${KEYS.toLocaleString('en-US')} keys x ${versions(ctx)} versions of 1 KiB values while min.compaction.lag.ms=1 day holds the cleaner off; then min.compaction.lag.ms=0 (log.cleaner.backoff.ms=100, other log.cleaner.* at Kafka's defaults: 1 thread, 128 MiB dedupe buffer, no I/O throttle)`,
    `clean MB/s: bytes of dirty segments on disk / seconds from the config change until the partition is compacted on disk (at most ${KEYS.toLocaleString('en-US')} latest values plus one segment, no .cleaned/.swap left); "under produce load" while the producer below runs`,
    `producer: @tributary/client defaults (idempotent, acks=all), 1 KiB values to another 1-partition topic, send() of ${PER_SEND} messages, ${IN_FLIGHT} in flight; latency columns are per send(); "cleaner on" runs while the cleaner works, "cleaner off" (log.cleaner.enable=false) for the same duration`,
  ],
  scenarios: (ctx): Scenario[] => [
    {
      name: 'compaction 1KiB',
      skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics]),
      run: () => compaction(ctx),
    },
  ],
  columns: (rows: readonly Row[]): Column[] => [
    {
      title: 'vs cleaner off',
      right: true,
      value: (r: Row) => {
        if (r.scenario !== 'compaction produce 1KiB p1 cleaner on') return null;
        const base = rows.find((x) => x.scenario === 'compaction produce 1KiB p1 cleaner off');
        return base?.recordsPerSec && r.recordsPerSec ? ratio(r.recordsPerSec / base.recordsPerSec) : null;
      },
    },
  ],
};
