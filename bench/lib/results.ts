// Results files: bench/results/<timestamp>.json and bench/results/latest.json, shaped
// { machine, startedAt, rows: Row[] }, and the comparison with the previous latest.json.
import { cpus, totalmem, platform, release, loadavg, type as osType } from 'node:os';
import { readFileSync, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Row } from './types.ts';

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started (other work on the machine lowers every number). */
  loadAvg1m: number;
}

export interface ResultsFile {
  machine: Machine;
  startedAt: string;
  rows: Row[];
}

export function describeMachine(): Machine {
  let os = `${osType()} ${release()} (${platform()})`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty}, ${osType()} ${release()}`;
  } catch {
    /* not Linux */
  }
  const c = cpus();
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cpuCount: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os,
    loadAvg1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** Quick runs keep their own files (<ts>-quick.json, latest-quick.json): their counts differ. */
const latestName = (quick: boolean) => (quick ? 'latest-quick.json' : 'latest.json');

export function loadPrevious(dir: string, quick = false): ResultsFile | null {
  const path = join(dir, latestName(quick));
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
    return Array.isArray(parsed.rows) ? parsed : null;
  } catch {
    return null;
  }
}

export async function saveResults(dir: string, results: ResultsFile, quick = false): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}${quick ? '-quick' : ''}.json`);
  const text = JSON.stringify(results, null, 2) + '\n';
  await writeFile(path, text);
  await writeFile(join(dir, latestName(quick)), text);
  return path;
}

export const rowKey = (r: Row) => `${r.scenario}|${r.system}|${r.client ?? ''}`;

/** The number that compares two runs of a row (>1 = better): p99 latency for latency rows (previous / current), else records/s, else MB/s. */
export function ratioToPrevious(current: Row, previous: Row | undefined): number | null {
  if (!previous) return null;
  if (current.p99Ms != null && previous.p99Ms != null && current.p99Ms > 0) return previous.p99Ms / current.p99Ms;
  for (const k of ['recordsPerSec', 'mbPerSec'] as const) {
    const a = current[k],
      b = previous[k];
    if (a != null && b != null && b > 0) return a / b;
  }
  if (current.p50Ms != null && previous.p50Ms != null && current.p50Ms > 0) return previous.p50Ms / current.p50Ms;
  return null;
}
