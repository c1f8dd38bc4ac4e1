// `tributary consume <topic>`: prints records, like kafka-console-consumer.sh. Without `--group`
// it reads every partition (or `--partition n`) by assignment, from the end unless
// `--from-beginning` or `--offset earliest|latest|<n>`; with `--group` it joins that consumer
// group (committing what it printed when it stops). Prints each value on a line, or with
// `--format json` one JSON object per record ({topic, partition, offset, timestamp, key, value,
// headers}; keys, values and header values as UTF-8 strings or null). Stops after
// `--max-messages`, after `--timeout-ms` without a record, or on SIGINT/SIGTERM.
import type { ConsumerRecord, SeekTarget, TopicPartition } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, parseArgs, type ParsedArgs } from './args.ts';
import { adminFrom, COMMON_USAGE, kafkaFrom, runCommand, stdoutIsClosed, writeOut } from './client.ts';

const USAGE = `Usage: tributary consume <topic> [options]

Prints the records of a topic, one per line.
  --from-beginning         start at the earliest offset when there is no committed one (default: latest)
  --group <id>             consume in this consumer group (commits what it printed)
  --partition <n>          read only this partition (not with --group)
  --offset <o>             start at earliest, latest or offset o (not with --group)
  --max-messages <n>       exit after printing n records
  --timeout-ms <ms>        exit when no record arrived for this long
  --format <value|json>    print values (default), or one JSON object per record
  --print-key              (value format) print key<separator>value
  --key-separator <sep>    separator for --print-key (default a tab)
  --topic <name>           the topic, instead of the positional argument
${COMMON_USAGE}`;

const SPEC = {
  values: ['group', 'partition', 'offset', 'max-messages', 'timeout-ms', 'format', 'key-separator', 'topic'],
  flags: ['from-beginning', 'print-key'],
} as const;

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

function parseOffset(v: string | undefined): SeekTarget | undefined {
  if (v === undefined) return undefined;
  if (v === 'earliest' || v === 'latest') return v;
  if (/^\d+$/.test(v)) return BigInt(v);
  throw new UsageError(`--offset must be earliest, latest or a non-negative number, got "${v}"`);
}

interface Plan {
  topic: string;
  group?: string;
  partition?: number;
  offset?: SeekTarget;
  maxMessages: number;
  timeoutMs?: number;
  json: boolean;
  keySeparator: string | null;
  fromBeginning: boolean;
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
  return {
    topic,
    group,
    partition,
    offset,
    maxMessages,
    timeoutMs: intOption(p, 'timeout-ms'),
    json: format === 'json',
    keySeparator: p.flags.has('print-key') ? (p.values.get('key-separator') ?? '\t') : null,
    fromBeginning: p.flags.has('from-beginning'),
  };
}

async function run(args: string[]): Promise<number> {
  return runCommand('consume', USAGE, async () => {
    const parsed = parseArgs(args, SPEC);
    const o = plan(parsed);
    const kafka = kafkaFrom(parsed);
    const reset = o.fromBeginning ? 'earliest' : 'latest';
    const consumer = kafka.consumer(o.group ? { groupId: o.group, autoOffsetReset: reset } : { autoOffsetReset: reset });
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
        if (o.offset !== undefined) for (const tp of tps) consumer.seek(tp, o.offset);
      }
      armIdle();
      let printed = 0;
      for await (const batch of consumer.batches()) {
        armIdle();
        let out = '';
        let records = batch.records;
        if (printed + records.length > o.maxMessages) {
          records = records.slice(0, o.maxMessages - printed);
          // the position (and so the group's commit) follows what was printed
          consumer.seek({ topic: batch.topic, partition: batch.partition }, records[records.length - 1]!.offset + 1n);
        }
        for (const r of records) {
          if (o.json) out += formatJson(r) + '\n';
          else if (o.keySeparator !== null) out += `${str(r.key) ?? 'null'}${o.keySeparator}${str(r.value) ?? 'null'}\n`;
          else out += `${str(r.value) ?? 'null'}\n`;
        }
        printed += records.length;
        await writeOut(out);
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
