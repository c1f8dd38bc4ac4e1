// "peers" group: NATS JetStream (file storage) and Redis Streams on this machine, driven from Node
// by their own clients, with the same record sizes and counts as the Tributary scenarios. The
// ratio columns divide Tributary's matching row (produce: 1 partition, acks=1, no compression;
// consume: 1 partition, no compression) by the peer's records/s: Tributary's best client program
// (kcat/librdkafka, @tributary/client, KafkaJS; not the raw frame replayer), and @tributary/client
// alone (a Node client against a Node client).
//   NATS core publish: nc.publish onto the stream's subject (no per-message ack), timed until the
//     stream holds every message (JetStream syncs to disk in the background, like Kafka's page cache).
//   NATS js.publish: one PubAck per message, 1,024 publishes awaited per chunk (fewer records: ~26K/s).
//   NATS consume: an ordered push consumer from the start.
//   Redis: XADD in pipelines of 1,000, 4 pipelines in flight; consume XRANGE pages of 1,000.
//     appendonly yes, appendfsync everysec (Redis's durable-ish default for streams), no RDB.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../lib/broker-process.ts';
import { startPeerServer, type PeerServer } from '../lib/peer-server.ts';
import { recordCount, recordValues, sizeLabel, SIZES } from '../lib/shapes.ts';
import { ratio, type Column } from '../lib/table.ts';
import { headlineProduce, realClient } from '../lib/goals.ts';
import { row, type Row, type RunContext, type ScenarioGroup } from '../lib/types.ts';

async function measured<T>(
  server: PeerServer,
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number; cpuPct: number; rssMb: number }> {
  const s = server.sampler().start();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const w = s.stop();
  return { value, seconds, cpuPct: w.cpuPct, rssMb: w.peakRssMb };
}

const JS_ACKED_COUNT = (ctx: RunContext) => (ctx.quick ? 5_000 : 50_000);

async function natsScenario(ctx: RunContext, size: number): Promise<Row[]> {
  const { connect, StorageType } = await import('nats');
  const port = await freePort();
  const dir = await mkdtemp(join(ctx.tmp, 'nats-'));
  const server = await startPeerServer(ctx.tools.natsServer!.path, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], port);
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const rows: Row[] = [];
  const system = `nats ${ctx.tools.natsServer!.version.replace(/^nats-server:\s*/, '')} JetStream file`;
  const client = `nats.js ${ctx.tools.natsClient}`;
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    const values = recordValues(size);
    const n = recordCount(ctx, size);
    const base = { system, recordBytes: size, partitions: 1, acks: null, compression: 'none' };

    await jsm.streams.add({ name: 'BENCH', subjects: ['bench'], storage: StorageType.File });
    const pub = await measured(server, async () => {
      for (let i = 0; i < n; i++) {
        nc.publish('bench', values[i % values.length]!);
        if ((i + 1) % 10_000 === 0) await nc.flush();
      }
      await nc.flush();
      for (let waited = 0; ; waited++) {
        const info = await jsm.streams.info('BENCH');
        if (info.state.messages >= n) return;
        if (waited > 6000) throw new Error(`stream holds ${info.state.messages} of ${n}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    rows.push(
      row({
        ...base,
        scenario: `peer produce ${sizeLabel(size)}`,
        client: `${client} core publish (no per-msg ack)`,
        records: n,
        recordsPerSec: n / pub.seconds,
        mbPerSec: (n * size) / pub.seconds / 1e6,
        brokerCpuPct: pub.cpuPct,
        brokerRssMb: pub.rssMb,
      }),
    );

    const sub = await measured(server, async () => {
      const consumer = await js.consumers.get('BENCH');
      const messages = await consumer.consume({ max_messages: 10_000 });
      let k = 0;
      for await (const m of messages) {
        if (m.data.length !== size) throw new Error(`got a ${m.data.length}-byte message`);
        if (++k >= n) break;
      }
      return k;
    });
    rows.push(
      row({
        ...base,
        scenario: `peer consume ${sizeLabel(size)}`,
        client: `${client} ordered consumer`,
        records: sub.value,
        recordsPerSec: sub.value / sub.seconds,
        mbPerSec: (sub.value * size) / sub.seconds / 1e6,
        brokerCpuPct: sub.cpuPct,
        brokerRssMb: sub.rssMb,
      }),
    );

    const nAcked = JS_ACKED_COUNT(ctx);
    await jsm.streams.add({ name: 'BENCH_ACKED', subjects: ['bench-acked'], storage: StorageType.File });
    const acked = await measured(server, async () => {
      for (let i = 0; i < nAcked; i += 1024) {
        const chunk: Promise<unknown>[] = [];
        for (let j = i; j < Math.min(nAcked, i + 1024); j++) chunk.push(js.publish('bench-acked', values[j % values.length]!));
        await Promise.all(chunk);
      }
    });
    rows.push(
      row({
        ...base,
        scenario: `peer produce ${sizeLabel(size)}`,
        client: `${client} js.publish (acked, 1024 in flight)`,
        acks: 'ack',
        records: nAcked,
        recordsPerSec: nAcked / acked.seconds,
        mbPerSec: (nAcked * size) / acked.seconds / 1e6,
        brokerCpuPct: acked.cpuPct,
        brokerRssMb: acked.rssMb,
      }),
    );
  } finally {
    await nc.close().catch(() => {});
    await server.stop();
  }
  return rows;
}

async function redisScenario(ctx: RunContext, size: number): Promise<Row[]> {
  const { Redis } = await import('ioredis');
  const port = await freePort();
  const dir = await mkdtemp(join(ctx.tmp, 'redis-'));
  const server = await startPeerServer(
    ctx.tools.redisServer!.path,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir],
    port,
  );
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  const rows: Row[] = [];
  const system = `${ctx.tools.redisServer!.version.replace('redis-server', 'redis')} Streams AOF everysec`;
  const client = `ioredis ${ctx.tools.ioredis}`;
  try {
    await redis.connect();
    const values = recordValues(size);
    const n = recordCount(ctx, size);
    const base = { system, recordBytes: size, partitions: 1, acks: null, compression: 'none' };
    const pub = await measured(server, async () => {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const p = redis.pipeline();
          const end = Math.min(n, next + 1000);
          for (; next < end; next++) p.xadd('bench', '*', 'v', values[next % values.length]!);
          const res = await p.exec();
          const err = res?.find(([e]) => e);
          if (err) throw err[0];
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    });
    rows.push(
      row({
        ...base,
        scenario: `peer produce ${sizeLabel(size)}`,
        client: `${client} XADD pipelines of 1000 x4`,
        records: n,
        recordsPerSec: n / pub.seconds,
        mbPerSec: (n * size) / pub.seconds / 1e6,
        brokerCpuPct: pub.cpuPct,
        brokerRssMb: pub.rssMb,
      }),
    );
    const sub = await measured(server, async () => {
      let k = 0;
      let start = '-';
      while (k < n) {
        const page = await redis.xrangeBuffer('bench', start, '+', 'COUNT', 1000);
        if (page.length === 0) throw new Error(`stream ended after ${k} of ${n}`);
        k += page.length;
        start = `(${page[page.length - 1]![0].toString()}`;
      }
      return k;
    });
    rows.push(
      row({
        ...base,
        scenario: `peer consume ${sizeLabel(size)}`,
        client: `${client} XRANGE pages of 1000`,
        records: sub.value,
        recordsPerSec: sub.value / sub.seconds,
        mbPerSec: (sub.value * size) / sub.seconds / 1e6,
        brokerCpuPct: sub.cpuPct,
        brokerRssMb: sub.rssMb,
      }),
    );
  } finally {
    redis.disconnect();
    await server.stop();
  }
  return rows;
}

/** Tributary's best row matching a peer row (same size, 1 partition, no compression; acks=1 for produce) among `client` rows. */
function tributaryFor(rows: readonly Row[], peer: Row, client: (r: Row) => boolean): Row | undefined {
  if (peer.scenario.startsWith('peer produce')) return headlineProduce(rows, peer.recordBytes!, client);
  return rows
    .filter(
      (r) =>
        r.system === 'tributary' &&
        r.scenario.startsWith('consume ') &&
        r.recordBytes === peer.recordBytes &&
        r.partitions === 1 &&
        r.compression === 'none' &&
        r.recordsPerSec != null &&
        client(r),
    )
    .sort((a, b) => b.recordsPerSec! - a.recordsPerSec!)[0];
}

const ratioColumn = (rows: readonly Row[], title: string, client: (r: Row) => boolean): Column => ({
  title,
  right: true,
  value: (r) => {
    if (r.system === 'tributary') return null;
    const ours = tributaryFor(rows, r, client);
    return ours?.recordsPerSec && r.recordsPerSec ? ratio(ours.recordsPerSec / r.recordsPerSec) : 'n/a';
  },
});
const nodeClient = (r: Row) => (r.client ?? '').startsWith('@tributary/client');

export const peersGroup: ScenarioGroup = {
  id: 'peers',
  title: 'peers: NATS JetStream and Redis Streams, same sizes and counts, Node clients (server CPU/RSS in the broker columns)',
  setup: (ctx) => [
    'trib best/peer: Tributary with its best client program (kcat or a Node client, not the raw replayer) / peer; trib node/peer: Tributary with @tributary/client / peer (records/s)',
    `nats-server -a 127.0.0.1 -js -sd <tmp> (${ctx.tools.natsServer?.version ?? 'missing'}); client nats.js ${ctx.tools.natsClient ?? 'missing'}`,
    `redis-server --save '' --appendonly yes --appendfsync everysec (${ctx.tools.redisServer?.version ?? 'missing'}); client ioredis ${ctx.tools.ioredis ?? 'missing'}`,
    `records: ${SIZES.map((s) => `${recordCount(ctx, s).toLocaleString('en-US')} x ${s} B`).join(', ')} (js.publish acked: ${JS_ACKED_COUNT(ctx).toLocaleString('en-US')}); one client process, server and client share the 2 cores`,
  ],
  columns: (rows): Column[] => [ratioColumn(rows, 'trib best/peer', realClient), ratioColumn(rows, 'trib node/peer', nodeClient)],
  scenarios: (ctx) =>
    (ctx.quick ? [100] : SIZES).flatMap((size) => [
      {
        name: `peer nats ${sizeLabel(size)}`,
        skip: () =>
          !ctx.tools.natsServer
            ? 'nats-server not installed (apt-get install nats-server)'
            : !ctx.tools.natsClient
              ? 'npm package nats missing'
              : null,
        run: () => natsScenario(ctx, size),
      },
      {
        name: `peer redis ${sizeLabel(size)}`,
        skip: () =>
          !ctx.tools.redisServer
            ? 'redis-server not installed (apt-get install redis-server)'
            : !ctx.tools.ioredis
              ? 'npm package ioredis missing'
              : null,
        run: () => redisScenario(ctx, size),
      },
    ]),
};
