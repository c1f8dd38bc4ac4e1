// "zero-copy" group (issue 18): consume throughput and broker CPU per GB served, zero-copy fetch
// (tributary.zero.copy.enable=true: records sent with sendfile from the segment files) against the
// copy path (=false: records read into buffers and written by Node), in one run. For each record
// size (100 B, 1 KiB) and 4 or 16 concurrent consumers: a fresh broker, one topic with one
// partition produced untimed (kcat -P, acks=1), then that many kcat -C processes read it whole
// from offset 0 at the same time (page cache). Rows: rec/s and MB/s of record values summed over
// the consumers (wall time from the first spawn to the last exit), broker CPU% over that window,
// and broker CPU seconds per GB of log bytes served (consumers x the partition's log size).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kcatConsume } from '../lib/kcat.ts';
import { recordsFile } from '../lib/records.ts';
import { sizeLabel } from '../lib/shapes.ts';
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

export const zeroCopyGroup: ScenarioGroup = {
  id: 'zero-copy',
  title: 'zero-copy fetch (sendfile) against the copy path: concurrent kcat consumers',
  setup: (ctx) => [
    'broker: a fresh `tributary start` per row, num.partitions=1, tributary.zero.copy.enable=true (sendfile) or false (copy path)',
    `data: one partition produced untimed (kcat -P, acks=1, uncompressed), ${records(ctx, 1024)} records of 1 KiB or ${records(ctx, 100)} of 100 B`,
    `then 4 or 16 ${ctx.tools.kcat?.version ?? 'kcat'} processes at once: kcat -C -o beginning -e > /dev/null, each reading the whole partition`,
    'rec/s, MB/s: record values summed over the consumers, over the wall time from the first spawn to the last exit; CPU s/GB: broker CPU seconds over that window per GB of log bytes served (consumers x log size)',
  ],
  scenarios: (ctx) => SIZES.flatMap((size) => CONSUMERS.flatMap((c) => [scenario(ctx, size, c, true), scenario(ctx, size, c, false)])),
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
