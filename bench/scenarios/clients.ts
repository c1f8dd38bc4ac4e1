// "clients" group: the produce/consume shapes driven by Node.js clients against Tributary (the
// broker is the same, so this compares the clients): @tributary/client (ours), KafkaJS,
// @platformatic/kafka. Rows use the same scenario names as the produce/consume groups with their
// own `client`, so the goals and peer ratios can pick them up.
//   KafkaJS produce: producer.send() of 1,000 messages per call, 4 calls in flight, acks=1, no
//     compression. KafkaJS consume needs a consumer group (it has no assign()): skipped until the
//     broker serves JoinGroup.
//   @tributary/client produce: the same driving (send() of 1,000 messages, 4 in flight), acks=1,
//     batchSize 256 KiB, lingerMs 5, not idempotent. Consume: assign() partition 0 (no group),
//     autoOffsetReset earliest, consumer.batches() until every record was seen; the data is
//     produced untimed by the raw generator first.
// PLACEHOLDER: @platformatic/kafka is skipped until installed; to add a client, give it a `run`
// like kafkajsProduce below (ctx.startBroker, the same recordCount/recordValues, a row with
// client '<name> <version> <settings>').
import { createRequire } from 'node:module';
import { recordCount, recordValues, sizeLabel, SIZES } from '../lib/shapes.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import { RawConnection } from '../lib/raw-client.ts';
import { rawEnsureTopic, rawProduce } from '../lib/raw-load.ts';
import { warmupCount } from './throughput.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const kafkajsVersion = (): string | null => {
  try { return (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version; } catch { return null; }
};

async function kafkajsProduce(ctx: RunContext, size: number): Promise<Row[]> {
  const { Kafka, logLevel } = await import('kafkajs');
  const n = recordCount(ctx, size);
  const values = recordValues(size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const conn = await RawConnection.open('127.0.0.1', broker.port);
  try { await rawEnsureTopic(conn, ctx.brokerApis, 'bench', 1); } finally { conn.close(); }
  const kafka = new Kafka({ clientId: 'tributary-bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const perSend = 1000;
    const m = await sampled(broker, async () => {
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const start = next;
          const end = Math.min(n, start + perSend);
          next = end;
          const messages = [];
          for (let i = start; i < end; i++) messages.push({ value: values[i % values.length]! });
          await producer.send({ topic: 'bench', acks: 1, messages });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      return (performance.now() - t0) / 1000;
    });
    return [row({
      scenario: `produce ${sizeLabel(size)} p1 acks=1 none`, system: 'tributary', client: `kafkajs ${kafkajsVersion()} send(1000 msgs) x4`,
      recordBytes: size, partitions: 1, acks: '1', compression: 'none', records: n,
      recordsPerSec: n / m.value, mbPerSec: (n * size) / m.value / 1e6, brokerCpuPct: m.window.cpuPct, brokerRssMb: m.window.peakRssMb,
    })];
  } finally {
    await producer.disconnect();
  }
}

const OUR_PRODUCER = { acks: 1, compression: 'none', batchSize: 256 * 1024, lingerMs: 5, idempotent: false } as const;

async function tributaryProduce(ctx: RunContext, size: number): Promise<Row[]> {
  const { Kafka } = await import('@tributary/client');
  const n = recordCount(ctx, size);
  const values = recordValues(size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const conn = await RawConnection.open('127.0.0.1', broker.port);
  try {
    await rawEnsureTopic(conn, ctx.brokerApis, 'bench', 1);
    await rawEnsureTopic(conn, ctx.brokerApis, 'warmup', 1);
  } finally { conn.close(); }
  const kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: 'tributary-bench' });
  const producer = kafka.producer({ ...OUR_PRODUCER });
  try {
    const sendAll = async (topic: string, count: number) => {
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const start = next;
          const end = Math.min(count, start + 1000);
          next = end;
          const messages = [];
          for (let i = start; i < end; i++) messages.push({ value: values[i % values.length]! });
          await producer.send({ topic, messages });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      return (performance.now() - t0) / 1000;
    };
    await sendAll('warmup', warmupCount(n));
    const m = await sampled(broker, () => sendAll('bench', n));
    return [row({
      scenario: `produce ${sizeLabel(size)} p1 acks=1 none`, system: 'tributary', client: '@tributary/client send(1000 msgs) x4',
      recordBytes: size, partitions: 1, acks: '1', compression: 'none', records: n,
      recordsPerSec: n / m.value, mbPerSec: (n * size) / m.value / 1e6, brokerCpuPct: m.window.cpuPct, brokerRssMb: m.window.peakRssMb,
    })];
  } finally {
    await producer.close().catch(() => {});
    await kafka.close().catch(() => {});
  }
}

async function tributaryConsume(ctx: RunContext, size: number): Promise<Row[]> {
  const { Kafka } = await import('@tributary/client');
  const n = recordCount(ctx, size);
  const broker = await ctx.startBroker({ settings: { 'num.partitions': 1 } });
  const conn = await RawConnection.open('127.0.0.1', broker.port);
  try {
    await rawEnsureTopic(conn, ctx.brokerApis, 'bench', 1);
    await rawProduce(conn, ctx.brokerApis, { topic: 'bench', size, count: n, acks: 1, compression: 'none' });
  } finally { conn.close(); }
  const kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: 'tributary-bench' });
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest', autoCommit: false, fetchMaxWaitMs: 100 });
  try {
    const m = await sampled(broker, async () => {
      const t0 = performance.now();
      consumer.assign([{ topic: 'bench', partition: 0 }]);
      let k = 0;
      for await (const b of consumer.batches()) {
        k += b.records.length;
        if (k >= n) break;
      }
      return { seconds: (performance.now() - t0) / 1000, records: k };
    });
    if (m.value.records !== n) throw new Error(`consumed ${m.value.records} of ${n}`);
    return [row({
      scenario: `consume ${sizeLabel(size)} p1 none`, system: 'tributary', client: '@tributary/client assign() + batches()',
      recordBytes: size, partitions: 1, compression: 'none', records: n,
      recordsPerSec: n / m.value.seconds, mbPerSec: (n * size) / m.value.seconds / 1e6, brokerCpuPct: m.window.cpuPct, brokerRssMb: m.window.peakRssMb,
    })];
  } finally {
    await consumer.close().catch(() => {});
    await kafka.close().catch(() => {});
  }
}

export const clientsGroup: ScenarioGroup = {
  id: 'clients',
  title: 'Node.js clients against Tributary: @tributary/client, KafkaJS, @platformatic/kafka',
  setup: (ctx) => [
    'broker: `tributary start` child process, fresh per scenario, num.partitions=1; same records and counts as the produce group',
    `@tributary/client (producer warmed up with n/10 records to another topic first): producer ${JSON.stringify(OUR_PRODUCER)}, send() of 1,000 messages per call, 4 calls in flight; consumer assign() + batches(), fetchMaxWaitMs 100, other settings default`,
    `kafkajs ${kafkajsVersion() ?? 'missing'}: producer.send() of 1,000 messages per call, 4 calls in flight, acks=1, no compression; wall time of the sends`,
  ],
  scenarios: (ctx): Scenario[] => [
    ...(ctx.quick ? [] : SIZES).map((size): Scenario => ({
      name: `clients kafkajs produce ${sizeLabel(size)}`,
      skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata]) ?? (kafkajsVersion() ? null : 'kafkajs not installed'),
      run: () => kafkajsProduce(ctx, size),
    })),
    { name: 'clients kafkajs consume', skip: () => 'not written yet (KafkaJS consumes only through a consumer group)', run: async () => [] },
    ...(ctx.quick ? [100] : SIZES).flatMap((size): Scenario[] => [
      { name: `clients @tributary/client produce ${sizeLabel(size)}`, skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata]), run: () => tributaryProduce(ctx, size) },
      { name: `clients @tributary/client consume ${sizeLabel(size)}`, skip: () => brokerSkip(ctx, [Api.Produce, Api.Metadata, Api.Fetch, Api.ListOffsets]), run: () => tributaryConsume(ctx, size) },
    ]),
    { name: 'clients @platformatic/kafka produce+consume', skip: () => 'not written yet (@platformatic/kafka not installed)', run: async () => [] },
  ],
};
