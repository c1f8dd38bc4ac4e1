// Record payloads for the load generators: realistic JSON log lines (compress ~3-6x, like real
// logs, unlike a run of one byte) cut or padded to exactly `size` bytes, deterministic per index.
// Files of records are one record per line ('\n' delimited, no '\n' inside), for `kcat -P -l`.
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
const SERVICES = ['checkout', 'payments', 'search', 'inventory', 'auth', 'shipping', 'catalog'];
const PATHS = ['/api/v1/orders', '/api/v1/cart', '/api/v2/search', '/healthz', '/api/v1/users/me', '/api/v1/items'];

/** Deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One record of exactly `size` bytes (ASCII, no newline). */
export function recordValue(i: number, size: number): string {
  const r = rng(i * 2654435761);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  let s = '';
  while (s.length < size) {
    s +=
      JSON.stringify({
        ts: 1_732_000_000_000 + i * 7 + s.length,
        level: pick(LEVELS),
        service: pick(SERVICES),
        path: pick(PATHS),
        status: r() < 0.9 ? 200 : pick([404, 500, 503]),
        ms: Math.round(r() * 2000) / 10,
        trace: Math.floor(r() * 2 ** 52).toString(16),
        user: `u${Math.floor(r() * 100_000)}`,
      }) + ' ';
  }
  return s.slice(0, size);
}

/** A file of `count` records of `size` bytes, one per line; cached by name in `dir`. */
export async function recordsFile(dir: string, size: number, count: number): Promise<string> {
  const path = join(dir, `records-${size}b-${count}.txt`);
  if (existsSync(path)) return path;
  const tmpPath = `${path}.part`;
  const out = createWriteStream(tmpPath);
  const distinct = 4096; // enough variety for realistic compression, cheap to build
  const lines = Array.from({ length: distinct }, (_, i) => recordValue(i, size) + '\n');
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += lines[i % distinct];
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  const { rename } = await import('node:fs/promises');
  await rename(tmpPath, path);
  return path;
}
