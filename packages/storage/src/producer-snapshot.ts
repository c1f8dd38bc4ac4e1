// Producer state snapshots, `<offset, 20 digits>.snapshot` in the partition directory (Kafka's
// ProducerStateManager.writeSnapshot / readSnapshot, message ProducerSnapshot v1): the producer
// state as it was once everything below `offset` had been applied. Big-endian:
//
//   version           int16   1
//   crc               uint32  CRC-32C of every byte after this field
//   entries           int32 count, then per producer (46 bytes):
//     producerId             int64
//     epoch                  int16
//     lastSequence           int32   -1 when no batch is retained
//     lastOffset             int64   last offset of the producer's last batch, -1 when none
//     offsetDelta            int32   lastOffset - first offset of that batch (0 when none)
//     timestamp              int64   MaxTimestamp of that batch (or of the last marker)
//     coordinatorEpoch       int32   of the last transaction marker, -1 when none
//     currentTxnFirstOffset  int64   first offset of the ongoing transaction, -1 when none
//
// Only the last batch of each producer survives a snapshot (Kafka keeps one too). A snapshot that
// fails its version or CRC check is corrupt (CorruptSnapshotError): the loader deletes it and
// falls back to an older one.
import { crc32c } from '@tributary/protocol';
import { StorageError } from './errors.ts';
import type { FileSystem } from './fs.ts';

export const PRODUCER_SNAPSHOT_SUFFIX = '.snapshot';
export const PRODUCER_SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const ENTRY_SIZE = 46;

/** One producer as a snapshot stores it. */
export interface SnapshotEntry {
  producerId: bigint;
  epoch: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
}

export class CorruptSnapshotError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptSnapshotError';
  }
}

export function snapshotFileName(offset: number): string {
  return String(offset).padStart(20, '0') + PRODUCER_SNAPSHOT_SUFFIX;
}

/** The offset a snapshot file name stands for, or null when it is not one. */
export function snapshotOffsetOf(name: string): number | null {
  if (!name.endsWith(PRODUCER_SNAPSHOT_SUFFIX)) return null;
  const digits = name.slice(0, -PRODUCER_SNAPSHOT_SUFFIX.length);
  return /^\d+$/.test(digits) ? Number(digits) : null;
}

export function encodeSnapshot(entries: readonly SnapshotEntry[]): Buffer {
  const buf = Buffer.allocUnsafe(ENTRIES_OFFSET + 4 + entries.length * ENTRY_SIZE);
  buf.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(entries.length, ENTRIES_OFFSET);
  let at = ENTRIES_OFFSET + 4;
  for (const e of entries) {
    buf.writeBigInt64BE(e.producerId, at);
    buf.writeInt16BE(e.epoch, at + 8);
    buf.writeInt32BE(e.lastSequence, at + 10);
    buf.writeBigInt64BE(BigInt(e.lastOffset), at + 14);
    buf.writeInt32BE(e.offsetDelta, at + 22);
    buf.writeBigInt64BE(BigInt(e.timestamp), at + 26);
    buf.writeInt32BE(e.coordinatorEpoch, at + 34);
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), at + 38);
    at += ENTRY_SIZE;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_OFFSET)), CRC_OFFSET);
  return buf;
}

export function decodeSnapshot(buf: Buffer, path = 'snapshot'): SnapshotEntry[] {
  if (buf.length < ENTRIES_OFFSET + 4) throw new CorruptSnapshotError(`${path}: ${buf.length} bytes is too short for a producer snapshot`);
  const version = buf.readInt16BE(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION)
    throw new CorruptSnapshotError(`${path}: snapshot contained an unknown file version ${version}`);
  const stored = buf.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(buf.subarray(ENTRIES_OFFSET));
  if (stored !== computed) {
    throw new CorruptSnapshotError(
      `${path}: snapshot is corrupt (CRC is no longer valid). Stored crc: ${stored}. Computed crc: ${computed}`,
    );
  }
  const count = buf.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || buf.length !== ENTRIES_OFFSET + 4 + count * ENTRY_SIZE) {
    throw new CorruptSnapshotError(`${path}: ${count} entries do not fill ${buf.length} bytes`);
  }
  const out: SnapshotEntry[] = [];
  for (let i = 0, at = ENTRIES_OFFSET + 4; i < count; i++, at += ENTRY_SIZE) {
    out.push({
      producerId: buf.readBigInt64BE(at),
      epoch: buf.readInt16BE(at + 8),
      lastSequence: buf.readInt32BE(at + 10),
      lastOffset: Number(buf.readBigInt64BE(at + 14)),
      offsetDelta: buf.readInt32BE(at + 22),
      timestamp: Number(buf.readBigInt64BE(at + 26)),
      coordinatorEpoch: buf.readInt32BE(at + 34),
      currentTxnFirstOffset: Number(buf.readBigInt64BE(at + 38)),
    });
  }
  return out;
}

/** Writes a snapshot file (replacing any file of that name); fsyncs it when `sync`. */
export function writeSnapshotFile(fs: FileSystem, path: string, entries: readonly SnapshotEntry[], sync: boolean): void {
  const data = encodeSnapshot(entries);
  const fd = fs.openSync(path, true);
  try {
    fs.ftruncateSync(fd, 0);
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, off);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The snapshot files of a directory, by offset (ascending). */
export function listSnapshotFiles(fs: FileSystem, dir: string, names?: readonly string[]): number[] {
  const out: number[] = [];
  for (const name of names ?? fs.readdirSync(dir)) {
    const offset = snapshotOffsetOf(name);
    if (offset !== null) out.push(offset);
  }
  return out.sort((a, b) => a - b);
}
