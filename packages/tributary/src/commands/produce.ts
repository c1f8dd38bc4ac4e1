// `tributary produce <topic>`: sends each line of stdin as one record, like
// kafka-console-producer.sh. `--key-separator <sep>` splits each line into key and value at the
// first separator (a line without it is an error, as Kafka's `parse.key=true`); `--acks`,
// `--compression`, `--partition`, `--linger-ms`, `--batch-size`, `--header k=v` (on every
// record). Lines are sent in chunks with several sends in flight; the command exits 0 once every
// record is acknowledged (per --acks), 1 on the first failed send. An empty line is an empty value.
// Lines are bytes: split at each newline (a CR before it dropped, as Java's readLine), sent as
// they are, never decoded. Kafka's reader properties: `--property parse.key=true` with
// `key.separator` (a tab by default), `null.marker`; `--producer-property k=v` sets a Kafka
// producer setting (client-properties.ts).
import type { Acks, Compression, Message, Producer } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, keyValues, parseArgs } from './args.ts';
import { COMMON_USAGE, connectKafka, runCommand } from './client.ts';
import { producerConfigOf } from './client-properties.ts';

const USAGE = `Usage: tributary produce <topic> [options] < lines

Sends each line of standard input as one record.
  --key-separator <sep>   split each line into key<sep>value (first occurrence)
  --acks <0|1|all|-1>     acknowledgements to wait for (default all)
  --compression <type>    none, gzip, snappy, lz4 or zstd (default none)
  --partition <n>         send every record to this partition
  --header <k=v[,...]>    add these headers to every record (repeatable)
  --linger-ms <ms>        linger.ms (default 5)
  --batch-size <bytes>    batch.size (default 16384)
  --property <k=v>        Kafka's line reader properties (repeatable): parse.key=true, key.separator
                          (default a tab), null.marker (a key or value equal to it is sent as null)
  --producer-property <k=v>  a Kafka producer setting (repeatable): acks, linger.ms, enable.idempotence, ...
  --topic <name>          the topic, instead of the positional argument
${COMMON_USAGE}`;

const SPEC = {
  values: ['key-separator', 'acks', 'compression', 'partition', 'linger-ms', 'batch-size', 'topic'],
  repeated: ['header', 'property', 'producer-property'],
} as const;

const READER_PROPERTIES = ['parse.key', 'key.separator', 'null.marker'];

/** stdin's lines as bytes: split at LF, a CR before the LF dropped; a last line without LF counts. */
export async function* byteLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    let buf = rest.length > 0 ? Buffer.concat([rest, Buffer.from(chunk)]) : Buffer.from(chunk);
    let at: number;
    while ((at = buf.indexOf(0x0a)) >= 0) {
      const end = at > 0 && buf[at - 1] === 0x0d ? at - 1 : at;
      yield buf.subarray(0, end);
      buf = buf.subarray(at + 1);
    }
    rest = Buffer.from(buf); // a copy: the chunk's memory is not kept for one partial line
  }
  if (rest.length > 0) yield rest.at(-1) === 0x0d ? rest.subarray(0, -1) : rest;
}

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
    const props = keyValues(p.repeated.get('property') ?? [], 'property');
    for (const k of Object.keys(props))
      if (!READER_PROPERTIES.includes(k))
        throw new UsageError(`--property ${k} is not supported yet (supported: ${READER_PROPERTIES.join(', ')})`);
    const parseKey = props['parse.key']?.trim().toLowerCase() === 'true';
    let separator = p.values.get('key-separator');
    if (parseKey) separator = props['key.separator'] ?? separator ?? '\t';
    if (separator === '') throw new UsageError('--key-separator must not be empty');
    const sep = separator === undefined ? undefined : Buffer.from(separator);
    const nullMarker = props['null.marker'] === undefined ? undefined : Buffer.from(props['null.marker']);
    const headers = keyValues(p.repeated.get('header') ?? [], 'header');
    const hasHeaders = Object.keys(headers).length > 0;
    const producerProps = keyValues(p.repeated.get('producer-property') ?? [], 'producer-property');
    const clientId = producerProps['client.id'];
    if (clientId !== undefined && !p.values.has('client-id')) p.values.set('client-id', clientId);
    const config = producerConfigOf(producerProps, {
      acks,
      compression,
      lingerMs: intOption(p, 'linger-ms'),
      batchSize: intOption(p, 'batch-size'),
    });
    if (config.transactionalId !== undefined) throw new UsageError('transactional.id is not supported by produce yet');

    const kafka = await connectKafka(p);
    const producer: Producer = kafka.producer(config);
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
      const orNull = (b: Buffer) => (nullMarker !== undefined && b.equals(nullMarker) ? null : b);
      let chunk: Message[] = [];
      let lineNumber = 0;
      for await (const line of byteLines(process.stdin)) {
        lineNumber++;
        const m: Message = { value: orNull(line) };
        if (sep !== undefined) {
          const at = line.indexOf(sep);
          if (at < 0) throw new Error(`no key separator "${separator}" on line ${lineNumber}: ${JSON.stringify(line.toString('utf8'))}`);
          m.key = orNull(line.subarray(0, at));
          m.value = orNull(line.subarray(at + sep.length));
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
