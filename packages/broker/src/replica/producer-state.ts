// Idempotent producer state of one partition (Kafka's ProducerStateManager / ProducerAppendInfo),
// read from batch headers only (ProducerId, ProducerEpoch, BaseSequence, LastOffsetDelta):
//
//   - epoch below the producer's current epoch -> INVALID_PRODUCER_EPOCH (47);
//   - a new (higher) epoch must start at sequence 0 -> else OUT_OF_ORDER_SEQUENCE_NUMBER (45);
//   - same epoch: the batch must continue the sequence (firstSeq == lastSeq + 1, wrapping at
//     Int32.MAX) -> else OUT_OF_ORDER_SEQUENCE_NUMBER — unless it exactly repeats one of the last
//     5 batches, which is a retried duplicate: not appended, answered with the original offsets;
//   - no state for the producer (new, or state lost): any sequence is accepted (as Kafka does
//     since KIP-360 when the log holds nothing of the producer).
// Batches with ProducerId -1 are not idempotent and skip all of this. A coordinator's batch (a
// TxnOffsetCommit's, BaseSequence 0 every time) is checked for its epoch only, as Kafka's
// ProducerAppendInfo checks sequences for AppendOrigin.CLIENT only (and so is never a duplicate).
// Not implemented: producer snapshots (after a restart, Partition rebuilds the state from the
// active segment's batch headers), producer.id.expiration.ms, transactional state.
import { Attr, ErrorCode, Off } from '@tributary/protocol';
import { PartitionError } from './partition-error.ts';

export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  logAppendTimeMs: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
}

export interface IdempotentBatch {
  position: number;
  producerId: bigint;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
}

/** Idempotent batches in a validated blob (those with a producer id), in order. */
export function idempotentBatches(records: Buffer): IdempotentBatch[] {
  const out: IdempotentBatch[] = [];
  let pos = 0;
  while (pos + Off.RecordsCount <= records.length) {
    const size = records.readInt32BE(pos + Off.BatchLength) + 12;
    // (the high word is negative for ProducerId -1: no bigint for non-idempotent batches)
    if (records.readInt32BE(pos + Off.ProducerId) >= 0) {
      const producerId = records.readBigInt64BE(pos + Off.ProducerId);
      const firstSeq = records.readInt32BE(pos + Off.BaseSequence);
      const delta = records.readInt32BE(pos + Off.LastOffsetDelta);
      const lastSeq = firstSeq > INT32_MAX - delta ? firstSeq + delta - INT32_MAX - 1 : firstSeq + delta;
      out.push({ position: pos, producerId, epoch: records.readInt16BE(pos + Off.ProducerEpoch), firstSeq, lastSeq });
    }
    pos += size;
  }
  return out;
}

export class ProducerStateManager {
  private readonly producers = new Map<bigint, ProducerEntry>();

  get producerCount(): number {
    return this.producers.size;
  }

  /**
   * Checks the batches of one append against the state. Returns the original batch when the
   * append is a retried duplicate (a single batch equal to a retained one); throws PartitionError.
   * `origin` 'coordinator': the epoch check only.
   */
  check(batches: IdempotentBatch[], origin: 'client' | 'coordinator' = 'client'): BatchMetadata | null {
    const pending = new Map<bigint, { epoch: number; lastSeq: number | null }>();
    for (const b of batches) {
      const entry = this.producers.get(b.producerId);
      const seen = pending.get(b.producerId) ?? (entry ? { epoch: entry.epoch, lastSeq: entry.batches.at(-1)?.lastSeq ?? null } : null);
      if (seen) {
        if (b.epoch < seen.epoch) {
          throw new PartitionError(
            ErrorCode.INVALID_PRODUCER_EPOCH,
            `Epoch of producer ${b.producerId} is ${b.epoch}, which is smaller than the last seen epoch ${seen.epoch}`,
          );
        }
        if (origin !== 'client') {
          // a coordinator's batch: the epoch check above is all (sequences are checked for clients only)
        } else if (b.epoch > seen.epoch) {
          if (b.firstSeq !== 0) {
            throw new PartitionError(
              ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
              `Invalid sequence number for new epoch of producer ${b.producerId} at epoch ${b.epoch}: ${b.firstSeq} (request epoch), 0 (expected)`,
            );
          }
        } else if (seen.lastSeq !== null) {
          const dup =
            batches.length === 1 && entry ? entry.batches.find((m) => m.firstSeq === b.firstSeq && m.lastSeq === b.lastSeq) : undefined;
          if (dup) return dup;
          const expected = seen.lastSeq === INT32_MAX ? 0 : seen.lastSeq + 1;
          if (b.firstSeq !== expected) {
            throw new PartitionError(
              ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
              `Out of order sequence number for producer ${b.producerId} at offset ${b.position} in partition: ${b.firstSeq} (incoming seq. number), ${seen.lastSeq} (current end sequence number)`,
            );
          }
        }
      }
      pending.set(b.producerId, { epoch: b.epoch, lastSeq: b.lastSeq });
    }
    return null;
  }

  /**
   * Records appended batches (offsets read from the rewritten headers). `logAppendTimeMs` is what
   * the append answered; null when rebuilding from the log: then a LogAppendTime batch's stamped
   * MaxTimestamp, -1 for CreateTime batches (what the original append answered).
   */
  update(records: Buffer, batches: IdempotentBatch[], logAppendTimeMs: number | null): void {
    for (const b of batches) {
      const firstOffset = Number(records.readBigInt64BE(b.position + Off.BaseOffset));
      const lastOffset = firstOffset + records.readInt32BE(b.position + Off.LastOffsetDelta);
      const appendTime = logAppendTimeMs ?? storedAppendTime(records, b.position);
      let entry = this.producers.get(b.producerId);
      if (!entry || entry.epoch !== b.epoch) this.producers.set(b.producerId, (entry = { epoch: b.epoch, batches: [] }));
      entry.batches.push({ firstSeq: b.firstSeq, lastSeq: b.lastSeq, firstOffset, lastOffset, logAppendTimeMs: appendTime });
      if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
    }
  }

  /** After truncation or log start movement nothing is known for sure: forget batches past the end. */
  truncateTo(logEndOffset: number): void {
    for (const [pid, e] of this.producers) {
      e.batches = e.batches.filter((m) => m.lastOffset < logEndOffset);
      if (e.batches.length === 0) this.producers.delete(pid);
    }
  }
}

/** The append time stamped in a stored batch: its MaxTimestamp when LogAppendTime, else -1. */
function storedAppendTime(records: Buffer, pos: number): number {
  if ((records.readInt16BE(pos + Off.Attributes) & Attr.TimestampTypeLogAppend) === 0) return -1;
  return Number(records.readBigInt64BE(pos + Off.MaxTimestamp));
}
