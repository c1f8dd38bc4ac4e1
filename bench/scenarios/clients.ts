// "clients" group: three Node.js Kafka clients against the same broker with the same records
// (100 B and 1 KiB values from shapes.ts): @tributary/client (ours), KafkaJS and
// @platformatic/kafka. Per record size and measurement, ONE `tributary start` child process serves
// every client, and the clients take turns, round after round (ROUNDS; each round a fresh
// topic; the turn order rotates each round, so no client always follows the same one, or goes
// first with a cold broker), so a load spike on this shared machine hits them alike; each
// client's row is its best round (the note lists every round).
//   produce throughput: send() of 1,000 messages per call, 4 calls in flight, acks=1, no
//     compression; each client warms up first (n/5 records to another topic); wall time from the
//     first send to the last acknowledgement. Rows are named like the produce group's
//     ("produce 100B p1 acks=1 none") so goals and peer ratios can use them.
//   produce latency: single-record send() calls at a fixed rate (open loop, a tick every 5 ms),
//     acks=1, after 1 s untimed; each send's time from the call to its acknowledgement, as
//     p50/p99/p99.9 (best round = lowest p99).
//   consume throughput: one topic filled untimed by the raw generator; each client reads it from
//     offset 0 to the end in a new consumer group per round (KafkaJS and @platformatic/kafka consume
//     only through groups; group.initial.rebalance.delay.ms=0, join included), ours also by
//     assign() without a group; wall time until every record was handed to the application. Each
//     loop touches every record's value (sums value.length, checked against count x size).
// Client settings are each library's defaults except acks=1 (ours: batchSize 1 MiB, lingerMs 0,
// so it sends at once like KafkaJS and @platformatic/kafka) and @platformatic/kafka's consumer
// maxBytesPerPartition 1 MiB (Java's and KafkaJS's default; its own is maxBytes, 50 MB, which
// halves its throughput here); @platformatic/kafka 2.x on Node 20 needs Promise.withResolvers
// (polyfilled below).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { recordCount, recordValues, sizeLabel, SIZES } from '../lib/shapes.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import { latencySummary } from '../lib/stats.ts';
import { RawConnection } from '../lib/raw-client.ts';
import { rawEnsureTopic, rawProduce } from '../lib/raw-load.ts';
import type { Column } from '../lib/table.ts';
import { ratio } from '../lib/table.ts';
import { warmupCount } from './throughput.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const TOPIC = 'bench';
const WARMUP_TOPIC = 'warmup';
const PER_SEND = 1000;
const SENDS_IN_FLIGHT = 4;
const LATENCY_TICK_MS = 5;

/** An installed package's version (read from its package.json: not every package exports it). */
const versionOf = (pkg: string): string | null => {
  try {
    const entry = createRequire(import.meta.url).resolve(pkg);
    const dir = entry.slice(0, entry.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}`.length);
    return (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
};

function polyfillWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** One client library, reduced to what the scenarios drive. */
interface Driver {
  id: 'tributary' | 'kafkajs' | 'platformatic';
  label: string;
  version(): string | null;
  /** A producer with acks=1; `send` resolves when the broker acknowledged the messages. */
  producer(
    bootstrap: string,
    mode: 'throughput' | 'latency',
  ): Promise<{ send(values: Buffer[], topic?: string): Promise<unknown>; close(): Promise<void> }>;
  /**
   * Reads `count` records of `topic` from offset 0; resolves when all were handed to the
   * application. Every client's loop touches each record's value (sums `value.length`, checked
   * against count x size by `checkValues`), so no client wins by never materialising records.
   */
  consume(bootstrap: string, topic: string, count: number, size: number, how: 'group' | 'assign', groupId: string): Promise<void>;
}

/** The consume loops' proof of work: every record seen, every value of the expected size. */
function checkValues(label: string, seen: number, valueBytes: number, count: number, size: number): void {
  if (seen !== count || valueBytes !== count * size) {
    throw new Error(`${label} consumed ${seen} records with ${valueBytes} value bytes; expected ${count} records, ${count * size} bytes`);
  }
}

const tributaryDriver: Driver = {
  id: 'tributary',
  label: '@tributary/client',
  version: () => 'workspace',
  async producer(bootstrap) {
    const { Kafka } = await import('@tributary/client');
    const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'bench' });
    // the library's defaults (batchSize 1 MiB, lingerMs 0) for both measurements
    const p = kafka.producer({ acks: 1, idempotent: false });
    return {
      send: (values, topic = TOPIC) => p.send({ topic, messages: values.map((value) => ({ value })) }),
      close: async () => {
        await p.close();
        await kafka.close();
      },
    };
  },
  async consume(bootstrap, topic, count, size, how, groupId) {
    const { Kafka } = await import('@tributary/client');
    const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'bench' });
    const consumer = kafka.consumer(
      how === 'group' ? { groupId, autoOffsetReset: 'earliest', autoCommit: false } : { autoOffsetReset: 'earliest' },
    );
    try {
      if (how === 'group') await consumer.subscribe([topic]);
      else consumer.assign([{ topic, partition: 0 }]);
      let seen = 0;
      let valueBytes = 0;
      for await (const b of consumer.batches()) {
        for (const r of b.records) valueBytes += r.value!.length;
        seen += b.records.length;
        if (seen >= count) break;
      }
      checkValues('@tributary/client', seen, valueBytes, count, size);
    } finally {
      await consumer.close();
      await kafka.close();
    }
  },
};

const kafkajsDriver: Driver = {
  id: 'kafkajs',
  label: 'kafkajs',
  version: () => versionOf('kafkajs'),
  async producer(bootstrap) {
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const p = kafka.producer({ allowAutoTopicCreation: false });
    await p.connect();
    return {
      send: (values, topic = TOPIC) => p.send({ topic, acks: 1, messages: values.map((value) => ({ value })) }),
      close: () => p.disconnect(),
    };
  },
  async consume(bootstrap, topic, count, size, _how, groupId) {
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const c = kafka.consumer({ groupId });
    await c.connect();
    try {
      await c.subscribe({ topic, fromBeginning: true });
      let seen = 0;
      let valueBytes = 0;
      await new Promise<void>((resolve, reject) => {
        c.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (seen >= count) return; // a batch after the last one, before disconnect
            for (const m of batch.messages) valueBytes += m.value!.length;
            seen += batch.messages.length;
            if (seen >= count) resolve();
          },
        }).catch(reject);
      });
      checkValues('kafkajs', seen, valueBytes, count, size);
    } finally {
      await c.disconnect();
    }
  },
};

const platformaticDriver: Driver = {
  id: 'platformatic',
  label: '@platformatic/kafka',
  version: () => versionOf('@platformatic/kafka'),
  async producer(bootstrap) {
    polyfillWithResolvers();
    const { Producer } = await import('@platformatic/kafka');
    const p = new Producer({ clientId: 'bench', bootstrapBrokers: [bootstrap], acks: 1, autocreateTopics: false });
    return {
      send: (values, topic = TOPIC) => p.send({ messages: values.map((value) => ({ topic, value })) }),
      close: () => p.close(),
    };
  },
  async consume(bootstrap, topic, count, size, _how, groupId) {
    polyfillWithResolvers();
    const { Consumer } = await import('@platformatic/kafka');
    // maxBytesPerPartition defaults to maxBytes (50 MB) here; 1 MiB as Java's and KafkaJS's defaults (twice as fast)
    const c = new Consumer({ clientId: 'bench', groupId, bootstrapBrokers: [bootstrap], maxBytesPerPartition: 1_048_576 });
    try {
      const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      let seen = 0;
      let valueBytes = 0;
      for await (const m of stream) {
        valueBytes += (m.value as Buffer).length;
        if (++seen >= count) break;
      }
      await stream.close();
      checkValues('@platformatic/kafka', seen, valueBytes, count, size);
    } finally {
      await c.close(true);
    }
  },
};

const DRIVERS: Driver[] = [tributaryDriver, kafkajsDriver, platformaticDriver];

const clientLabel = (d: Driver, what: string) => `${d.label}${d.id === 'tributary' ? '' : ` ${d.version()}`} ${what}`;

/** Rounds per measurement (2 keeps the full run inside its 10-minute budget). */
const ROUNDS = (_ctx: RunContext) => 3;

/** The clients' turn order in round `round` (from 1): the list rotated by round - 1. */
function turnOrder<T>(items: readonly T[], round: number): T[] {
  const k = (round - 1) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** CPU time (user + system, µs) this process spent since `from`: the client's own cost, whatever the broker and machine load do. */
const cpuMicros = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return d.user + d.system;
};

/** Topics for the harness itself, created through our admin client while nobody measures (never deleted: KafkaJS producers fail on a known topic that disappeared). */
async function harnessAdmin(bootstrap: string) {
  const { Kafka } = await import('@tributary/client');
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'bench-harness' });
  const admin = kafka.admin();
  return {
    create: (name: string) => admin.createTopics([{ name, partitions: 1, replicationFactor: 1 }]),
    close: () => kafka.close(),
  };
}

interface Round<T> {
  driver: Driver;
  round: number;
  value: T;
  window: { cpuPct: number; peakRssMb: number };
}

/** Runs `measure` for every driver, round after round, on one broker; all rounds per driver. */
async function interleaved<T>(
  ctx: RunContext,
  drivers: Driver[],
  measure: (d: Driver, round: number) => Promise<{ value: T; window: { cpuPct: number; peakRssMb: number } }>,
): Promise<Map<Driver, Round<T>[]>> {
  const out = new Map<Driver, Round<T>[]>(drivers.map((d) => [d, []]));
  for (let round = 1; round <= ROUNDS(ctx); round++) {
    for (const d of turnOrder(drivers, round)) {
      const m = await measure(d, round);
      out.get(d)!.push({ driver: d, round, ...m });
    }
  }
  return out;
}

const available = (ctx: RunContext, apis: number[]) => DRIVERS.filter((d) => d.version() && !brokerSkip(ctx, apis));

async function produceThroughput(ctx: RunContext, size: number): Promise<Row[]> {
  const n = recordCount(ctx, size);
  const values = recordValues(size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const topics = await harnessAdmin(broker.bootstrap);
  const drivers = available(ctx, [Api.Produce, Api.Metadata]);
  const producers = new Map<Driver, Awaited<ReturnType<Driver['producer']>>>();
  const cpuPerRecord = new Map<Driver, number[]>(drivers.map((d) => [d, []]));
  try {
    const sendAll = async (p: Awaited<ReturnType<Driver['producer']>>, topic: string, count: number) => {
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const start = next;
          const end = Math.min(count, start + PER_SEND);
          next = end;
          const batch: Buffer[] = [];
          for (let i = start; i < end; i++) batch.push(values[i % values.length]!);
          await p.send(batch, topic);
        }
      };
      await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, worker));
      return (performance.now() - t0) / 1000;
    };
    const rounds = await interleaved(ctx, drivers, async (d, round) => {
      let p = producers.get(d);
      const topic = `produce-${d.id}-${round}`;
      await topics.create(topic);
      if (!p) {
        p = await d.producer(broker.bootstrap, 'throughput');
        producers.set(d, p);
        await topics.create(`${WARMUP_TOPIC}-${d.id}`);
        await sendAll(p, `${WARMUP_TOPIC}-${d.id}`, warmupCount(n)); // JIT and connections warm
      }
      const cpu0 = process.cpuUsage();
      const m = await sampled(broker, () => sendAll(p!, topic, n));
      cpuPerRecord.get(d)!.push(cpuMicros(cpu0) / n);
      return m;
    });
    return [...rounds].map(([d, rs]) => {
      const best = rs.reduce((a, b) => (b.value < a.value ? b : a));
      ctx.note(
        `produce ${sizeLabel(size)} ${d.label}: ${rs.map((r) => Math.round(n / r.value).toLocaleString('en-US')).join(', ')} records/s by round; client CPU ${cpuPerRecord
          .get(d)!
          .map((x) => x.toFixed(2))
          .join(', ')} µs/record`,
      );
      return row({
        scenario: `produce ${sizeLabel(size)} p1 acks=1 none`,
        system: 'tributary',
        client: clientLabel(d, `send(${PER_SEND} msgs) x${SENDS_IN_FLIGHT}`),
        recordBytes: size,
        partitions: 1,
        acks: '1',
        compression: 'none',
        records: n,
        recordsPerSec: n / best.value,
        mbPerSec: (n * size) / best.value / 1e6,
        brokerCpuPct: best.window.cpuPct,
        brokerRssMb: best.window.peakRssMb,
      });
    });
  } finally {
    for (const p of producers.values()) await p.close().catch(() => {});
    await topics.close();
  }
}

/** Records per second of the latency scenario, and how long it runs. */
const latencyRate = (ctx: RunContext) => (ctx.quick ? 2_000 : 5_000);
const latencySeconds = (ctx: RunContext) => (ctx.quick ? 2 : 5);

/** Single-record sends at `rate` per second (open loop, a tick every few ms); each send's latency in ms. */
function openLoop(
  p: { send(values: Buffer[], topic?: string): Promise<unknown> },
  topic: string,
  n: number,
  rate: number,
  values: Buffer[],
): Promise<Float64Array> {
  const samples = new Float64Array(n);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let sent = 0;
    let done = 0;
    const tick = () => {
      // catch up to where the schedule says we should be
      const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      while (sent < due) {
        const i = sent++;
        const start = performance.now();
        p.send([values[i % values.length]!], topic).then(() => {
          samples[i] = performance.now() - start;
          if (++done === n) resolve(samples);
        }, reject);
      }
      if (sent < n) setTimeout(tick, LATENCY_TICK_MS);
    };
    tick();
  });
}

async function produceLatency(ctx: RunContext, size: number): Promise<Row[]> {
  const rate = latencyRate(ctx);
  const n = rate * latencySeconds(ctx);
  const values = recordValues(size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const topics = await harnessAdmin(broker.bootstrap);
  const drivers = available(ctx, [Api.Produce, Api.Metadata]);
  const producers = new Map<Driver, Awaited<ReturnType<Driver['producer']>>>();
  try {
    const rounds = await interleaved(ctx, drivers, async (d, round) => {
      const topic = `latency-${d.id}-${round}`;
      await topics.create(topic);
      let p = producers.get(d);
      if (!p) {
        p = await d.producer(broker.bootstrap, 'latency');
        producers.set(d, p);
        await topics.create(`${WARMUP_TOPIC}-${d.id}`);
        await openLoop(p, `${WARMUP_TOPIC}-${d.id}`, rate, rate, values); // 1 s untimed: connections, metadata, JIT
      }
      const m = await sampled(broker, async () => latencySummary(await openLoop(p!, topic, n, rate, values)));
      return m;
    });
    return [...rounds].map(([d, rs]) => {
      const best = rs.reduce((a, b) => (b.value.p99Ms < a.value.p99Ms ? b : a));
      ctx.note(`latency ${sizeLabel(size)} ${d.label}: p99 ${rs.map((r) => r.value.p99Ms.toFixed(2)).join(', ')} ms by round`);
      return row({
        scenario: `produce latency ${sizeLabel(size)} p1 acks=1 @ ${rate.toLocaleString('en-US')}/s`,
        system: 'tributary',
        client: clientLabel(d, 'send(1 msg)'),
        recordBytes: size,
        partitions: 1,
        acks: '1',
        compression: 'none',
        records: n,
        recordsPerSec: rate,
        ...best.value,
        brokerCpuPct: best.window.cpuPct,
        brokerRssMb: best.window.peakRssMb,
      });
    });
  } finally {
    for (const p of producers.values()) await p.close().catch(() => {});
    await topics.close();
  }
}

/** Consumers: ours by assign() and in a group, the others in a group. */
interface ConsumeWay {
  driver: Driver;
  how: 'group' | 'assign';
}

async function consumeThroughput(ctx: RunContext, size: number): Promise<Row[]> {
  const n = recordCount(ctx, size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 } });
  const conn = await RawConnection.open('127.0.0.1', broker.port);
  try {
    await rawEnsureTopic(conn, ctx.brokerApis, TOPIC, 1);
    await rawProduce(conn, ctx.brokerApis, { topic: TOPIC, size, count: n, acks: 1, compression: 'none' });
  } finally {
    conn.close();
  }
  const ways: ConsumeWay[] = [{ driver: tributaryDriver, how: 'assign' }];
  for (const d of available(ctx, [Api.Fetch, Api.ListOffsets, Api.Metadata, ...GROUP_APIS])) ways.push({ driver: d, how: 'group' });
  const results = new Map<ConsumeWay, Array<{ seconds: number; window: { cpuPct: number; peakRssMb: number }; cpuUs: number }>>(
    ways.map((w) => [w, []]),
  );
  for (let round = 1; round <= ROUNDS(ctx); round++) {
    for (const w of turnOrder(ways, round)) {
      const cpu0 = process.cpuUsage();
      const m = await sampled(broker, async () => {
        const t0 = performance.now();
        await w.driver.consume(broker.bootstrap, TOPIC, n, size, w.how, `bench-${w.driver.id}-${round}`);
        return (performance.now() - t0) / 1000;
      });
      results.get(w)!.push({ seconds: m.value, window: m.window, cpuUs: cpuMicros(cpu0) / n });
    }
  }
  return ways.map((w) => {
    const rs = results.get(w)!;
    const best = rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    ctx.note(
      `consume ${sizeLabel(size)} ${w.driver.label} ${w.how}: ${rs.map((r) => Math.round(n / r.seconds).toLocaleString('en-US')).join(', ')} records/s by round; client CPU ${rs.map((r) => r.cpuUs.toFixed(2)).join(', ')} µs/record`,
    );
    return row({
      scenario: `consume ${sizeLabel(size)} p1 none`,
      system: 'tributary',
      client: clientLabel(w.driver, w.how === 'group' ? 'group' : 'assign()'),
      recordBytes: size,
      partitions: 1,
      compression: 'none',
      records: n,
      recordsPerSec: n / best.seconds,
      mbPerSec: (n * size) / best.seconds / 1e6,
      brokerCpuPct: best.window.cpuPct,
      brokerRssMb: best.window.peakRssMb,
    });
  });
}

const GROUP_APIS = [Api.FindCoordinator, Api.JoinGroup, Api.SyncGroup, Api.Heartbeat, Api.OffsetFetch];

/** Rows of the same scenario by another client: ours / theirs, on rec/s (throughput) or p99 (latency). */
function compare(rows: readonly Row[], r: Row, other: Driver['label']): string | null {
  if (!(r.client ?? '').startsWith('@tributary/client')) return null;
  const theirs = rows.find((x) => x.scenario === r.scenario && (x.client ?? '').startsWith(other));
  if (!theirs) return null;
  if (r.p99Ms != null && theirs.p99Ms != null) return `p99 ${ratio(theirs.p99Ms / r.p99Ms)} lower`;
  if (r.recordsPerSec != null && theirs.recordsPerSec != null) return ratio(r.recordsPerSec / theirs.recordsPerSec);
  return null;
}

export const clientsGroup: ScenarioGroup = {
  id: 'clients',
  title: 'Node.js clients against Tributary: @tributary/client, KafkaJS, @platformatic/kafka',
  setup: (ctx) => [
    `broker: one \`tributary start\` child process per scenario shared by all clients, which take turns for ${ROUNDS(ctx)} rounds in a rotating order (a fresh 1-partition topic each); rows show each client's best round, notes every round; the same record values and counts as the produce group`,
    `produce: send() of ${PER_SEND.toLocaleString('en-US')} messages per call, ${SENDS_IN_FLIGHT} calls in flight, acks=1, no compression, after a warm-up of n/5 records (every client, once); every library's defaults (ours: batchSize 1 MiB, lingerMs 0)`,
    `latency: single-record send() at ${latencyRate(ctx).toLocaleString('en-US')} records/s for ${latencySeconds(ctx)} s (open loop, after 1 s untimed), acks=1, call -> acknowledgement`,
    "consume: topic filled untimed by the raw generator; read from offset 0 in a new group each round (group.initial.rebalance.delay.ms=0, join included; ours also assign()), until every record reached the application; every loop reads each record's value (sum of value.length, checked against count x size); fetch sizes are each library's defaults (1 MiB per partition), @platformatic/kafka's set to 1 MiB per partition (its default is 50 MB)",
    `versions: kafkajs ${versionOf('kafkajs') ?? 'missing'}, @platformatic/kafka ${versionOf('@platformatic/kafka') ?? 'missing'} (Promise.withResolvers polyfilled on Node 20), @tributary/client from this checkout`,
    "ratio columns: ours / theirs for rec/s; for latency, their p99 / our p99; notes: every round, and the client CPU per record (this process, user+system: the client's own cost, steadier than rec/s on a loaded machine)",
  ],
  scenarios: (ctx): Scenario[] => [
    ...SIZES.map(
      (size): Scenario => ({
        name: `clients produce ${sizeLabel(size)}`,
        skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics]),
        run: () => produceThroughput(ctx, size),
      }),
    ),
    ...SIZES.map(
      (size): Scenario => ({
        name: `clients latency ${sizeLabel(size)}`,
        skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.CreateTopics]),
        run: () => produceLatency(ctx, size),
      }),
    ),
    ...SIZES.map(
      (size): Scenario => ({
        name: `clients consume ${sizeLabel(size)}`,
        skip: () => brokerSkip(ctx, [Api.Produce, Api.Fetch, Api.ListOffsets, Api.Metadata]),
        run: () => consumeThroughput(ctx, size),
      }),
    ),
  ],
  columns: (rows): Column[] => [
    { title: 'vs kafkajs', value: (r) => compare(rows, r, 'kafkajs'), right: true },
    { title: 'vs platformatic', value: (r) => compare(rows, r, '@platformatic/kafka'), right: true },
  ],
};
