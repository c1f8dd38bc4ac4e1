// The bytes of a snapshot file (KIP-630; Kafka's RecordsSnapshotWriter), built and checked in memory:
//
//   control batch  offset 0      SNAPSHOT_HEADER {Version 0, LastContainedLogTimestamp}
//   data batches   offsets 1..n  the state machine's records, as the caller encoded them
//   control batch  offset n+1    SNAPSHOT_FOOTER {Version 0}
//
// Offsets inside a snapshot are its own: they start at 0 and run on without gaps across the batches
// (Kafka's writer feeds every batch through one BatchAccumulator started at offset 0); they have
// nothing to do with the log offsets the snapshot covers. Every batch's PartitionLeaderEpoch is the
// snapshot's epoch. Building restamps BaseOffset and PartitionLeaderEpoch of copies of the caller's
// data batches (neither is covered by the CRC) and leaves the caller's buffers alone.
//
// Checking (parseSnapshotFile) requires: whole v2 batches with valid CRCs, contiguous offsets from
// 0, a first control batch whose first record is the header, a last control batch whose first
// record is the footer, no other header or footer, nothing after the footer. The PartitionLeaderEpoch
// of the batches is not checked (Kafka's reader does not either).
import {
  Attr,
  InvalidBatchError,
  Off,
  batchSizeAt,
  decodeRecordBatchSync,
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatch,
} from '@tributary/protocol';
import {
  KraftControlType,
  buildSnapshotFooterBatch,
  buildSnapshotHeaderBatch,
  firstControlType,
  readSnapshotFooter,
  readSnapshotHeader,
  type SnapshotHeader,
} from './snapshot-control.ts';

export interface SnapshotContent {
  /** PartitionLeaderEpoch of every batch: the snapshot id's epoch. */
  epoch: number;
  /** The append time of the last log record the snapshot contains (SnapshotHeaderRecord). */
  lastContainedLogTimestamp: number;
  /** Data batches (v2, not control); a buffer may hold several whole batches. Offsets and epochs are restamped. */
  batches: readonly Buffer[];
  /** BaseTimestamp of the header and footer batches (Kafka: the clock when writing). */
  timestampMs: number;
}

export interface ParsedSnapshot {
  header: SnapshotHeader;
  /** The data batches, back to back (a view into the file's bytes), offsets from 1. */
  batches: Buffer;
  /** How many data batches `batches` holds. */
  batchCount: number;
  /** The whole file's size. */
  sizeInBytes: number;
}

export class CorruptSnapshotError extends Error {
  override name = 'CorruptSnapshotError';
  constructor(
    readonly path: string,
    why: string,
    options?: ErrorOptions,
  ) {
    super(`snapshot file ${path} is corrupt: ${why}`, options);
  }
}

/** The whole file: header batch, the data batches renumbered, footer batch. */
export function buildSnapshotFile(content: SnapshotContent): Buffer {
  const { epoch, timestampMs } = content;
  const header = buildSnapshotHeaderBatch({
    baseOffset: 0,
    epoch,
    timestampMs,
    lastContainedLogTimestamp: content.lastContainedLogTimestamp,
  });
  const data = Buffer.concat(content.batches as Buffer[]);
  let next = 1;
  let pos = 0;
  while (pos < data.length) {
    let size: number;
    try {
      size = validateBatch(data, pos);
    } catch (err) {
      throw new Error(`snapshot data batch at byte ${pos} is invalid: ${(err as Error).message}`, { cause: err });
    }
    if ((data.readInt16BE(pos + Off.Attributes) & Attr.Control) !== 0)
      throw new Error(`snapshot data batch at byte ${pos} is a control batch`);
    setBaseOffset(data, pos, BigInt(next));
    setPartitionLeaderEpoch(data, pos, epoch);
    next += data.readInt32BE(pos + Off.LastOffsetDelta) + 1;
    pos += size;
  }
  const footer = buildSnapshotFooterBatch({ baseOffset: next, epoch, timestampMs });
  return Buffer.concat([header, data, footer]);
}

interface BatchSpan {
  pos: number;
  size: number;
  isControl: boolean;
}

function spans(bytes: Buffer, path: string): BatchSpan[] {
  const out: BatchSpan[] = [];
  let pos = 0;
  let next = 0n;
  while (pos < bytes.length) {
    const size = batchSizeAt(bytes, pos);
    if (size < 0 || pos + size > bytes.length) {
      throw new CorruptSnapshotError(
        path,
        `truncated: the batch at byte ${pos} needs ${size < 0 ? 12 : size} bytes, ${bytes.length - pos} remain`,
      );
    }
    try {
      validateBatch(bytes, pos);
    } catch (err) {
      if (!(err instanceof InvalidBatchError)) throw err;
      throw new CorruptSnapshotError(path, `batch at byte ${pos}: ${err.message}`, { cause: err });
    }
    const base = bytes.readBigInt64BE(pos + Off.BaseOffset);
    if (base !== next) throw new CorruptSnapshotError(path, `batch at byte ${pos} has base offset ${base}, expected ${next}`);
    next = base + BigInt(bytes.readInt32BE(pos + Off.LastOffsetDelta)) + 1n;
    out.push({ pos, size, isControl: (bytes.readInt16BE(pos + Off.Attributes) & Attr.Control) !== 0 });
    pos += size;
  }
  return out;
}

/** Checks a whole snapshot file's bytes (see the header comment); `path` names the file in errors. */
export function parseSnapshotFile(bytes: Buffer, path: string): ParsedSnapshot {
  const all = spans(bytes, path);
  if (all.length < 2) throw new CorruptSnapshotError(path, `${all.length} batch(es); a snapshot has at least a header and a footer`);
  const first = all[0]!;
  const last = all[all.length - 1]!;
  let header: SnapshotHeader;
  try {
    header = readSnapshotHeader(bytes, first.pos);
    readSnapshotFooter(bytes, last.pos);
  } catch (err) {
    if (err instanceof CorruptSnapshotError) throw err;
    throw new CorruptSnapshotError(path, (err as Error).message, { cause: err });
  }
  const middle = all.slice(1, -1);
  for (const span of middle) {
    if (!span.isControl) continue;
    const type = firstControlType(decodeRecordBatchSync(bytes, span.pos));
    if (type === KraftControlType.SNAPSHOT_HEADER || type === KraftControlType.SNAPSHOT_FOOTER) {
      throw new CorruptSnapshotError(
        path,
        `a snapshot ${type === KraftControlType.SNAPSHOT_HEADER ? 'header' : 'footer'} in the middle, at byte ${span.pos}`,
      );
    }
  }
  return {
    header,
    batches: bytes.subarray(first.pos + first.size, last.pos),
    batchCount: middle.length,
    sizeInBytes: bytes.length,
  };
}
