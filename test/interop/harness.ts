// Shared pieces of the interop suite: a broker per test (testkit, free port, temp dir), child
// processes with hard timeouts that are always killed, the Python drivers, the records every client
// produces, and exact comparisons of what a client consumed / what the broker stored against them.
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBroker, type StartBrokerOptions, type TestBroker } from '@tributary/testkit';
import { CompressionType, type DecodedBatch } from '@tributary/protocol';
import { cliCommand } from '../../packages/tributary/src/cli-command.ts';
import { PYTHON } from './tools.ts';
import { readPartition } from './wire-client.ts';

export const PY_DIR = fileURLToPath(new URL('./py/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
export const CODEC_TYPE: Record<Codec, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** A broker for one test; defaults keep it quiet and deterministic (1 partition, auto-create on). */
export function startTestBroker(opts: StartBrokerOptions = {}): Promise<TestBroker> {
  return startBroker({ ...opts, settings: { 'num.partitions': 1, ...opts.settings } });
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Runs a command to completion; SIGKILLed after `timeoutMs`. Never rejects for a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      live.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

/** Like run(), but asserts exit code 0 and returns stdout. */
export async function runOk(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  assert.ok(
    r.code === 0 && !r.timedOut,
    `${cmd} ${args.join(' ')} ${r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`}\nstderr:\n${r.stderr.slice(-4000)}\nstdout:\n${r.stdout.slice(-2000)}`,
  );
  return r.stdout;
}

/** Runs test/interop/py/<script> with a JSON request on stdin; returns its JSON answer (last stdout line). */
export async function runPython<T = unknown>(script: string, request: unknown, timeoutMs = 30_000): Promise<T> {
  const out = await runOk(PYTHON, [PY_DIR + script], { input: JSON.stringify(request), timeoutMs });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Long-lived child process, killed (SIGKILL) by `kill()` and at process exit. */
export function spawnTracked(cmd: string, args: string[], opts: Parameters<typeof spawn>[2] = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** Polls `cond` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  cond: () => T | Promise<T>,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<Awaited<T>>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---------------------------------------------------------------------------------------------
// Records: what every client produces, and how consumed / stored records are compared.

export interface Rec {
  key: string | null;
  value: string | null;
  headers: [string, string][];
  /** CreateTime in ms; when a client cannot set it, the comparison checks the stored one instead. */
  timestamp?: number;
}

/** What a client consumed, normalized by the test (null value = tombstone). */
export interface Consumed extends Rec {
  offset: number;
  timestamp: number;
}

/**
 * `n` records tagged with `tag` (unique per producer run): keys, multi-line-free text values long
 * enough to compress, two headers each (one repeated key), and CreateTime timestamps 1 ms apart.
 */
export function makeRecords(tag: string, n: number, opts: { headers?: boolean; timestamps?: boolean; baseTs?: number } = {}): Rec[] {
  const base = opts.baseTs ?? 1_700_000_000_000;
  return Array.from({ length: n }, (_, i) => ({
    key: `${tag}-key-${i % 7}`,
    value: `${tag} value ${i} ` + 'abcdefghij'.repeat(1 + (i % 5)),
    headers:
      opts.headers === false
        ? []
        : [
            ['h-index', String(i)],
            ['h-index', `again-${i}`],
            ['h-tag', tag],
          ],
    ...(opts.timestamps === false ? {} : { timestamp: base + i }),
  }));
}

const str = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

/** Records as the broker stores them (our own reader, Fetch v11, from `fromOffset`), with each batch's codec. */
export async function storedRecords(
  port: number,
  topic: string,
  partition = 0,
  fromOffset = 0,
): Promise<{ records: Consumed[]; batches: DecodedBatch[]; highWatermark: number }> {
  const { batches, highWatermark } = await readPartition(port, topic, partition, BigInt(fromOffset));
  const records = batches.flatMap((b) =>
    b.records.map((r) => ({
      offset: Number(r.offset),
      timestamp: Number(r.timestamp),
      key: str(r.key),
      value: str(r.value),
      headers: r.headers.map((h) => [h.key, str(h.value) ?? ''] as [string, string]),
    })),
  );
  return { records, batches, highWatermark: Number(highWatermark) };
}

/**
 * Asserts `got` is exactly `expected`, in order, at offsets `fromOffset`, `fromOffset+1`, ...:
 * keys, values, headers (order and duplicates included) and timestamps (where `expected` has them,
 * or where `timestamps` gives the stored ones).
 */
export function assertRecords(
  got: Consumed[],
  expected: Rec[],
  opts: { fromOffset?: number; timestamps?: number[]; label?: string } = {},
): void {
  const label = opts.label ? `${opts.label}: ` : '';
  const from = opts.fromOffset ?? 0;
  assert.equal(got.length, expected.length, `${label}record count`);
  for (let i = 0; i < expected.length; i++) {
    const g = got[i]!;
    const e = expected[i]!;
    assert.equal(g.offset, from + i, `${label}offset of record ${i}`);
    assert.equal(g.key, e.key, `${label}key of record ${i}`);
    assert.equal(g.value, e.value, `${label}value of record ${i}`);
    assert.deepEqual(g.headers, e.headers, `${label}headers of record ${i}`);
    const ts = e.timestamp ?? opts.timestamps?.[i];
    if (ts !== undefined) assert.equal(g.timestamp, ts, `${label}timestamp of record ${i}`);
  }
}

/**
 * Asserts the broker stored `expected` at offsets 0.. and every batch uses `codec`; returns the
 * stored records. `allowSmallUncompressed` is for librdkafka producers (kcat, confluent-kafka) only:
 * librdkafka sends a batch uncompressed when compressing does not make it smaller (a lone small
 * record that went out before linger.ms), so batches of at most 2 records may be uncompressed as long
 * as the codec carries at least 90% of the records. Every other client must compress every batch.
 */
export async function assertStored(
  port: number,
  topic: string,
  expected: Rec[],
  codec: Codec,
  opts: { partition?: number; allowSmallUncompressed?: boolean } = {},
): Promise<Consumed[]> {
  const partition = opts.partition ?? 0;
  const { records, batches, highWatermark } = await storedRecords(port, topic, partition);
  assertRecords(records, expected, { label: `stored ${topic}-${partition}` });
  assert.equal(highWatermark, expected.length, 'high watermark');
  let compressed = 0;
  for (const b of batches) {
    const what = `batch at ${b.baseOffset} (${b.recordsCount} records) has compression ${b.compression}, expected ${CODEC_TYPE[codec]} (${codec})`;
    if (b.compression === CODEC_TYPE[codec]) compressed += b.recordsCount;
    else if (opts.allowSmallUncompressed) assert.ok(b.compression === CompressionType.None && b.recordsCount <= 2, what);
    else assert.fail(what);
  }
  assert.ok(
    compressed >= expected.length * (opts.allowSmallUncompressed ? 0.9 : 1),
    `only ${compressed} of ${expected.length} records stored with ${codec}`,
  );
  return records;
}

// ---------------------------------------------------------------------------------------------
// A broker as a child process (`tributary start`), for SIGKILL and memory measurements.

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  bootstrap: string;
  /** Resident set size of the broker process in bytes (Linux /proc). */
  rss(): number;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  output(): string;
}

/**
 * Starts `tributary start` on a free port with `dataDir`; resolves once it prints its listener.
 * `wrapper`: a command the broker runs under (e.g. strace and its options).
 */
export async function startBrokerProcess(
  dataDir: string,
  overrides: Record<string, string | number> = {},
  timeoutMs = 20_000,
  wrapper: string[] = [],
): Promise<BrokerProcess> {
  const args = [...cliCommand(), 'start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dataDir}`];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  const [cmd, ...cmdArgs] = [...wrapper, ...args];
  const child = spawnTracked(cmd!, cmdArgs, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' } });
  let out = '';
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on PLAINTEXT:\/\/[^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code ?? sig}) before listening:\n${out}`));
    });
  });
  return {
    child,
    port,
    bootstrap: `127.0.0.1:${port}`,
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    output: () => out,
  };
}
