// Snapshot files in the metadata log dir (KIP-630; Kafka's Snapshots, FileRawSnapshotReader and
// KafkaMetadataLog's snapshot bookkeeping), through storage's FileSystem seam. Names in
// snapshot-id.ts, bytes in snapshot-format.ts, the crash-safe write in snapshot-writer.ts.
//
// Rules:
// - Only `<name>.checkpoint` files are snapshots. `.checkpoint.part` (a write that never finished)
//   and `.checkpoint.deleted` (Kafka's deletion in progress) are leftovers: never listed, deleted by
//   `listSnapshots(..., { deleteLeftovers: true })` (what Kafka does when it opens the log).
// - A snapshot is immutable once it exists; readSnapshot checks the whole file and throws
//   CorruptSnapshotError naming it; a missing one is SnapshotNotFoundError.
// - Byte reads (FetchSnapshot's Position + MaxBytes) serve the raw file unchecked; a position
//   outside [0, size) is SnapshotPositionOutOfRangeError, as Kafka answers POSITION_OUT_OF_RANGE.
// - This layer knows nothing of what the data batches mean.
import { readFully, type FileSystem } from '@tributary/storage';
import { buildSnapshotFile, parseSnapshotFile, type ParsedSnapshot } from './snapshot-format.ts';
import { SNAPSHOT_SUFFIX, compareSnapshotIds, parseSnapshotFileName, snapshotFileName, type SnapshotId } from './snapshot-id.ts';
import { SnapshotWriter } from './snapshot-writer.ts';

export class SnapshotNotFoundError extends Error {
  override name = 'SnapshotNotFoundError';
  constructor(readonly path: string) {
    super(`snapshot ${path} does not exist`);
  }
}

export class SnapshotPositionOutOfRangeError extends Error {
  override name = 'SnapshotPositionOutOfRangeError';
  constructor(path: string, position: number, size: number) {
    super(`position ${position} is outside snapshot ${path} of ${size} bytes`);
  }
}

export interface WriteSnapshotInput {
  /** The snapshot contains every log record below this offset. */
  endOffset: number;
  /** The epoch of the last record it contains. */
  epoch: number;
  /** The append time of that record (SnapshotHeaderRecord.LastContainedLogTimestamp). */
  lastContainedLogTimestamp: number;
  /** The state machine's data batches (v2, not control), in order; offsets and epochs are restamped. */
  batches: readonly Buffer[];
  /** BaseTimestamp of the header and footer batches (default: the wall clock, as Kafka). */
  timestampMs?: number;
}

/** `<dir>/<20-digit end offset>-<10-digit epoch>.checkpoint`. */
export function snapshotPath(dir: string, id: SnapshotId): string {
  return `${dir}/${snapshotFileName(id)}${SNAPSHOT_SUFFIX}`;
}

/** Writes the snapshot `<endOffset>-<epoch>` crash-safely; resolves once it is durable. */
export async function writeSnapshot(fs: FileSystem, dir: string, input: WriteSnapshotInput): Promise<SnapshotId> {
  const id = { offset: input.endOffset, epoch: input.epoch };
  const bytes = buildSnapshotFile({
    epoch: input.epoch,
    lastContainedLogTimestamp: input.lastContainedLogTimestamp,
    batches: input.batches,
    timestampMs: input.timestampMs ?? Date.now(),
  });
  const writer = SnapshotWriter.create(fs, dir, id);
  writer.append(bytes);
  return writer.freeze();
}

/** The snapshots in `dir`, oldest first; none when `dir` does not exist. */
export function listSnapshots(fs: FileSystem, dir: string, options: { deleteLeftovers?: boolean } = {}): SnapshotId[] {
  if (fs.statSync(dir) === null) return [];
  const ids: SnapshotId[] = [];
  let deleted = false;
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseSnapshotFileName(name);
    if (parsed?.kind === 'snapshot') ids.push(parsed.id);
    else if (parsed && options.deleteLeftovers) {
      fs.unlinkSync(`${dir}/${name}`);
      deleted = true;
    }
  }
  if (deleted) fs.fsyncDirSync(dir);
  return ids.sort(compareSnapshotIds);
}

/** The newest snapshot in `dir`, or null. */
export function latestSnapshot(fs: FileSystem, dir: string): SnapshotId | null {
  return listSnapshots(fs, dir).at(-1) ?? null;
}

/** Reads and checks a whole snapshot: its header and its data batches. */
export function readSnapshot(fs: FileSystem, dir: string, id: SnapshotId): ParsedSnapshot {
  const path = snapshotPath(dir, id);
  const bytes = fs.readFileSync(path);
  if (bytes === null) throw new SnapshotNotFoundError(path);
  return parseSnapshotFile(bytes, path);
}

/** The snapshot file's size in bytes. */
export function snapshotSize(fs: FileSystem, dir: string, id: SnapshotId): number {
  const path = snapshotPath(dir, id);
  const stat = fs.statSync(path);
  if (stat === null) throw new SnapshotNotFoundError(path);
  return stat.size;
}

/** Up to `maxBytes` of the raw file from `position` (FetchSnapshot); fewer only at its end. */
export function readSnapshotBytes(fs: FileSystem, dir: string, id: SnapshotId, position: number, maxBytes: number): Buffer {
  const path = snapshotPath(dir, id);
  if (fs.statSync(path) === null) throw new SnapshotNotFoundError(path);
  const fd = fs.openSync(path, false);
  try {
    const size = fs.fstatSizeSync(fd);
    if (position < 0 || position >= size) throw new SnapshotPositionOutOfRangeError(path, position, size);
    const buf = Buffer.alloc(Math.max(0, Math.min(maxBytes, size - position)));
    const n = readFully(fs, fd, buf, 0, buf.length, position);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Deletes every snapshot ordering before `id` (Kafka's deleteBeforeSnapshot); returns their ids. */
export function deleteSnapshotsBefore(fs: FileSystem, dir: string, id: SnapshotId): SnapshotId[] {
  const doomed = listSnapshots(fs, dir).filter((s) => compareSnapshotIds(s, id) < 0);
  for (const s of doomed) fs.unlinkSync(snapshotPath(dir, s));
  if (doomed.length > 0) fs.fsyncDirSync(dir);
  return doomed;
}
