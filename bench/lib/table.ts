// Prints a group's rows as an aligned text table, leaving out columns that are empty in the group.
import type { Row } from './types.ts';

export interface Column {
  title: string;
  value(r: Row): string | null;
  right?: boolean;
}

const int = (n: number | null) => (n == null ? null : Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));
const fixed = (d: number) => (n: number | null) => (n == null ? null : Number.isFinite(n) ? n.toFixed(d) : String(n));
const ms = (n: number | null) => (n == null ? null : !Number.isFinite(n) ? String(n) : n < 10 ? n.toFixed(2) : n.toFixed(1));

export const BASE_COLUMNS: Column[] = [
  { title: 'scenario', value: (r) => r.scenario },
  { title: 'system', value: (r) => r.system },
  { title: 'client', value: (r) => r.client },
  { title: 'rec B', value: (r) => int(r.recordBytes), right: true },
  { title: 'parts', value: (r) => int(r.partitions), right: true },
  { title: 'acks', value: (r) => r.acks },
  { title: 'compr', value: (r) => r.compression },
  { title: 'records', value: (r) => int(r.records), right: true },
  { title: 'rec/s', value: (r) => int(r.recordsPerSec), right: true },
  { title: 'MB/s', value: (r) => fixed(1)(r.mbPerSec), right: true },
  { title: 'p50 ms', value: (r) => ms(r.p50Ms), right: true },
  { title: 'p99 ms', value: (r) => ms(r.p99Ms), right: true },
  { title: 'p99.9 ms', value: (r) => ms(r.p999Ms), right: true },
  { title: 'max ms', value: (r) => ms(r.maxMs ?? null), right: true },
  { title: 'broker CPU%', value: (r) => fixed(0)(r.brokerCpuPct), right: true },
  { title: 'broker RSS MiB', value: (r) => fixed(0)(r.brokerRssMb), right: true },
];

export function formatTable(rows: Row[], extra: Column[] = []): string {
  const columns = [...BASE_COLUMNS, ...extra].filter((c) => rows.some((r) => c.value(r) != null));
  const cells = rows.map((r) => columns.map((c) => c.value(r) ?? '-'));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const ratio = (x: number | null) => (x == null || !Number.isFinite(x) ? null : `${x.toFixed(2)}x`);
