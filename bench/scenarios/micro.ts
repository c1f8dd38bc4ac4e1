// "micro" group: the single-process micro benchmarks (bench/*-bench.ts: protocol-bench.ts,
// storage-bench.ts), each run as a child process (node --import tsx --expose-gc). A bench reports
// its rows as one `BENCH_JSON {"rows":[{name, mbps, note}]}` line (when BENCH_JSON=1), or as text:
// lines "<name>  <number> MB/s  <note>", or markdown tables whose cells read "<number> MB/s" (one
// row per such cell; the table's other cells — latencies, memory — are printed as notes).
// BENCH_BUDGET_MS sets the time per measurement; --quick runs only the benches that honour it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execTimed } from '../lib/exec.ts';
import { row, type Row, type ScenarioGroup } from '../lib/types.ts';

interface MicroRow {
  name: string;
  mbps: number;
  note?: string;
}

const MBPS = /^([\d.,]+) MB\/s\b\s*(.*)$/;

function parse(stdout: string, notes: string[]): MicroRow[] {
  const json = /^BENCH_JSON (.*)$/m.exec(stdout);
  if (json) return (JSON.parse(json[1]!) as { rows: MicroRow[] }).rows;
  const rows: MicroRow[] = [];
  for (const m of stdout.matchAll(/^(\S.*?)\s{2,}([\d.,]+) MB\/s\s*(.*)$/gm)) {
    if (!m[1]!.startsWith('|')) rows.push({ name: m[1]!, mbps: Number(m[2]!.replace(/,/g, '')), note: m[3] });
  }
  // markdown tables: | a | b | ... |, header then |---|
  let header: string[] | null = null;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('|')) {
      header = null;
      continue;
    }
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split('|')
      .map((c) => c.trim());
    if (cells.every((c) => /^-*$/.test(c))) continue;
    if (!header) {
      header = cells;
      continue;
    }
    let any = false;
    cells.forEach((cell, i) => {
      const m = MBPS.exec(cell);
      if (i === 0 || !m) return;
      any = true;
      rows.push({ name: `${cells[0]} [${header![i]}]`, mbps: Number(m[1]!.replace(/,/g, '')), note: m[2] || undefined });
    });
    if (!any) notes.push(cells.join(' | '));
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
    readdirSync(join(ctx.root, 'bench'))
      .filter((f) => f.endsWith('-bench.ts'))
      .sort()
      .map((file) => ({
        name: `micro ${file.replace(/\.ts$/, '')}`,
        skip: () =>
          ctx.quick && !readFileSync(join(ctx.root, 'bench', file), 'utf8').includes('BENCH_BUDGET_MS')
            ? 'it has a fixed duration (does not read BENCH_BUDGET_MS); runs without --quick'
            : null,
        async run(): Promise<Row[]> {
          const r = await execTimed(process.execPath, ['--import', 'tsx', '--expose-gc', join('bench', file)], {
            cwd: ctx.root,
            timeoutMs: 300_000,
            env: { ...process.env, BENCH_JSON: '1', BENCH_BUDGET_MS: ctx.quick ? '40' : '400' },
          });
          if (r.code !== 0) throw new Error(`${file} exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
          const notes: string[] = [];
          const rows = parse(r.stdout, notes);
          for (const n of notes) ctx.note(`${file}: ${n}`);
          if (rows.length === 0) throw new Error(`${file} printed no results`);
          return rows.map((m) =>
            row({
              scenario: `micro ${file.replace(/-bench\.ts$/, '')}: ${m.name}${m.note ? (m.note.startsWith('(') ? ` ${m.note}` : ` (${m.note})`) : ''}`,
              system: 'tributary',
              mbPerSec: m.mbps,
            }),
          );
        },
      })),
};
