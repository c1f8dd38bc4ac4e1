// Test helper for the cleaner: a partition log on a (wrapped) MemoryFileSystem and MockTime, keyed
// batches written with the protocol's encoder, and the log's content read back record by record.
import {
  type CompressionType,
  ControlRecordType,
  buildEndTxnMarkerBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  type DecodedBatch,
} from '@tributary/protocol';
import { FdCache } from '../../src/fd-cache.ts';
import type { FileSystem } from '../../src/fs.ts';
import { IndexCache } from '../../src/index-file.ts';
import { loadPartitionLog, type LoadOptions } from '../../src/log-loader.ts';
import type { SegmentContext } from '../../src/log-segment.ts';
import { MemoryFileSystem } from '../../src/memory-fs.ts';
import { MockTime } from '../../src/mock-time.ts';
import { logConfig, type LogConfig } from '../../src/config.ts';
import type { PartitionLog } from '../../src/partition-log.ts';
import type { CleanJob, CleanerPacer } from '../../src/cleaner/clean-job.ts';

export const T0 = 1_700_000_000_000;
export const DIR = '/data/t-0';
export const HOUR = 3_600_000;

export function ctxOf(fs: FileSystem, time: MockTime): SegmentContext {
  return { fs, fds: new FdCache(fs), indexCache: new IndexCache(), time };
}

export interface Env {
  mem: MemoryFileSystem;
  time: MockTime;
  ctx: SegmentContext;
  log: PartitionLog;
}

export function compactConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return logConfig({ compact: true, delete: false, segmentBytes: 1024 * 1024, ...overrides });
}

/** A new log in /data/t-0 (on `fs` when given, e.g. a fault-injecting wrapper of `mem`). */
export function newEnv(config: LogConfig = compactConfig(), mem = new MemoryFileSystem(), time = new MockTime(T0), fs?: FileSystem): Env {
  const ctx = ctxOf(fs ?? mem, time);
  return { mem, time, ctx, log: loadPartitionLog(ctx, DIR, 't', 0, config) };
}

export function reload(env: Pick<Env, 'mem' | 'time'>, config: LogConfig, opts: LoadOptions = {}): PartitionLog {
  return loadPartitionLog(ctxOf(env.mem, env.time), DIR, 't', 0, config, opts);
}

export interface Rec {
  key: string | null;
  value: string | null;
  timestamp?: number;
}

export interface AppendOpts {
  compression?: CompressionType;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
}

export async function batchOf(records: Rec[], o: AppendOpts = {}): Promise<Buffer> {
  return encodeRecordBatch({
    records: records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp ?? T0 })),
    compression: o.compression,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: o.baseSequence,
    isTransactional: o.transactional,
  });
}

/** Appends one batch as the leader (origin 'replication' skips producer checks only when asked). */
export async function append(log: PartitionLog, records: Rec[], o: AppendOpts = {}): Promise<number> {
  return log.appendSync(await batchOf(records, o), { leaderEpoch: 0, origin: o.producerId !== undefined ? 'client' : undefined })
    .firstOffset;
}

export function appendMarker(log: PartitionLog, producerId: bigint, epoch: number, commit: boolean, timestamp = T0): number {
  const batch = buildEndTxnMarkerBatch({
    type: commit ? ControlRecordType.Commit : ControlRecordType.Abort,
    producerId,
    producerEpoch: epoch,
    coordinatorEpoch: 0,
    timestamp: BigInt(timestamp),
  });
  return log.appendSync(batch, { leaderEpoch: 0, origin: 'coordinator' }).firstOffset;
}

/** Every batch in the log from logStartOffset, decoded (read through PartitionLog.read). */
export async function batches(log: PartitionLog): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    if (records.length === 0) break;
    const decoded = await decodeRecordBatches(records);
    for (const b of decoded) out.push(b);
    offset = Number(decoded.at(-1)!.baseOffset) + decoded.at(-1)!.lastOffsetDelta + 1;
  }
  return out;
}

export interface Row {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

export async function rows(log: PartitionLog): Promise<Row[]> {
  const out: Row[] = [];
  for (const b of await batches(log)) {
    for (const r of b.records) {
      out.push({
        offset: Number(r.offset),
        key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null,
        timestamp: Number(r.timestamp),
      });
    }
  }
  return out;
}

/** "offset:key=value" for each record (tombstones as "offset:key=null"), compact for assertions. */
export async function summary(log: PartitionLog): Promise<string[]> {
  return (await rows(log)).map((r) => `${r.offset}:${r.key}=${r.value}`);
}

/** One line per batch: offsets, then COMMIT/ABORT, "empty", or its records; producer, "txn" and "+h" (delete horizon) flags. */
export function describe(b: DecodedBatch): string {
  const base = Number(b.baseOffset);
  const last = base + b.lastOffsetDelta;
  const range = last === base ? `${base}` : `${base}-${last}`;
  let what: string;
  if (b.recordsCount === 0) what = 'empty';
  else if (b.isControl) what = b.records[0]!.key!.readInt16BE(2) === 1 ? 'COMMIT' : 'ABORT';
  else what = b.records.map((r) => `${Number(r.offset)}:${r.key}=${r.value}`).join(' ');
  const pid = b.producerId >= 0n ? ` p${b.producerId}` : '';
  return `${range} ${what}${pid}${b.isTransactional && !b.isControl ? ' txn' : ''}${b.hasDeleteHorizon ? ' +h' : ''}`;
}

export async function layout(log: PartitionLog): Promise<string[]> {
  return (await batches(log)).map(describe);
}

export const noPacer: CleanerPacer = { step() {} };

export function job(log: PartitionLog, o: Partial<CleanJob> = {}): CleanJob {
  return {
    firstDirtyOffset: log.logStartOffset,
    firstUncleanableOffset: log.activeSegment.baseOffset,
    now: T0,
    dedupeBufferBytes: 1024 * 1024,
    loadFactor: 0.9,
    ...o,
  };
}

/** Names in the log directory with `suffix`. */
export function filesEnding(mem: MemoryFileSystem, suffix: string): string[] {
  return mem.readdirSync(DIR).filter((n) => n.endsWith(suffix));
}
