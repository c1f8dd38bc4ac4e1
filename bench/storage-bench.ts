// Storage benchmark (not a test): prints one table comparing plain Node fs sequential writes with
// PartitionLog appends of the same bytes (1 MiB and 16 KiB batches, 1 and 100 partitions, with and
// without an fsync per append), then read throughput from the page cache, offset and timestamp
// lookup latency, and the resident memory of 10,000 idle partitions.
// Run: node --import tsx --expose-gc bench/storage-bench.ts   (about 30-60 s)
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogManager, type PartitionLog } from '@tributary/storage';
import { computeBatchCrc, Off, BATCH_HEADER_SIZE, LOG_OVERHEAD } from '@tributary/protocol';

const MiB = 1024 * 1024;
const base = fs.mkdtempSync(join(tmpdir(), 'tributary-bench-'));
const rows: string[][] = [];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** One uncompressed batch of `size` bytes holding a single record (header + opaque record bytes + CRC). */
function makeBatch(size: number, ts = Date.now()): Buffer {
  const buf = Buffer.alloc(size, 0x61);
  buf.writeBigInt64BE(0n, Off.BaseOffset);
  buf.writeInt32BE(size - LOG_OVERHEAD, Off.BatchLength);
  buf.writeInt32BE(-1, Off.PartitionLeaderEpoch);
  buf.writeInt8(2, Off.Magic);
  buf.writeInt16BE(0, Off.Attributes);
  buf.writeInt32BE(0, Off.LastOffsetDelta);
  buf.writeBigInt64BE(BigInt(ts), Off.BaseTimestamp);
  buf.writeBigInt64BE(BigInt(ts), Off.MaxTimestamp);
  buf.writeBigInt64BE(-1n, Off.ProducerId);
  buf.writeInt16BE(-1, Off.ProducerEpoch);
  buf.writeInt32BE(-1, Off.BaseSequence);
  buf.writeInt32BE(1, Off.RecordsCount);
  buf.fill(0, BATCH_HEADER_SIZE, BATCH_HEADER_SIZE + 8);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, size), Off.Crc);
  return buf;
}

function mbps(bytes: number, ms: number): string {
  return (bytes / MiB / (ms / 1000)).toFixed(0);
}

/** Raw: plain fs.writeSync of the same bytes to `partitions` files round-robin (+ fsync each when asked). */
function rawWrite(dir: string, batch: Buffer, count: number, partitions: number, fsync: boolean): number {
  fs.mkdirSync(dir, { recursive: true });
  const fds = Array.from({ length: partitions }, (_, i) => fs.openSync(join(dir, `raw-${i}.log`), 'w'));
  // the same layout as the log: a 100-byte batch first (so writes are equally page-unaligned)
  const head = makeBatch(100);
  for (const fd of fds) fs.writeSync(fd, head, 0, head.length, 0);
  const pos = new Array<number>(partitions).fill(head.length);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const p = i % partitions;
    fs.writeSync(fds[p]!, batch, 0, batch.length, pos[p]!);
    pos[p]! += batch.length;
    if (fsync) fs.fsyncSync(fds[p]!);
  }
  const ms = performance.now() - t0;
  for (const fd of fds) fs.closeSync(fd);
  return ms;
}

async function logAppend(
  dir: string,
  batch: Buffer,
  count: number,
  partitions: number,
  fsync: boolean,
): Promise<{ ms: number; mgr: LogManager; logs: PartitionLog[] }> {
  const mgr = new LogManager({ logDirs: [dir], backgroundTasks: false, defaultConfig: { durableAppend: fsync } }).startup();
  const logs = Array.from({ length: partitions }, (_, i) => mgr.getOrCreateLog('bench', i));
  for (const l of logs) l.appendSync(makeBatch(100), { leaderEpoch: 0 }); // epoch checkpoint + files created outside the timing
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const log = logs[i % partitions]!;
    if (fsync) await log.append(batch, { leaderEpoch: 0 });
    else log.appendSync(batch, { leaderEpoch: 0 });
  }
  return { ms: performance.now() - t0, mgr, logs };
}

async function writeCase(label: string, size: number, totalBytes: number, partitions: number, fsync: boolean): Promise<void> {
  const batch = makeBatch(size);
  const count = Math.max(partitions, Math.floor(totalBytes / size));
  const bytes = count * size;
  // Alternate raw and log runs three times and keep the best of each, so page-cache warm-up and
  // background writeback of an earlier run do not favour either side.
  let rawMs = Infinity;
  let ms = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const dirRaw = join(base, `raw-${label}`);
    rawMs = Math.min(rawMs, rawWrite(dirRaw, batch, count, partitions, fsync));
    fs.rmSync(dirRaw, { recursive: true, force: true });
    const dirLog = join(base, `log-${label}`);
    const run = await logAppend(dirLog, batch, count, partitions, fsync);
    ms = Math.min(ms, run.ms);
    run.mgr.shutdown();
    fs.rmSync(dirLog, { recursive: true, force: true });
  }
  rows.push([
    `write ${size >= MiB ? `${size / MiB} MiB` : `${size / 1024} KiB`} x${partitions}p${fsync ? ' fsync' : ''}`,
    `${(bytes / MiB).toFixed(0)} MiB`,
    `${mbps(bytes, rawMs)} MB/s`,
    `${mbps(bytes, ms)} MB/s`,
    `${((rawMs / ms) * 100).toFixed(0)}%`,
    `${((ms * 1000) / count).toFixed(1)} us/append`,
  ]);
}

let asyncRow: string[] = [];
async function main(): Promise<void> {
  console.log(`storage bench in ${base} (node ${process.version})`);
  await writeCase('1m-1', MiB, 64 * MiB, 1, false);
  await writeCase('16k-1', 16 * 1024, 32 * MiB, 1, false);
  await writeCase('1m-100', MiB, 100 * MiB, 100, false);
  await writeCase('16k-100', 16 * 1024, 32 * MiB, 100, false);
  await writeCase('1m-1-f', MiB, 32 * MiB, 1, true);
  await writeCase('16k-1-f', 16 * 1024, 4 * MiB, 1, true);
  await writeCase('1m-100-f', MiB, 50 * MiB, 100, true);
  await writeCase('16k-100-f', 16 * 1024, 8 * MiB, 100, true);
  console.log('\nsequential writes: plain fs.writeSync of the same bytes vs PartitionLog append');
  printTable(['case', 'bytes', 'raw fs', 'log append', 'log/raw', 'per append'], rows);

  // sync vs async small writes: why the append path uses writeSync
  {
    const b = makeBatch(16 * 1024);
    const file = join(base, 'async.log');
    const N = 4096;
    const fd = fs.openSync(file, 'w');
    let t = performance.now();
    for (let i = 0; i < N; i++) fs.writeSync(fd, b, 0, b.length, i * b.length);
    const syncUs = ((performance.now() - t) * 1000) / N;
    fs.closeSync(fd);
    const fh = await fs.promises.open(file, 'w');
    t = performance.now();
    for (let i = 0; i < N; i++) await fh.write(b, 0, b.length, i * b.length);
    const asyncUs = ((performance.now() - t) * 1000) / N;
    await fh.close();
    fs.rmSync(file);
    asyncRow = [
      '16 KiB write: fs.writeSync vs await FileHandle.write',
      `${N} writes`,
      `${syncUs.toFixed(1)} us vs ${asyncUs.toFixed(1)} us`,
    ];
  }

  // reads, lookups: 1 partition of 16 KiB batches with 1 KiB batches in between (many index entries)
  const dir = join(base, 'read');
  const mgr = new LogManager({ logDirs: [dir], backgroundTasks: false, defaultConfig: { segmentBytes: 64 * MiB } }).startup();
  const log = mgr.getOrCreateLog('read', 0);
  const t0 = Date.now() - 1_000_000;
  const n = 20000;
  for (let i = 0; i < n; i++) log.appendSync(makeBatch(i % 2 ? 16 * 1024 : 1024, t0 + i * 10), { leaderEpoch: 0 });
  const total = log.size;
  const other: string[][] = [asyncRow];
  for (const maxBytes of [MiB, 64 * 1024]) {
    let off = 0;
    let bytes = 0;
    const s = performance.now();
    while (off < log.logEndOffset) {
      const r = log.read(off, maxBytes).records;
      bytes += r.length;
      off = Number(r.readBigInt64BE(r.length - (r.readInt32BE(Off.BatchLength) === 0 ? 0 : lastBatchStart(r)))) + 1;
    }
    const ms = performance.now() - s;
    other.push([
      `read whole log, maxBytes ${maxBytes / 1024} KiB`,
      `${(bytes / MiB).toFixed(0)} MiB in ${ms.toFixed(0)} ms`,
      `${mbps(bytes, ms)} MB/s (CRC checked)`,
    ]);
  }
  const lookups = 20000;
  let s = performance.now();
  for (let i = 0; i < lookups; i++) log.read(Math.floor(Math.random() * n), 1);
  let us = ((performance.now() - s) * 1000) / lookups;
  other.push([
    'offset lookup (read 1 batch at a random offset)',
    `${lookups} lookups, ${log.segments.length} segments`,
    `${us.toFixed(1)} us each`,
  ]);
  s = performance.now();
  for (let i = 0; i < lookups; i++) log.offsetForTimestamp(t0 + Math.floor(Math.random() * n * 10));
  us = ((performance.now() - s) * 1000) / lookups;
  other.push(['timestamp lookup (offsetForTimestamp)', `${lookups} lookups`, `${us.toFixed(1)} us each`]);
  mgr.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
  void total;

  // 10,000 idle partitions: each created, given one small batch, flushed; then measure RSS
  const idleBase = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/tributary-idle-') : join(base, 'idle');
  gc();
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const idle = new LogManager({ logDirs: [idleBase], backgroundTasks: false, maxOpenFiles: 1000 }).startup();
  const P = 10000;
  const c0 = performance.now();
  for (let p = 0; p < P; p++) idle.getOrCreateLog('idle', p).appendSync(makeBatch(200), { leaderEpoch: 0 });
  await idle.flushAndCheckpointRecoveryPoints();
  const createMs = performance.now() - c0;
  gc();
  gc();
  const rss1 = process.memoryUsage().rss;
  const heap1 = process.memoryUsage().heapUsed;
  other.push([
    `10,000 idle partitions (${idleBase.startsWith('/dev/shm') ? 'tmpfs' : 'disk'}), created in ${(createMs / 1000).toFixed(1)} s`,
    `RSS +${((rss1 - rss0) / MiB).toFixed(1)} MiB, heap +${((heap1 - heap0) / MiB).toFixed(1)} MiB`,
    `${((rss1 - rss0) / P / 1024).toFixed(1)} KiB RSS, ${((heap1 - heap0) / P / 1024).toFixed(2)} KiB heap per partition`,
  ]);
  const r0 = performance.now();
  idle.shutdown();
  const reopened = new LogManager({ logDirs: [idleBase], backgroundTasks: false }).startup();
  other.push([
    'reopen 10,000 partitions after clean shutdown',
    `${reopened.logCount} logs`,
    `${(performance.now() - r0).toFixed(0)} ms (incl. shutdown)`,
  ]);
  reopened.shutdown();
  fs.rmSync(idleBase, { recursive: true, force: true });

  console.log('\nreads, lookups, memory');
  printTable(['measure', 'size', 'result'], other);
  fs.rmSync(base, { recursive: true, force: true });
}

function lastBatchStart(r: Buffer): number {
  let pos = 0;
  let last = 0;
  while (pos < r.length) {
    last = pos;
    pos += r.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
  }
  return r.length - last;
}

function printTable(head: string[], body: string[][]): void {
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
