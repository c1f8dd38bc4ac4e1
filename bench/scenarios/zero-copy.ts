// "zero-copy" group (issue 18): consume throughput and broker CPU per GB served, zero-copy fetch
// (tributary.zero.copy.enable=true: records sent with sendfile from the segment files) against the
// copy path (=false: records read into buffers and written by Node), in one run. For each record
// size (100 B, 1 KiB) and 4 or 16 concurrent consumers: a fresh broker, one topic with one
// partition produced untimed (kcat -P, acks=1), then that many kcat -C processes read it whole
// from offset 0 at the same time (page cache). Rows: rec/s and MB/s of record values summed over
// the consumers (wall time from the first spawn to the last exit), broker CPU% over that window,
// and broker CPU seconds per GB of log bytes served (consumers x the partition's log size).
// kcat parses every record, so with 16 of them on 2 cores the consumers, not the broker, set the
// pace; two more kinds of rows show what the broker's path changes when it is not so:
//   - raw-fetch: 16 wire-level consumers (drivers/fetch_consumer.py: Fetch v4 with 16 MiB per
//     request, only batch headers read) reading a larger topic, so the broker's share grows (the
//     copy path then also pays for 16 MiB read buffers: its RSS doubles; at 1 MiB per Fetch the
//     two paths' CPU s/GB were measured much closer, about 1.2x);
//   - kernel floor: no broker, a sender moving a cached file over loopback TCP with sendfile or
//     with pread + send (drivers/sendfile_floor.py): its CPU s/GB is the least either path can
//     cost on this machine, so the ratio of these two rows bounds the broker's.
import { readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execTimed } from '../lib/exec.ts';
import { kcatConsume } from '../lib/kcat.ts';
import { recordsFile } from '../lib/records.ts';
import { sizeLabel } from '../lib/shapes.ts';
import { which } from '../lib/tools.ts';
import { KCAT_APIS, brokerSkip, createTopics, sampled, timedProduce } from '../lib/tributary.ts';
import { row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';
import type { Column } from '../lib/table.ts';

const SIZES = [1024, 100] as const;
const CONSUMERS = [4, 16] as const;

/** Records per topic: ~48 MB of 1 KiB values, ~12 MB of 100 B ones (each consumer reads them all). */
function records(ctx: RunContext, size: number): number {
  const n = size === 1024 ? 48_000 : 120_000;
  return ctx.quick ? n / 8 : n;
}

function logBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** CPU seconds per GB served of each row, kept beside the rows (the Row shape has no such field). */
const cpuPerGb = new Map<string, number>();
const label = (zeroCopy: boolean) => (zeroCopy ? 'tributary zero-copy' : 'tributary copy path');

function scenario(ctx: RunContext, size: number, consumers: number, zeroCopy: boolean): Scenario {
  const name = `zero-copy consume ${sizeLabel(size)} x${consumers} ${zeroCopy ? 'sendfile' : 'copy'}`;
  return {
    name,
    skip: () => brokerSkip(ctx, KCAT_APIS, { kcat: true }),
    async run(): Promise<Row[]> {
      const n = records(ctx, size);
      const broker = await ctx.startBroker({ settings: { 'num.partitions': 1, 'tributary.zero.copy.enable': zeroCopy } });
      await createTopics(ctx, broker, [{ name: 'zc', partitions: 1 }]);
      await timedProduce(ctx, broker, { topic: 'zc', file: await recordsFile(ctx.tmp, size, n), acks: '1', compression: 'none' });
      const served = logBytes(join(broker.dataDir, 'zc-0')) * consumers;
      const t0 = performance.now();
      const m = await sampled(broker, () =>
        Promise.all(
          Array.from({ length: consumers }, () =>
            kcatConsume(ctx.tools.kcat!.path, { bootstrap: broker.bootstrap, topic: 'zc', timeoutMs: 600_000 }),
          ),
        ),
      );
      const seconds = (performance.now() - t0) / 1000;
      for (const c of m.value) if (c.records !== n) throw new Error(`a consumer read ${c.records} records, expected ${n}`);
      const cpuSeconds = (m.window.cpuPct / 100) * seconds;
      cpuPerGb.set(name, cpuSeconds / (served / 1e9));
      return [
        row({
          scenario: name,
          system: label(zeroCopy),
          client: `${consumers} x kcat -C`,
          recordBytes: size,
          partitions: 1,
          compression: 'none',
          records: n * consumers,
          recordsPerSec: (n * consumers) / seconds,
          mbPerSec: (n * consumers * size) / seconds / 1e6,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: m.window.peakRssMb,
        }),
      ];
    },
  };
}

/** A python3 for the stdlib-only drivers (no confluent-kafka needed), or null. */
const python = (): string | null => process.env.BENCH_PYTHON || which('python3');
const noPython = 'python3 not found (the raw-fetch and kernel floor rows run stdlib python drivers)';
const RAW_CONSUMERS = 16;
const RAW_FETCH_BYTES = 16 << 20;

/** Records of the raw-fetch rows' topic: ~200 MB of 1 KiB values. */
const rawRecords = (ctx: RunContext) => (ctx.quick ? 25_000 : 200_000);

function rawScenario(ctx: RunContext, zeroCopy: boolean): Scenario {
  const size = 1024;
  const name = `zero-copy consume ${sizeLabel(size)} x${RAW_CONSUMERS} raw-fetch ${zeroCopy ? 'sendfile' : 'copy'}`;
  return {
    name,
    skip: () => brokerSkip(ctx, KCAT_APIS, { kcat: true }) ?? (python() ? null : noPython),
    async run(): Promise<Row[]> {
      const n = rawRecords(ctx);
      const broker = await ctx.startBroker({ settings: { 'num.partitions': 1, 'tributary.zero.copy.enable': zeroCopy } });
      await createTopics(ctx, broker, [{ name: 'zc', partitions: 1 }]);
      await timedProduce(ctx, broker, { topic: 'zc', file: await recordsFile(ctx.tmp, size, n), acks: '1', compression: 'none' });
      const served = logBytes(join(broker.dataDir, 'zc-0')) * RAW_CONSUMERS;
      const args = [join(ctx.root, 'bench/drivers/fetch_consumer.py'), '--bootstrap', broker.bootstrap, '--topic', 'zc'];
      args.push('--consumers', String(RAW_CONSUMERS), '--partition-max-bytes', String(RAW_FETCH_BYTES));
      const t0 = performance.now();
      const m = await sampled(broker, () => execTimed(python()!, args, { timeoutMs: 600_000 }));
      const seconds = (performance.now() - t0) / 1000;
      if (m.value.code !== 0) throw new Error(`fetch_consumer.py failed: ${(m.value.stdout + m.value.stderr).trim().slice(-300)}`);
      const out = JSON.parse(m.value.stdout.trim().split('\n').at(-1)!) as { records: number[] };
      for (const r of out.records) if (r !== n) throw new Error(`a consumer read ${r} records, expected ${n}`);
      cpuPerGb.set(name, ((m.window.cpuPct / 100) * seconds) / (served / 1e9));
      return [
        row({
          scenario: name,
          system: label(zeroCopy),
          client: `${RAW_CONSUMERS} x fetch_consumer.py`,
          recordBytes: size,
          partitions: 1,
          compression: 'none',
          records: n * RAW_CONSUMERS,
          recordsPerSec: (n * RAW_CONSUMERS) / seconds,
          mbPerSec: (n * RAW_CONSUMERS * size) / seconds / 1e6,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: m.window.peakRssMb,
        }),
      ];
    },
  };
}

function floorScenario(ctx: RunContext, zeroCopy: boolean): Scenario {
  const name = `zero-copy kernel floor 1MiB sends ${zeroCopy ? 'sendfile' : 'copy'}`;
  const gb = ctx.quick ? 0.5 : 2;
  return {
    name,
    skip: () => (python() ? null : noPython),
    async run(): Promise<Row[]> {
      const file = join(ctx.tmp, 'sendfile-floor.bin');
      const chunk = Buffer.alloc(1 << 20, 0x5a);
      await writeFile(file, Buffer.concat(Array.from({ length: 64 }, () => chunk)));
      const args = [join(ctx.root, 'bench/drivers/sendfile_floor.py'), '--mode', zeroCopy ? 'sendfile' : 'copy', '--file', file];
      const r = await execTimed(python()!, [...args, '--gb', String(gb)], { timeoutMs: 120_000 });
      if (r.code !== 0) throw new Error(`sendfile_floor.py failed: ${(r.stdout + r.stderr).trim().slice(-300)}`);
      const out = JSON.parse(r.stdout.trim()) as { seconds: number; bytes: number; userSeconds: number; sysSeconds: number };
      const cpu = out.userSeconds + out.sysSeconds;
      cpuPerGb.set(name, cpu / (out.bytes / 1e9));
      return [
        row({
          scenario: name,
          system: zeroCopy ? 'sendfile(2), no broker' : 'pread + send, no broker',
          client: '1 reader (python)',
          mbPerSec: out.bytes / out.seconds / 1e6,
          brokerCpuPct: (cpu / out.seconds) * 100,
        }),
      ];
    },
  };
}

export const zeroCopyGroup: ScenarioGroup = {
  id: 'zero-copy',
  title: 'zero-copy fetch (sendfile) against the copy path: concurrent kcat consumers',
  setup: (ctx) => [
    'broker: a fresh `tributary start` per row, num.partitions=1, tributary.zero.copy.enable=true (sendfile) or false (copy path)',
    `data: one partition produced untimed (kcat -P, acks=1, uncompressed), ${records(ctx, 1024)} records of 1 KiB or ${records(ctx, 100)} of 100 B`,
    `then 4 or 16 ${ctx.tools.kcat?.version ?? 'kcat'} processes at once: kcat -C -o beginning -e > /dev/null, each reading the whole partition`,
    'rec/s, MB/s: record values summed over the consumers, over the wall time from the first spawn to the last exit; CPU s/GB: broker CPU seconds over that window per GB of log bytes served (consumers x log size)',
    `raw-fetch rows: ${rawRecords(ctx)} records of 1 KiB, ${RAW_CONSUMERS} wire-level consumers (bench/drivers/fetch_consumer.py, one process and connection each, Fetch v4 of ${RAW_FETCH_BYTES >> 20} MiB, batch headers only) instead of kcat`,
    "kernel floor rows: no broker; bench/drivers/sendfile_floor.py sends a cached 64 MiB file over loopback TCP in 1 MiB pieces with sendfile or pread + send; CPU s/GB and CPU% are the sender's (the least a broker can spend per GB on each path here)",
  ],
  scenarios: (ctx) => [
    ...SIZES.flatMap((size) => CONSUMERS.flatMap((c) => [scenario(ctx, size, c, true), scenario(ctx, size, c, false)])),
    rawScenario(ctx, true),
    rawScenario(ctx, false),
    floorScenario(ctx, true),
    floorScenario(ctx, false),
  ],
  columns(rows): Column[] {
    const copyOf = (r: Row) => rows.find((x) => x.scenario === r.scenario.replace(/sendfile$/, 'copy'));
    return [
      { title: 'CPU s/GB', right: true, value: (r) => (cpuPerGb.has(r.scenario) ? cpuPerGb.get(r.scenario)!.toFixed(2) : null) },
      {
        title: 'vs copy (MB/s, CPU/GB)',
        right: true,
        value: (r) => {
          const c = r.scenario.endsWith('sendfile') ? copyOf(r) : undefined;
          if (!c || !r.mbPerSec || !c.mbPerSec) return null;
          const a = cpuPerGb.get(r.scenario);
          const b = cpuPerGb.get(c.scenario);
          return `${(r.mbPerSec / c.mbPerSec).toFixed(2)}x, ${a && b ? (b / a).toFixed(2) : '?'}x less`;
        },
      },
    ];
  },
};
