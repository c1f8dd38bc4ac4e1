// `tributary perf produce|consume`: Kafka's kafka-producer-perf-test.sh and
// kafka-consumer-perf-test.sh. `produce` sends --num-records records of --record-size random
// bytes (or --throughput records/s at most; -1 for as fast as it can), one send() per record as
// Java's tool does, and prints a progress line every --reporting-interval ms (5 s, Kafka's window:
// records sent, records/s, MB/s, average and max latency in the window), then the summary with
// the 50th, 95th, 99th and 99.9th percentile latency (acknowledgement time of each send, sampled
// as Kafka samples: at most 500,000). `consume` reads --messages records (from the earliest offset
// unless --from-latest) in a fresh group, as Java's tool does, and prints its CSV line (start.time,
// end.time, MB, MB/s, records, records/s, rebalance.time.ms, fetch.time.ms, fetch MB/s, fetch
// records/s); --show-detailed-stats adds a line every --reporting-interval. Kafka settings:
// --producer-props / --consumer-property k=v (client-properties.ts).
import { randomBytes } from 'node:crypto';
import type { ConsumerConfig, Kafka, Message, Producer, ProducerConfig } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, keyValues, parseArgs, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, connectKafka, runCommand, writeOut } from './client.ts';
import { consumerConfigOf, producerConfigOf } from './client-properties.ts';

const USAGE = `Usage: tributary perf produce --topic <t> --num-records <n> --record-size <bytes> [--throughput <records/s>|-1]
                              [--producer-props k=v ...] [--reporting-interval <ms>]
       tributary perf consume --topic <t> --messages <n> [--group <id>] [--from-latest] [--timeout <ms>]
                              [--show-detailed-stats] [--hide-header] [--reporting-interval <ms>] [--consumer-property k=v ...]

produce (kafka-producer-perf-test.sh): sends records of random bytes, one send per record, and prints
  "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency." every reporting
  interval (default 5000 ms), then the totals with the 50th, 95th, 99th and 99.9th percentile latency.
  --throughput caps the rate (records/s; -1, the default, is no cap). --producer-props takes Kafka's
  producer settings (acks=1 linger.ms=5 compression.type=lz4 ...).
consume (kafka-consumer-perf-test.sh): reads --messages records in a new group (default perf-consumer-<n>)
  from the earliest offset (--from-latest: the latest) and prints Kafka's CSV line; gives up after
  --timeout ms (default 10000) without a record.
${COMMON_USAGE}`;

const SPEC = {
  values: ['topic', 'num-records', 'record-size', 'throughput', 'reporting-interval', 'messages', 'group', 'timeout'],
  repeated: ['producer-props', 'consumer-property'],
  flags: ['from-latest', 'show-detailed-stats', 'hide-header'],
} as const;

const MB = 1024 * 1024;
const MAX_SAMPLES = 500_000;
const MAX_OUTSTANDING = 10_000; // sends awaiting their acknowledgement (Java's buffer.memory bounds this)

function required(p: ParsedArgs, name: string): number {
  const v = intOption(p, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

function topicOf(p: ParsedArgs): string {
  const t = p.values.get('topic') ?? p.positional[1];
  if (!t) throw new UsageError('--topic is required');
  return t;
}

/** One reporting window of the producer test (Kafka's Stats). */
class Window {
  count = 0;
  bytes = 0;
  latencySum = 0;
  maxLatency = 0;
  constructor(readonly start: number) {}
  record(latencyMs: number, bytes: number) {
    this.count++;
    this.bytes += bytes;
    this.latencySum += latencyMs;
    if (latencyMs > this.maxLatency) this.maxLatency = latencyMs;
  }
  line(now: number): string {
    const secs = Math.max(now - this.start, 1) / 1000;
    const avg = this.count === 0 ? 0 : this.latencySum / this.count;
    return `${this.count} records sent, ${(this.count / secs).toFixed(1)} records/sec (${(this.bytes / MB / secs).toFixed(2)} MB/sec), ${avg.toFixed(1)} ms avg latency, ${this.maxLatency.toFixed(1)} ms max latency.\n`;
  }
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Checks the options, then returns the test to run once connected. */
function produce(p: ParsedArgs): (kafka: Kafka) => Promise<number> {
  const topic = topicOf(p);
  const numRecords = required(p, 'num-records');
  const recordSize = required(p, 'record-size');
  const throughput = intOption(p, 'throughput') ?? -1;
  const interval = intOption(p, 'reporting-interval') ?? 5000;
  if (numRecords < 1) throw new UsageError('--num-records must be at least 1');
  if (recordSize < 0) throw new UsageError('--record-size must not be negative');
  if (throughput === 0 || throughput < -1) throw new UsageError('--throughput must be positive, or -1 for no cap');
  if (interval < 1) throw new UsageError('--reporting-interval must be positive');
  const config = producerConfigOf(keyValues(p.repeated.get('producer-props') ?? [], 'producer-props'));
  if (config.transactionalId !== undefined) throw new UsageError('transactional.id is not supported by perf produce yet');
  return (kafka) => produceTest(kafka, { topic, numRecords, recordSize, throughput, interval, config });
}

interface ProduceTest {
  topic: string;
  numRecords: number;
  recordSize: number;
  throughput: number;
  interval: number;
  config: ProducerConfig;
}

async function produceTest(kafka: Kafka, { topic, numRecords, recordSize, throughput, interval, config }: ProduceTest): Promise<number> {
  const producer: Producer = kafka.producer(config);
  // Kafka's payload: random uppercase letters, the same bytes for every record
  const payload = Buffer.from([...randomBytes(recordSize)].map((b) => 65 + (b % 26)));
  const sampling = Math.max(1, Math.floor(numRecords / Math.min(numRecords, MAX_SAMPLES)));
  const samples = new Float64Array(Math.ceil(numRecords / sampling));
  let sampled = 0;
  let failure: unknown = null;
  let acked = 0;
  let totalLatency = 0;
  let maxLatency = 0;
  const start = performance.now();
  let window = new Window(start);
  const outstanding = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const now = performance.now();
    void writeOut(window.line(now));
    window = new Window(now);
  }, interval);
  try {
    for (let i = 0; i < numRecords && failure === null; i++) {
      if (throughput > 0) {
        const due = start + (i * 1000) / throughput;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      const sentAt = performance.now();
      const message: Message = { value: payload };
      const s: Promise<void> = producer.send({ topic, messages: [message] }).then(
        () => {
          outstanding.delete(s);
          const latency = performance.now() - sentAt;
          acked++;
          totalLatency += latency;
          if (latency > maxLatency) maxLatency = latency;
          window.record(latency, recordSize);
          if (i % sampling === 0 && sampled < samples.length) samples[sampled++] = latency;
        },
        (err) => {
          outstanding.delete(s);
          failure ??= err;
        },
      );
      outstanding.add(s);
      if (outstanding.size >= MAX_OUTSTANDING) await Promise.race(outstanding);
      else if (i % 1000 === 999) await new Promise((r) => setImmediate(r)); // let acknowledgements and the progress line in
    }
    await Promise.all(outstanding);
    await producer.flush();
  } finally {
    clearInterval(timer);
    await producer.close();
  }
  if (failure) throw failure;
  const secs = (performance.now() - start) / 1000;
  const sorted = samples.subarray(0, sampled).sort();
  const ms = (q: number) => Math.round(percentile(sorted, q));
  await writeOut(
    `${acked} records sent, ${(acked / secs).toFixed(1)} records/sec (${((acked * recordSize) / MB / secs).toFixed(2)} MB/sec), ` +
      `${(totalLatency / Math.max(acked, 1)).toFixed(2)} ms avg latency, ${maxLatency.toFixed(2)} ms max latency, ` +
      `${ms(0.5)} ms 50th, ${ms(0.95)} ms 95th, ${ms(0.99)} ms 99th, ${ms(0.999)} ms 99.9th.\n`,
  );
  return 0;
}

/** Kafka's "yyyy-MM-dd HH:mm:ss:SSS", local time. */
function dateText(ms: number): string {
  const d = new Date(ms);
  const z = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())} ${z(d.getHours())}:${z(d.getMinutes())}:${z(d.getSeconds())}:${z(d.getMilliseconds(), 3)}`;
}

const CSV_HEADER =
  'data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

/** Checks the options, then returns the test to run once connected. */
function consume(p: ParsedArgs): (kafka: Kafka) => Promise<number> {
  const topic = topicOf(p);
  const messages = required(p, 'messages');
  const timeoutMs = intOption(p, 'timeout') ?? 10_000;
  const interval = intOption(p, 'reporting-interval') ?? 5000;
  if (messages < 1) throw new UsageError('--messages must be at least 1');
  if (timeoutMs < 1 || interval < 1) throw new UsageError('--timeout and --reporting-interval must be positive');
  const detailed = p.flags.has('show-detailed-stats');
  const groupId = p.values.get('group') ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`;
  const config = consumerConfigOf(keyValues(p.repeated.get('consumer-property') ?? [], 'consumer-property'), {
    groupId,
    autoOffsetReset: p.flags.has('from-latest') ? 'latest' : 'earliest',
  });
  const hideHeader = p.flags.has('hide-header');
  return (kafka) => consumeTest(kafka, { topic, messages, timeoutMs, interval, detailed, hideHeader, config });
}

interface ConsumeTest {
  topic: string;
  messages: number;
  timeoutMs: number;
  interval: number;
  detailed: boolean;
  hideHeader: boolean;
  config: ConsumerConfig;
}

async function consumeTest(
  kafka: Kafka,
  { topic, messages, timeoutMs, interval, detailed, hideHeader, config }: ConsumeTest,
): Promise<number> {
  const consumer = kafka.consumer(config);
  if (!hideHeader) await writeOut(`${detailed ? 'time, threadId' : 'start.time, end.time'}, ${CSV_HEADER}\n`);
  const startMs = Date.now();
  let joinedAt = 0;
  let count = 0;
  let bytes = 0;
  let lastRecordAt = Date.now();
  let last = { at: startMs, count: 0, bytes: 0 };
  const row = (from: number, to: number, c: number, b: number, rebalanceMs: number) => {
    const secs = Math.max(to - from, 1) / 1000;
    const fetchSecs = Math.max(to - from - rebalanceMs, 1) / 1000;
    const mb = b / MB;
    return `${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${c}, ${(c / secs).toFixed(4)}, ${rebalanceMs}, ${to - from - rebalanceMs}, ${(mb / fetchSecs).toFixed(4)}, ${(c / fetchSecs).toFixed(4)}`;
  };
  const idle = setInterval(() => {
    if (Date.now() - lastRecordAt > timeoutMs) void consumer.close();
  }, 100);
  const detail = setInterval(() => {
    if (!detailed) return;
    const now = Date.now();
    void writeOut(`${dateText(now)}, 0, ${row(last.at, now, count - last.count, bytes - last.bytes, 0)}\n`);
    last = { at: now, count, bytes };
  }, interval);
  try {
    await consumer.subscribe([topic], {
      assigned() {
        if (joinedAt === 0) joinedAt = Date.now();
      },
    });
    lastRecordAt = Date.now();
    for await (const batch of consumer.batches()) {
      lastRecordAt = Date.now();
      for (const r of batch.records) {
        if (count >= messages) break;
        count++;
        bytes += (r.value?.length ?? 0) + (r.key?.length ?? 0);
      }
      if (count >= messages) break;
    }
  } finally {
    clearInterval(idle);
    clearInterval(detail);
    await consumer.close();
  }
  const end = Date.now();
  const rebalanceMs = joinedAt === 0 ? 0 : joinedAt - startMs;
  if (!detailed) await writeOut(`${dateText(startMs)}, ${dateText(end)}, ${row(startMs, end, count, bytes, rebalanceMs)}\n`);
  if (count < messages) {
    process.stderr.write(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded.\n`);
  }
  return 0;
}

async function run(args: string[]): Promise<number> {
  return runCommand('perf', USAGE, async () => {
    const p = parseArgs(args, SPEC);
    const sub = p.positional[0];
    if (sub !== 'produce' && sub !== 'consume') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
    if (p.positional.length > 2) throw new UsageError(`unexpected argument ${p.positional[2]}`);
    const test = sub === 'produce' ? produce(p) : consume(p);
    const kafka = await connectKafka(p);
    try {
      return await test(kafka);
    } finally {
      await kafka.close();
    }
  });
}

export const perfCommand: Command = {
  name: 'perf',
  summary: "measure produce or consume throughput and latency (Kafka's producer and consumer perf tests)",
  usage: USAGE,
  run,
};
