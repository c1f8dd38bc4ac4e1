// `tributary consume <topic>`: prints records, like kafka-console-consumer.sh. Without `--group`
// it reads every partition (or `--partition n`) by assignment, from the end unless
// `--from-beginning` or `--offset earliest|latest|<n>`; with `--group` it joins that consumer
// group (committing what it printed when it stops). Prints each value on a line, or with
// `--format json` one JSON object per record ({topic, partition, offset, timestamp, key, value,
// headers}; keys, values and header values as UTF-8 strings or null). Stops after
// `--max-messages`, after `--timeout-ms` without a record, or on SIGINT/SIGTERM.
// In the value format a record's bytes are written unchanged (record-formatter.ts: Kafka's
// DefaultMessageFormatter and its `--property print.key=true|print.timestamp|...`).
// `--offset` also takes rpk's forms: `+N` (N after the start), `-N` (N before the end),
// `@<time>` (the first record at or after: epoch ms, an ISO-8601 date, or `-1h`/`-30m`/`-10s` ago).
// `--consumer-property k=v` sets a Kafka consumer setting (client-properties.ts).
import type { Admin, ConsumerRecord, SeekTarget, TopicPartition } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, keyValues, parseArgs, type ParsedArgs } from './args.ts';
import { adminFrom, COMMON_USAGE, connectKafka, runCommand, stdoutIsClosed, writeOut } from './client.ts';
import { consumerConfigOf } from './client-properties.ts';
import { formatRecord, formatterOf, type FormatterOptions } from './record-formatter.ts';

const USAGE = `Usage: tributary consume <topic> [options]

Prints the records of a topic, one per line.
  --from-beginning         start at the earliest offset when there is no committed one (default: latest)
  --group <id>             consume in this consumer group (commits what it printed)
  --partition <n>          read only this partition (not with --group)
  --offset <o>             where to start (not with --group): earliest, latest, an offset o,
                           +N (N after the earliest), -N (N before the latest),
                           @<time> (first record at or after: epoch ms, ISO-8601, or -1h / -30m / -10s ago)
  --max-messages <n>       exit after printing n records
  --timeout-ms <ms>        exit when no record arrived for this long
  --format <value|json>    print values (default), or one JSON object per record
  --print-key              (value format) print key<separator>value (= --property print.key=true)
  --key-separator <sep>    separator for --print-key (default a tab; = --property key.separator=<sep>)
  --property <k=v>         Kafka's formatter properties (repeatable): print.timestamp, print.partition,
                           print.offset, print.headers, print.key, print.value (true|false), key.separator,
                           line.separator, headers.separator, null.literal
  --consumer-property <k=v>  a Kafka consumer setting (repeatable): fetch.min.bytes, isolation.level, ...
  --topic <name>           the topic, instead of the positional argument
${COMMON_USAGE}`;

const SPEC = {
  values: ['group', 'partition', 'offset', 'max-messages', 'timeout-ms', 'format', 'key-separator', 'topic'],
  repeated: ['property', 'consumer-property'],
  flags: ['from-beginning', 'print-key'],
} as const;

/** Where an assigned partition starts: a SeekTarget, or an offset relative to its earliest / latest. */
type StartAt = SeekTarget | { fromStart: bigint } | { fromEnd: bigint };

function str(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

export function formatJson(r: ConsumerRecord): string {
  return JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: r.timestamp,
    key: str(r.key),
    value: str(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: str(h.value) })),
  });
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** rpk's `@<time>`: epoch ms, `-<n><ms|s|m|h|d>` before now, or an ISO-8601 date. */
export function parseTime(v: string, now = Date.now()): number {
  if (/^\d+$/.test(v)) return Number(v);
  const rel = /^-(\d+)(ms|s|m|h|d)$/.exec(v);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--offset @${v}: not a time (epoch ms, ISO-8601 such as 2026-12-07T10:00:00Z, or -1h)`);
  return t;
}

export function parseOffset(v: string | undefined): StartAt | undefined {
  if (v === undefined) return undefined;
  if (v === 'earliest' || v === 'start' || v === 'oldest') return 'earliest';
  if (v === 'latest' || v === 'end' || v === 'newest') return 'latest';
  if (/^\d+$/.test(v)) return BigInt(v);
  if (/^\+\d+$/.test(v)) return { fromStart: BigInt(v.slice(1)) };
  if (/^-\d+$/.test(v)) return { fromEnd: BigInt(v.slice(1)) };
  if (v.startsWith('@') && v.length > 1) return { timestamp: parseTime(v.slice(1)) };
  throw new UsageError(`--offset must be earliest, latest, an offset, +N, -N or @<time>, got "${v}"`);
}

/** The offset each partition starts at for +N / -N: within [earliest, latest], as rpk clamps. */
async function relativeStarts(admin: Admin, topic: string, at: { fromStart: bigint } | { fromEnd: bigint }): Promise<Map<number, bigint>> {
  const earliest = await admin.listOffsets(topic, 'earliest');
  const latest = new Map((await admin.listOffsets(topic, 'latest')).map((o) => [o.partition, o.offset]));
  const out = new Map<number, bigint>();
  for (const e of earliest) {
    const end = latest.get(e.partition) ?? e.offset;
    let o = 'fromStart' in at ? e.offset + at.fromStart : end - at.fromEnd;
    if (o < e.offset) o = e.offset;
    if (o > end) o = end;
    out.set(e.partition, o);
  }
  return out;
}

interface Plan {
  topic: string;
  group?: string;
  partition?: number;
  offset?: StartAt;
  maxMessages: number;
  timeoutMs?: number;
  json: boolean;
  formatter: FormatterOptions;
  fromBeginning: boolean;
  consumerProperties: Record<string, string>;
}

function plan(p: ParsedArgs): Plan {
  const topic = p.values.get('topic') ?? p.positional[0];
  if (!topic || p.positional.length > (p.values.has('topic') ? 0 : 1)) throw new UsageError('consume needs exactly one topic');
  const format = p.values.get('format') ?? 'value';
  if (format !== 'value' && format !== 'json') throw new UsageError('--format must be value or json');
  const group = p.values.get('group');
  const partition = intOption(p, 'partition');
  const offset = parseOffset(p.values.get('offset'));
  if (group !== undefined && (partition !== undefined || offset !== undefined)) {
    throw new UsageError('--partition and --offset cannot be used with --group (use groups reset-offsets)');
  }
  const maxMessages = intOption(p, 'max-messages') ?? Infinity;
  if (maxMessages < 1) throw new UsageError('--max-messages must be at least 1');
  const shorthand: Record<string, string> = {};
  if (p.flags.has('print-key')) shorthand['print.key'] = 'true';
  const separator = p.values.get('key-separator');
  if (separator !== undefined) shorthand['key.separator'] = separator;
  const formatter = formatterOf({ ...shorthand, ...keyValues(p.repeated.get('property') ?? [], 'property') });
  return {
    topic,
    group,
    partition,
    offset,
    maxMessages,
    timeoutMs: intOption(p, 'timeout-ms'),
    json: format === 'json',
    formatter,
    fromBeginning: p.flags.has('from-beginning'),
    consumerProperties: keyValues(p.repeated.get('consumer-property') ?? [], 'consumer-property'),
  };
}

async function run(args: string[]): Promise<number> {
  return runCommand('consume', USAGE, async () => {
    const parsed = parseArgs(args, SPEC);
    const o = plan(parsed);
    const clientId = o.consumerProperties['client.id'];
    if (clientId !== undefined && !parsed.values.has('client-id')) parsed.values.set('client-id', clientId);
    const reset = o.fromBeginning ? 'earliest' : 'latest';
    const config = consumerConfigOf(
      o.consumerProperties,
      o.group ? { groupId: o.group, autoOffsetReset: reset } : { autoOffsetReset: reset },
    );
    if (o.group === undefined && config.groupId !== undefined) throw new UsageError('name the group with --group, not group.id');
    const kafka = await connectKafka(parsed);
    const consumer = kafka.consumer(config);
    let stop = false;
    let idle: NodeJS.Timeout | undefined;
    const stopNow = () => {
      stop = true;
      void consumer.close();
    };
    const armIdle = () => {
      if (o.timeoutMs === undefined) return;
      clearTimeout(idle);
      idle = setTimeout(stopNow, o.timeoutMs);
    };
    process.once('SIGINT', stopNow);
    process.once('SIGTERM', stopNow);
    try {
      if (o.group) {
        await consumer.subscribe([o.topic]);
      } else {
        const [d] = await adminFrom(kafka, parsed).describeTopics([o.topic]);
        const partitions = d!.partitions.map((x) => x.partition);
        if (o.partition !== undefined && !partitions.includes(o.partition)) {
          throw new Error(`topic ${o.topic} has no partition ${o.partition} (UNKNOWN_TOPIC_OR_PARTITION)`);
        }
        const tps: TopicPartition[] = (o.partition !== undefined ? [o.partition] : partitions).map((partition) => ({
          topic: o.topic,
          partition,
        }));
        consumer.assign(tps);
        const at = o.offset;
        if (at !== undefined && typeof at === 'object' && !('timestamp' in at)) {
          const starts = await relativeStarts(adminFrom(kafka, parsed), o.topic, at);
          for (const tp of tps) consumer.seek(tp, starts.get(tp.partition)!);
        } else if (at !== undefined) {
          for (const tp of tps) consumer.seek(tp, at);
        }
      }
      armIdle();
      let printed = 0;
      for await (const batch of consumer.batches()) {
        armIdle();
        const out: Buffer[] = [];
        let records = batch.records;
        if (printed + records.length > o.maxMessages) {
          records = records.slice(0, o.maxMessages - printed);
          // the position (and so the group's commit) follows what was printed
          consumer.seek({ topic: batch.topic, partition: batch.partition }, records[records.length - 1]!.offset + 1n);
        }
        for (const r of records) {
          if (o.json) out.push(Buffer.from(formatJson(r) + '\n'));
          else formatRecord(r, o.formatter, out);
        }
        printed += records.length;
        await writeOut(Buffer.concat(out));
        if (stdoutIsClosed() || printed >= o.maxMessages || stop) break;
      }
      process.stderr.write(`Processed a total of ${printed} messages\n`);
      return 0;
    } finally {
      clearTimeout(idle);
      process.off('SIGINT', stopNow);
      process.off('SIGTERM', stopNow);
      await consumer.close();
      await kafka.close();
    }
  });
}

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'print the records of a topic (tributary consume <topic>)',
  usage: USAGE,
  run,
};
