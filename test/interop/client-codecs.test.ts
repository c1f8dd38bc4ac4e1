// Cross-client record exchange with @tributary/client through a Tributary broker, per codec:
// records our producer writes (keys, null keys, headers, explicit timestamps) are read exactly by
// kcat (librdkafka) and confluent-kafka; records kcat and confluent-kafka write are read exactly
// by our consumer: count, order, offsets contiguous from 0, keys, values, headers, timestamps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka, type ConsumerRecord, type Message } from '@tributary/client';
import { PYTHON, needTool } from './tools.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const N = 50;
const BASE_TS = 1_700_000_000_000;

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'interop-codecs' });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

function run(cmd: string, args: string[], input: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`));
    });
    child.stdin.end(input);
  });
}

/** Normalized record: the shape every client's output is reduced to. */
interface Rec {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

function ourRecords(codec: string): Message[] {
  return Array.from({ length: N }, (_, i) => ({
    key: i % 5 === 0 ? null : `key-${i}`,
    value: `${codec} value ${i} ${'é✓'.repeat(i % 4)} ${'z'.repeat(i * 3)}`,
    headers:
      i % 4 === 0
        ? []
        : [
            { key: 'trace', value: `t${i}` },
            { key: 'n', value: String(i) },
          ],
    timestamp: BASE_TS + i * 1000,
  }));
}

function expectedFrom(ms: Message[]): Rec[] {
  return ms.map((m, i) => ({
    offset: i,
    timestamp: m.timestamp!,
    key: (m.key as string | null) ?? null,
    value: m.value as string,
    headers: (m.headers as Array<{ key: string; value: string }>).map((h) => [h.key, h.value]),
  }));
}

function fromOurs(r: ConsumerRecord): Rec {
  return {
    offset: Number(r.offset),
    timestamp: r.timestamp,
    key: r.key?.toString('utf8') ?? null,
    value: r.value?.toString('utf8') ?? null,
    headers: r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null]),
  };
}

async function consumeOurs(topic: string, n: number): Promise<ConsumerRecord[]> {
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign([{ topic, partition: 0 }]);
  const out: ConsumerRecord[] = [];
  const timer = setTimeout(() => void consumer.close(), 30_000);
  for await (const r of consumer) {
    out.push(r);
    if (out.length >= n) break;
  }
  clearTimeout(timer);
  await consumer.close();
  return out;
}

async function kcatConsume(topic: string): Promise<Rec[]> {
  const out = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-J', '-q'], '');
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const m = JSON.parse(line) as {
        offset: number;
        ts: number;
        key: string | null;
        payload: string | null;
        headers?: Array<string | null>;
      };
      const h = m.headers ?? [];
      const headers: Array<[string, string | null]> = [];
      for (let i = 0; i < h.length; i += 2) headers.push([h[i]!, h[i + 1] ?? null]);
      return { offset: m.offset, timestamp: m.ts, key: m.key, value: m.payload, headers };
    });
}

// confluent-kafka (librdkafka) driver: a JSON job on stdin, JSON on stdout; bytes as UTF-8 text.
const CONFLUENT = String.raw`
import json, sys
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
job = json.load(sys.stdin)
def dec(b): return None if b is None else b.decode('utf-8')
if job['op'] == 'produce':
    p = Producer({'bootstrap.servers': job['bootstrap'], 'compression.type': job['codec'], 'linger.ms': 20, 'acks': 'all'})
    reports = []
    def cb(err, msg):
        reports.append({'error': None if err is None else str(err), 'offset': msg.offset()})
    for r in job['records']:
        p.produce(job['topic'], value=None if r['value'] is None else r['value'].encode('utf-8'),
                  key=None if r['key'] is None else r['key'].encode('utf-8'),
                  headers=[(k, None if v is None else v.encode('utf-8')) for k, v in r['headers']],
                  timestamp=r['timestamp'], partition=0, on_delivery=cb)
    left = p.flush(30)
    print(json.dumps({'left': left, 'reports': reports}))
else:
    c = Consumer({'bootstrap.servers': job['bootstrap'], 'group.id': 'interop-confluent', 'enable.auto.commit': False,
                  'enable.partition.eof': True})
    c.assign([TopicPartition(job['topic'], 0, OFFSET_BEGINNING)])
    out = []
    while len(out) < job['count']:
        m = c.poll(20)
        if m is None: break
        if m.error():
            if m.error().code() == -191: continue  # partition EOF
            raise Exception(str(m.error()))
        out.append({'offset': m.offset(), 'timestamp': m.timestamp()[1], 'key': dec(m.key()), 'value': dec(m.value()),
                    'headers': [[k, dec(v)] for k, v in (m.headers() or [])]})
    c.close()
    print(json.dumps(out))
`;

async function confluent<T>(job: object): Promise<T> {
  return JSON.parse(await run(PYTHON, ['-c', CONFLUENT], JSON.stringify({ bootstrap: broker.bootstrap, ...job }))) as T;
}

describe('our producer -> kcat and confluent-kafka', () => {
  for (const codec of CODECS) {
    it(`${codec}: kcat and confluent-kafka read our records exactly`, async (t) => {
      const topic = `ours-${codec}`;
      const ms = ourRecords(codec);
      const producer = kafka.producer({ compression: codec, lingerMs: 5 });
      const meta = await producer.send({ topic, messages: ms });
      await producer.close();
      assert.deepEqual(
        meta.map((m) => Number(m.offset)),
        ms.map((_, i) => i),
      );
      const want = expectedFrom(ms);
      // One subtest per tool: a missing tool skips (or, in CI, fails) only its own half.
      await t.test('kcat', async (st) => {
        if (!needTool(st, 'kcat')) return;
        assert.deepEqual(await kcatConsume(topic), want);
      });
      await t.test('confluent-kafka', async (st) => {
        if (!needTool(st, 'confluent-kafka')) return;
        assert.deepEqual(await confluent<Rec[]>({ op: 'consume', topic, count: N }), want);
      });
    });
  }
});

describe('kcat and confluent-kafka -> our consumer', () => {
  for (const codec of CODECS) {
    it(`${codec}: our consumer reads confluent-kafka's records exactly`, async (t) => {
      if (!needTool(t, 'confluent-kafka')) return;
      const topic = `confluent-${codec}`;
      const ms = ourRecords(codec);
      const want = expectedFrom(ms);
      const r = await confluent<{ left: number; reports: Array<{ error: string | null; offset: number }> }>({
        op: 'produce',
        topic,
        codec,
        records: want.map((w) => ({ key: w.key, value: w.value, headers: w.headers, timestamp: w.timestamp })),
      });
      assert.equal(r.left, 0);
      assert.deepEqual(
        r.reports.map((x) => [x.error, x.offset]),
        want.map((_, i) => [null, i]),
      );
      assert.deepEqual((await consumeOurs(topic, N)).map(fromOurs), want);
    });

    it(`${codec}: our consumer reads kcat's records exactly`, async (t) => {
      if (!needTool(t, 'kcat')) return;
      const topic = `kcat-${codec}`;
      const lines = Array.from({ length: N }, (_, i) => `k${i}|${codec} kcat ${i} ${'é✓'.repeat(i % 4)}`);
      const before = Date.now();
      await run(
        'kcat',
        [
          '-P',
          '-b',
          broker.bootstrap,
          '-t',
          topic,
          '-p',
          '0',
          '-K',
          '|',
          '-z',
          codec,
          '-H',
          'src=kcat',
          '-H',
          'codec=' + codec,
          '-X',
          'linger.ms=20',
        ],
        lines.join('\n') + '\n',
      );
      const got = (await consumeOurs(topic, N)).map(fromOurs);
      const afterProduce = Date.now();
      for (const g of got) assert.ok(g.timestamp >= before - 1000 && g.timestamp <= afterProduce, `timestamp ${g.timestamp}`);
      assert.deepEqual(
        got.map((g) => ({ ...g, timestamp: 0 })),
        lines.map((l, i) => ({
          offset: i,
          timestamp: 0,
          key: `k${i}`,
          value: l.slice(l.indexOf('|') + 1),
          headers: [
            ['src', 'kcat'],
            ['codec', codec],
          ],
        })),
      );
    });
  }
});
