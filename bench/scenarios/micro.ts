// "micro" group: the single-process micro benchmarks (bench/*-bench.ts: protocol-bench.ts, and
// storage-bench.ts once it lands), each run as a child process. A bench reports its rows either as
// one `BENCH_JSON {"rows":[{name, mbps, note}]}` line (when BENCH_JSON=1) or as text lines
// "<name>  <number> MB/s  <note>". BENCH_BUDGET_MS sets the time per measurement.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execTimed } from '../lib/exec.ts';
import { row, type Row, type ScenarioGroup } from '../lib/types.ts';

interface MicroRow { name: string; mbps: number; note?: string }

function parse(stdout: string): MicroRow[] {
  const json = /^BENCH_JSON (.*)$/m.exec(stdout);
  if (json) return (JSON.parse(json[1]!) as { rows: MicroRow[] }).rows;
  const rows: MicroRow[] = [];
  for (const m of stdout.matchAll(/^(\S.*?)\s{2,}([\d.,]+) MB\/s\s*(.*)$/gm)) {
    rows.push({ name: m[1]!, mbps: Number(m[2]!.replace(/,/g, '')), note: m[3] });
  }
  return rows;
}

export const microGroup: ScenarioGroup = {
  id: 'micro',
  title: 'micro: protocol and storage hot paths, one process, MB/s of uncompressed bytes (median)',
  setup: (ctx) => [
    `each bench/*-bench.ts runs as its own process (node --import tsx), ${ctx.quick ? 40 : 400} ms per measurement (BENCH_BUDGET_MS)`,
  ],
  scenarios: (ctx) =>
    readdirSync(join(ctx.root, 'bench')).filter((f) => f.endsWith('-bench.ts')).sort().map((file) => ({
      name: `micro ${file.replace(/\.ts$/, '')}`,
      async run(): Promise<Row[]> {
        const r = await execTimed(process.execPath, ['--import', 'tsx', join('bench', file)], {
          cwd: ctx.root, timeoutMs: 300_000,
          env: { ...process.env, BENCH_JSON: '1', BENCH_BUDGET_MS: ctx.quick ? '40' : '400' },
        });
        if (r.code !== 0) throw new Error(`${file} exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        const rows = parse(r.stdout);
        if (rows.length === 0) throw new Error(`${file} printed no results`);
        return rows.map((m) => row({
          scenario: `micro ${file.replace(/-bench\.ts$/, '')}: ${m.name}${m.note ? ` (${m.note})` : ''}`,
          system: 'tributary',
          mbPerSec: m.mbps,
        }));
      },
    })),
};
