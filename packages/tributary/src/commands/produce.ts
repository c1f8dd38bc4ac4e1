// `tributary produce <topic>`: sends each line of stdin as one record, like
// kafka-console-producer.sh. `--key-separator <sep>` splits each line into key and value at the
// first separator (a line without it is an error, as Kafka's `parse.key=true`); `--acks`,
// `--compression`, `--partition`, `--linger-ms`, `--batch-size`, `--header k=v` (on every
// record). Lines are sent in chunks with several sends in flight; the command exits 0 once every
// record is acknowledged (per --acks), 1 on the first failed send. An empty line is an empty value.
import { createInterface } from 'node:readline';
import type { Acks, Compression, Message, Producer } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, keyValues, parseArgs } from './args.ts';
import { COMMON_USAGE, kafkaFrom, runCommand } from './client.ts';

const USAGE = `Usage: tributary produce <topic> [options] < lines

Sends each line of standard input as one record.
  --key-separator <sep>   split each line into key<sep>value (first occurrence)
  --acks <0|1|all|-1>     acknowledgements to wait for (default all)
  --compression <type>    none, gzip, snappy, lz4 or zstd (default none)
  --partition <n>         send every record to this partition
  --header <k=v[,...]>    add these headers to every record (repeatable)
  --linger-ms <ms>        linger.ms (default 5)
  --batch-size <bytes>    batch.size (default 16384)
  --topic <name>          the topic, instead of the positional argument
${COMMON_USAGE}`;

const SPEC = {
  values: ['key-separator', 'acks', 'compression', 'partition', 'linger-ms', 'batch-size', 'topic'],
  repeated: ['header'],
} as const;

const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const CHUNK = 1000; // lines per send
const MAX_IN_FLIGHT_SENDS = 32;

export function parseAcks(v: string | undefined): Acks {
  if (v === undefined || v === 'all' || v === '-1') return 'all';
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new UsageError(`--acks must be 0, 1, all or -1, got "${v}"`);
}

async function run(args: string[]): Promise<number> {
  return runCommand('produce', USAGE, async () => {
    const p = parseArgs(args, SPEC);
    const topic = p.values.get('topic') ?? p.positional[0];
    if (!topic || p.positional.length > (p.values.has('topic') ? 0 : 1)) throw new UsageError('produce needs exactly one topic');
    const acks = parseAcks(p.values.get('acks'));
    const compression = (p.values.get('compression') ?? 'none') as Compression;
    if (!COMPRESSIONS.includes(compression)) throw new UsageError(`--compression must be one of ${COMPRESSIONS.join(', ')}`);
    const partition = intOption(p, 'partition');
    const separator = p.values.get('key-separator');
    if (separator === '') throw new UsageError('--key-separator must not be empty');
    const headers = keyValues(p.repeated.get('header') ?? [], 'header');
    const hasHeaders = Object.keys(headers).length > 0;

    const kafka = kafkaFrom(p);
    const producer: Producer = kafka.producer({
      acks,
      compression,
      lingerMs: intOption(p, 'linger-ms'),
      batchSize: intOption(p, 'batch-size'),
    });
    let failure: unknown = null;
    const inFlight = new Set<Promise<unknown>>();
    const send = (messages: Message[]) => {
      const s: Promise<unknown> = producer.send({ topic, messages }).then(
        () => inFlight.delete(s),
        (err) => {
          inFlight.delete(s);
          failure ??= err;
        },
      );
      inFlight.add(s);
    };
    try {
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      let chunk: Message[] = [];
      let lineNumber = 0;
      for await (const line of lines) {
        lineNumber++;
        const m: Message = { value: line };
        if (separator !== undefined) {
          const at = line.indexOf(separator);
          if (at < 0) throw new Error(`no key separator "${separator}" on line ${lineNumber}: ${JSON.stringify(line)}`);
          m.key = line.slice(0, at);
          m.value = line.slice(at + separator.length);
        }
        if (partition !== undefined) m.partition = partition;
        if (hasHeaders) m.headers = headers;
        chunk.push(m);
        if (chunk.length >= CHUNK) {
          send(chunk);
          chunk = [];
          if (inFlight.size >= MAX_IN_FLIGHT_SENDS) await Promise.race(inFlight);
        }
        if (failure) throw failure;
      }
      if (chunk.length > 0) send(chunk);
      await Promise.all(inFlight);
      if (failure) throw failure;
      await producer.flush();
      return 0;
    } finally {
      await kafka.close();
    }
  });
}

export const produceCommand: Command = {
  name: 'produce',
  summary: 'send lines of stdin as records to a topic (tributary produce <topic>)',
  usage: USAGE,
  run,
};
