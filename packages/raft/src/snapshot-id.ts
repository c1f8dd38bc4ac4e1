// Snapshot ids and file names (Kafka's org.apache.kafka.snapshot.Snapshots). A snapshot is named by
// the log offset it ends at (exclusive: it contains every record below EndOffset) and the epoch of
// the last record it contains:
//
//   <EndOffset, 20 digits>-<Epoch, 10 digits>.checkpoint          00000000000000001234-0000000005.checkpoint
//   <same>.checkpoint.part       being written (Kafka adds a random "-<digits>" before the suffix)
//   <same>.checkpoint.deleted    marked for deletion by Kafka, removed in the background
//
// All three live in the metadata partition's directory, `<log dir>/__cluster_metadata-0`, next to
// the log segments. Ids order by EndOffset, then Epoch (Kafka's OffsetAndEpoch.compareTo).
import type { OffsetAndEpoch } from './raft-messages.ts';

/** A snapshot's id: `offset` is its EndOffset, `epoch` the epoch of its last contained record. */
export type SnapshotId = OffsetAndEpoch;

export const SNAPSHOT_SUFFIX = '.checkpoint';
export const SNAPSHOT_PART_SUFFIX = '.checkpoint.part';
export const SNAPSHOT_DELETED_SUFFIX = '.checkpoint.deleted';

const OFFSET_WIDTH = 20;
const EPOCH_WIDTH = 10;
const NAME = /^(\d{20})-(\d{10})/;

/** `<offset, 20 digits>-<epoch, 10 digits>`, without suffix (Snapshots.filenameFromSnapshotId). */
export function snapshotFileName(id: SnapshotId): string {
  if (!Number.isSafeInteger(id.offset) || id.offset < 0)
    throw new RangeError(`snapshot end offset ${id.offset} is not a non-negative integer`);
  if (!Number.isInteger(id.epoch) || id.epoch < 0 || id.epoch > 0x7fffffff)
    throw new RangeError(`snapshot epoch ${id.epoch} is not a non-negative int32`);
  return `${String(id.offset).padStart(OFFSET_WIDTH, '0')}-${String(id.epoch).padStart(EPOCH_WIDTH, '0')}`;
}

export type SnapshotFileKind = 'snapshot' | 'partial' | 'deleted';

/** The id and kind of a file in the metadata log dir, or null when it is not a snapshot file. */
export function parseSnapshotFileName(name: string): { id: SnapshotId; kind: SnapshotFileKind } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const id = { offset: Number(m[1]), epoch: Number(m[2]) };
  const rest = name.slice(m[0].length);
  if (rest === SNAPSHOT_SUFFIX) return { id, kind: 'snapshot' };
  if (rest.endsWith(SNAPSHOT_PART_SUFFIX)) return { id, kind: 'partial' };
  if (rest.endsWith(SNAPSHOT_DELETED_SUFFIX)) return { id, kind: 'deleted' };
  return null;
}

/** Negative, zero or positive as `a` orders before, with or after `b`. */
export function compareSnapshotIds(a: SnapshotId, b: SnapshotId): number {
  return a.offset !== b.offset ? a.offset - b.offset : a.epoch - b.epoch;
}
