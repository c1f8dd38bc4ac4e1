// Our consumer alone, for profiling: starts one `tributary start` child, fills a 1-partition topic
// with the raw generator (untimed), then reads it from offset 0 by assign() a few times, through
// `consumer.batches()` or the per-record iterator, summing value lengths (checked). Prints
// records/s and this process's CPU µs/record per round.
//   node --import tsx bench/consume-profile.ts [options]
// options: --size 100|1024 (default 100), --count N (default 1,000,000 / 300,000),
//          --mode batches|records (default batches), --rounds N (default 3), --no-crc (checkCrcs false),
//          --profile <file.cpuprofile>: a V8 CPU profile of the consume rounds only (not the fill),
//          summarised on stdout (open the file in Chrome DevTools for the rest)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBrokerProcess } from './lib/broker-process.ts';
import { probeApiVersions } from './lib/kafka-raw.ts';
import { RawConnection } from './lib/raw-client.ts';
import { rawEnsureTopic, rawProduce } from './lib/raw-load.ts';
import { topSelfTime } from './lib/profile-summary.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const size = Number(arg('size', '100'));
const count = Number(arg('count', size <= 100 ? '1000000' : '300000'));
const mode = arg('mode', 'batches') as 'batches' | 'records';
const rounds = Number(arg('rounds', '3'));
const profile = process.argv.includes('--profile') ? arg('profile', '') : null;

const root = resolve(import.meta.dirname, '..');
const tmp = await mkdtemp(join(tmpdir(), 'consume-profile-'));
const broker = await startBrokerProcess(root, tmp, { settings: { 'num.partitions': 1 } });
try {
  const apis = await probeApiVersions('127.0.0.1', broker.port);
  const conn = await RawConnection.open('127.0.0.1', broker.port);
  try {
    await rawEnsureTopic(conn, apis, 'bench', 1);
    await rawProduce(conn, apis, { topic: 'bench', size, count, acks: 1, compression: 'none' });
  } finally {
    conn.close();
  }
  const { Kafka } = await import('@tributary/client');
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  // GC pauses of this process (main thread) during the rounds
  let gcMs = 0;
  let gcCount = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcCount++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  for (let round = 1; round <= rounds; round++) {
    gcMs = 0;
    gcCount = 0;
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'profile' });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest', checkCrcs: !process.argv.includes('--no-crc') });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let seen = 0;
    let bytes = 0;
    try {
      consumer.assign([{ topic: 'bench', partition: 0 }]);
      if (mode === 'batches') {
        for await (const b of consumer.batches()) {
          for (const r of b.records) bytes += r.value!.length;
          seen += b.records.length;
          if (seen >= count) break;
        }
      } else {
        for await (const r of consumer) {
          bytes += r.value!.length;
          if (++seen >= count) break;
        }
      }
    } finally {
      await consumer.close();
      await kafka.close();
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (seen !== count || bytes !== count * size)
      throw new Error(`read ${seen} records, ${bytes} bytes; expected ${count}, ${count * size}`);
    console.log(
      `round ${round} ${mode} ${size} B: ${Math.round(count / secs).toLocaleString('en-US')} records/s, client CPU ${((cpu.user + cpu.system) / count).toFixed(2)} µs/record (system ${(cpu.system / count).toFixed(2)}), GC ${gcCount} pauses ${((gcMs * 1000) / count).toFixed(2)} µs/record`,
    );
  }
  gcObserver.disconnect();
  if (session && profile) {
    const { profile: data } = await session.post('Profiler.stop');
    await writeFile(profile, JSON.stringify(data));
    session.disconnect();
    console.log(topSelfTime(profile, 25).join('\n'));
  }
} finally {
  await broker.stop();
  await rm(tmp, { recursive: true, force: true });
}
