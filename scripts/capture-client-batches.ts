// Captures record batches produced by real clients with each compression codec, as fixtures for
// packages/protocol/test/client-batches.test.ts: packages/protocol/test/fixtures/batches/
//   <client>-<codec>.bin   the client's Produce request frame (header + body, no size prefix)
//   <client>-<codec>.json  what was sent: { client, clientVersion, codec, topic, partition,
//                          capturedAtMs: [start, end], notes, records: [{ key, value, headers:
//                          [{ key, value }], timestamp }] } — strings are UTF-8, null is null,
//                          timestamp null means "the client's clock" (within capturedAtMs)
// The records are written here, handed to the client, and the client's first Produce request is
// kept; nothing in the JSON comes from our decoder. Clients talk to scripts/capture/fake-broker.ts.
// Not a test: run by hand (kcat, /usr/bin/python3 with kafka-python and confluent-kafka, and for
// kafka-python's codecs Debian's python3-snappy, python3-lz4, python3-zstandard):
//   node --import tsx scripts/capture-client-batches.ts [client...]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRecordBatches } from '@tributary/protocol';
import { runAgainstFakeBroker, type ClientRun } from './capture/fake-broker.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'packages/protocol/test/fixtures/batches');
const PYTHON = '/usr/bin/python3';
const TOPIC = 'capture';

interface SentHeader {
  key: string;
  value: string | null;
}
interface SentRecord {
  key: string | null;
  value: string | null;
  headers: SentHeader[];
  timestamp: number | null;
}

// Realistic log lines (they share most of their text, so every codec shrinks the batch; librdkafka
// sends a batch uncompressed when compressing does not make it smaller).
const T0 = 1_763_000_000_000;
const log = (i: number, level: string, msg: string, extra: object): string =>
  JSON.stringify({
    ts: new Date(T0 + i * 37).toISOString(),
    level,
    service: 'checkout',
    host: 'web-3',
    thread: `http-nio-8080-exec-${i % 4}`,
    msg,
    ...extra,
  });
const TRACE = { key: 'trace-id', value: '4bf92f3577b34da6a3ce929d0e0e4736' };
const RECORDS: SentRecord[] = [
  {
    key: 'order-1001',
    value: log(0, 'INFO', 'order placed', { orderId: 1001, amount: 42.5, currency: 'EUR' }),
    headers: [TRACE],
    timestamp: T0,
  },
  {
    key: 'order-1002',
    value: log(1, 'WARN', 'payment retry', { orderId: 1002, attempt: 2, gateway: 'stripe' }),
    headers: [TRACE, { key: 'retry', value: '2' }],
    timestamp: T0 + 1,
  },
  { key: null, value: log(2, 'INFO', 'order placed', { orderId: 1003, amount: 7.99, currency: 'EUR' }), headers: [], timestamp: T0 + 2 },
  { key: '', value: '', headers: [{ key: 'empty', value: '' }], timestamp: T0 + 5 },
  { key: 'order-1001', value: null, headers: [{ key: 'deleted-by', value: null }], timestamp: T0 + 7 },
  { key: 'клиент-7', value: 'unicode: héllo ☃ 日本語', headers: [{ key: 'ünï', value: '✓' }], timestamp: T0 + 3 },
  {
    key: 'order-1004',
    value: log(6, 'ERROR', 'payment declined', { orderId: 1004, gateway: 'stripe', code: 'card_declined' }),
    headers: [TRACE],
    timestamp: T0 + 9,
  },
];

interface Client {
  name: string;
  codecs: string[];
  version(): string;
  /** What this client can express of RECORDS, and notes on what was left out. */
  records(): { records: SentRecord[]; notes: string };
  run(codec: string, records: SentRecord[]): Pick<ClientRun, 'cmd' | 'args' | 'input'>;
}

const PY_COMMON = `
import sys, json
recs = json.loads(sys.stdin.read())
enc = lambda s: None if s is None else s.encode('utf-8')
hdrs = lambda r: [(h['key'], enc(h['value'])) for h in r['headers']]
`;
const CONFLUENT = `${PY_COMMON}
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'linger.ms': 200, 'compression.codec': sys.argv[2], 'enable.idempotence': False})
for r in recs:
    p.produce('${TOPIC}', key=enc(r['key']), value=enc(r['value']), partition=0, headers=hdrs(r), timestamp=r['timestamp'])
p.flush(10)
`;
const KAFKA_PYTHON = `${PY_COMMON}
from kafka import KafkaProducer
codec = None if sys.argv[2] == 'none' else sys.argv[2]
p = KafkaProducer(bootstrap_servers=sys.argv[1], acks=1, linger_ms=200, compression_type=codec, request_timeout_ms=5000, api_version_auto_timeout_ms=5000)
fs = [p.send('${TOPIC}', key=enc(r['key']), value=enc(r['value']), partition=0, headers=hdrs(r), timestamp_ms=r['timestamp']) for r in recs]
for f in fs: f.get(timeout=10)
p.close(timeout=5)
`;
const KAFKAJS = `
const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = require('kafkajs');
CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy');
const recs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy }[process.argv[2]];
const kafka = new Kafka({ clientId: 'kafkajs-capture', brokers: [process.argv[1]], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
(async () => {
  const producer = kafka.producer();
  await producer.connect();
  const messages = recs.map((r) => {
    const headers = {};
    for (const h of r.headers) headers[h.key] = h.key in headers ? [].concat(headers[h.key], h.value) : h.value;
    return { partition: 0, key: r.key, value: r.value, headers, timestamp: r.timestamp === null ? undefined : String(r.timestamp) };
  });
  await producer.send({ topic: '${TOPIC}', compression, acks: -1, messages });
  await producer.disconnect();
})().catch((e) => { console.error('kafkajs:', e.message); process.exit(1); });
`;

const py = (module: string, expr: string) => () =>
  execFileSync(PYTHON, ['-c', `import ${module}; print(${expr})`], { encoding: 'utf8' }).trim();

// kcat: one record per stdin line "<key>\t<value>" (no tab: null key); headers (-H, global to all
// records: "k=v", "k=" empty, "k" null) and no per-record timestamps.
const KCAT_HEADERS: SentHeader[] = [TRACE, { key: 'empty', value: '' }, { key: 'deleted-by', value: null }];
const kcatRecords = (): SentRecord[] =>
  [RECORDS[0]!, RECORDS[2]!, RECORDS[3]!, RECORDS[5]!, RECORDS[6]!].map((r) => ({ ...r, headers: KCAT_HEADERS, timestamp: null }));

const withoutNullHeaderValues = (): SentRecord[] => RECORDS.map((r) => ({ ...r, headers: r.headers.filter((h) => h.value !== null) }));

const CLIENTS: Client[] = [
  {
    name: 'kcat',
    codecs: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    version: () => {
      const m = /Version ([\w.]+) .*librdkafka ([\w.]+)/.exec(execFileSync('kcat', ['-V'], { encoding: 'utf8' }));
      return m ? `kcat ${m[1]}, librdkafka ${m[2]}` : 'kcat';
    },
    records: () => ({
      records: kcatRecords(),
      notes:
        'kcat -K "\\t": no per-record headers (-H applies to every record), no timestamps (client clock), a null value is not expressible without -Z (which makes empty ones null)',
    }),
    run: (codec, records) => ({
      cmd: 'kcat',
      args: (port) => [
        '-b',
        `127.0.0.1:${port}`,
        '-P',
        '-t',
        TOPIC,
        '-p',
        '0',
        '-K',
        '\t',
        '-X',
        'linger.ms=200',
        '-z',
        codec,
        ...KCAT_HEADERS.flatMap((h) => ['-H', h.value === null ? h.key : `${h.key}=${h.value}`]),
      ],
      input: records.map((r) => (r.key === null ? r.value! : `${r.key}\t${r.value}`)).join('\n') + '\n',
    }),
  },
  {
    name: 'confluent-kafka',
    codecs: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    version: py('confluent_kafka', "'confluent-kafka %s, librdkafka %s' % (confluent_kafka.version()[0], confluent_kafka.libversion()[0])"),
    records: () => ({ records: RECORDS, notes: '' }),
    run: (codec, records) => ({
      cmd: PYTHON,
      args: (port) => ['-c', CONFLUENT, `127.0.0.1:${port}`, codec],
      input: JSON.stringify(records),
    }),
  },
  {
    name: 'kafka-python',
    codecs: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    version: py('kafka', "'kafka-python %s' % kafka.__version__"),
    records: () => ({
      records: withoutNullHeaderValues(),
      notes:
        'kafka-python cannot send a null header value (it is left out); snappy, lz4 and zstd through Debian python3-snappy, python3-lz4, python3-zstandard',
    }),
    run: (codec, records) => ({
      cmd: PYTHON,
      args: (port) => ['-c', KAFKA_PYTHON, `127.0.0.1:${port}`, codec],
      input: JSON.stringify(records),
    }),
  },
  {
    name: 'kafkajs',
    codecs: ['none', 'gzip', 'snappy'],
    version: () =>
      `kafkajs ${(createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version}` +
      `, kafkajs-snappy ${(createRequire(import.meta.url)('kafkajs-snappy/package.json') as { version: string }).version}`,
    records: () => ({
      records: withoutNullHeaderValues(),
      notes:
        'KafkaJS cannot send a null header value (it is left out); snappy through kafkajs-snappy; lz4 and zstd need codec packages not installed',
    }),
    run: (codec, records) => ({
      cmd: process.execPath,
      args: (port) => ['-e', KAFKAJS, `127.0.0.1:${port}`, codec],
      input: JSON.stringify(records),
    }),
  },
];

async function capture(client: Client, codec: string): Promise<boolean> {
  const { records, notes } = client.records();
  let frame: Buffer | null = null;
  let body: any;
  const start = Date.now();
  await runAgainstFakeBroker({
    label: `${client.name} ${codec}`,
    ...client.run(codec, records),
    onRequest(req) {
      if (req.api === 'produce' && !frame) {
        frame = req.frame;
        body = req.body;
      }
    },
  });
  const end = Date.now();
  if (!frame) {
    console.log(`  ! no Produce request`);
    return false;
  }
  // a sanity check only: the test compares the records themselves
  const batches = await decodeRecordBatches(body.topicData[0].partitionData[0].records);
  const count = batches.reduce((n, b) => n + b.records.length, 0);
  if (count !== records.length) {
    console.log(`  ! the first Produce request carries ${count} of ${records.length} records`);
    return false;
  }
  const base = join(OUT, `${client.name}-${codec}`);
  writeFileSync(`${base}.bin`, frame);
  const fixture = {
    client: client.name,
    clientVersion: client.version(),
    codec,
    topic: TOPIC,
    partition: 0,
    capturedAtMs: [start, end],
    notes,
    records,
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(
    `  ${client.name}-${codec}.bin (${(frame as Buffer).length} bytes, ${batches.length} batch, attributes ${batches.map((b) => b.attributes).join(',')})`,
  );
  return true;
}

const only = process.argv.slice(2);
mkdirSync(OUT, { recursive: true });
let failed = 0;
for (const client of CLIENTS) {
  if (only.length && !only.includes(client.name)) continue;
  for (const codec of client.codecs) if (!(await capture(client, codec))) failed++;
}
process.exit(failed ? 1 : 0);
