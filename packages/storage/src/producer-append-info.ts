// The checks and updates of one producer's batches in one append (Kafka's ProducerAppendInfo and
// ProducerStateEntry), applied to a copy of the producer's entry; ProducerStateManager
// (producer-state.ts) merges the copy into its state once the batches are written. The rules are
// listed in producer-state.ts; the error messages are Kafka's.
import { ErrorCode } from '@tributary/protocol';
import { StorageError } from './errors.ts';
import type { ProducerBatch, TxnMarker } from './producer-batches.ts';

export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;

/** Who appends (Kafka's AppendOrigin): decides which checks run. */
export type ProducerAppendOrigin = 'client' | 'coordinator' | 'replication';

export interface BatchMetadata {
  lastSeq: number;
  lastOffset: number;
  /** lastOffset - first offset (equal to lastSeq - first sequence). */
  offsetDelta: number;
  /** The batch's MaxTimestamp as stored. */
  timestamp: number;
}

export function firstSeqOf(b: BatchMetadata): number {
  return b.lastSeq - b.offsetDelta < 0 ? b.lastSeq - b.offsetDelta + INT32_MAX + 1 : b.lastSeq - b.offsetDelta;
}

export function firstOffsetOf(b: BatchMetadata): number {
  return b.lastOffset - b.offsetDelta;
}

export interface ProducerStateEntry {
  readonly producerId: bigint;
  /** -1: none yet. */
  producerEpoch: number;
  /** Of the last transaction marker; -1 when none. */
  coordinatorEpoch: number;
  lastTimestamp: number;
  /** First offset of the ongoing transaction; -1 when none. */
  currentTxnFirstOffset: number;
  /** The last batches, oldest first (at most NUM_BATCHES_TO_RETAIN). */
  batches: BatchMetadata[];
}

export function lastSeqOf(e: ProducerStateEntry): number {
  return e.batches.at(-1)?.lastSeq ?? -1;
}

export interface CompletedTxn {
  producerId: bigint;
  firstOffset: number;
  /** The marker's offset. */
  lastOffset: number;
  isAborted: boolean;
}

/** A producer-state check failed; `errorCode` is the Kafka error the append answers. */
export class ProducerStateError extends StorageError {
  override readonly errorCode: number;
  constructor(errorCode: number, message: string) {
    super(message);
    this.errorCode = errorCode;
    this.name = 'ProducerStateError';
  }
}

export function emptyEntry(producerId: bigint): ProducerStateEntry {
  return { producerId, producerEpoch: -1, coordinatorEpoch: -1, lastTimestamp: -1, currentTxnFirstOffset: -1, batches: [] };
}

/** New epoch: the old epoch's batches no longer count (Kafka's maybeUpdateProducerEpoch). */
export function setEpoch(e: ProducerStateEntry, epoch: number): void {
  if (e.producerEpoch === epoch) return;
  e.batches = [];
  e.producerEpoch = epoch;
}

export function addBatch(e: ProducerStateEntry, b: BatchMetadata): void {
  if (e.batches.length === NUM_BATCHES_TO_RETAIN) e.batches.shift();
  e.batches.push(b);
}

/** The batches of one producer in one append, checked against its state (Kafka's ProducerAppendInfo). */
export class ProducerAppendInfo {
  /** The entry as it will be once the append is applied (batches: only this append's). */
  readonly updated: ProducerStateEntry;
  /** First offsets of the transactions this append opens. */
  readonly startedTransactions: number[] = [];
  /** Whether a transactional batch or marker of the producer is in this append (its verification entry then goes). */
  hasTransactionalBatch = false;

  constructor(
    readonly producerId: bigint,
    private readonly current: ProducerStateEntry,
    private readonly origin: ProducerAppendOrigin,
    private readonly topicPartition: string,
  ) {
    this.updated = { ...current, batches: [] };
  }

  /** Applies one batch of this producer; returns the transaction a marker completes (null for data). */
  append(b: ProducerBatch): CompletedTxn | null {
    if (b.isTransactional) this.hasTransactionalBatch = true;
    if (b.isControl) return b.marker ? this.appendEndTxnMarker(b.marker, b.producerEpoch, b.baseOffset, b.maxTimestamp) : null;
    this.appendDataBatch(b);
    return null;
  }

  private appendDataBatch(b: ProducerBatch): void {
    this.checkProducerEpoch(b.producerEpoch, b.baseOffset);
    if (this.origin === 'client') this.checkSequence(b.producerEpoch, b.baseSequence, b.baseOffset);
    const u = this.updated;
    setEpoch(u, b.producerEpoch);
    addBatch(u, { lastSeq: b.lastSequence, lastOffset: b.lastOffset, offsetDelta: b.lastOffset - b.baseOffset, timestamp: b.maxTimestamp });
    u.lastTimestamp = b.maxTimestamp;
    if (u.currentTxnFirstOffset >= 0 && !b.isTransactional) {
      // (a follower keeps copying what its leader accepted)
      if (this.origin !== 'replication') {
        throw new ProducerStateError(
          ErrorCode.INVALID_TXN_STATE,
          `Expected transactional write from producer ${this.producerId} at offset ${b.baseOffset} in partition ${this.topicPartition}`,
        );
      }
    } else if (u.currentTxnFirstOffset < 0 && b.isTransactional) {
      u.currentTxnFirstOffset = b.baseOffset;
      this.startedTransactions.push(b.baseOffset);
    }
  }

  private appendEndTxnMarker(marker: TxnMarker, epoch: number, offset: number, timestamp: number): CompletedTxn | null {
    this.checkProducerEpoch(epoch, offset);
    const u = this.updated;
    if (u.coordinatorEpoch > marker.coordinatorEpoch && this.origin !== 'replication') {
      throw new ProducerStateError(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `Invalid coordinator epoch for producerId ${this.producerId} at offset ${offset} in partition ${this.topicPartition}: ${marker.coordinatorEpoch} (zombie), ${u.coordinatorEpoch} (current)`,
      );
    }
    // only a transaction with data completes (a marker alone leaves the LSO and the index alone)
    const completed =
      u.currentTxnFirstOffset >= 0
        ? { producerId: this.producerId, firstOffset: u.currentTxnFirstOffset, lastOffset: offset, isAborted: !marker.commit }
        : null;
    setEpoch(u, epoch);
    u.coordinatorEpoch = marker.coordinatorEpoch;
    u.currentTxnFirstOffset = -1;
    u.lastTimestamp = timestamp;
    return completed;
  }

  private checkProducerEpoch(epoch: number, offset: number): void {
    if (epoch >= this.updated.producerEpoch || this.origin === 'replication') return;
    throw new ProducerStateError(
      ErrorCode.INVALID_PRODUCER_EPOCH,
      `Epoch of producer ${this.producerId} at offset ${offset} in ${this.topicPartition} is ${epoch}, which is smaller than the last seen epoch ${this.updated.producerEpoch}`,
    );
  }

  private checkSequence(epoch: number, firstSeq: number, offset: number): void {
    const u = this.updated;
    if (epoch !== u.producerEpoch) {
      if (firstSeq !== 0 && u.producerEpoch !== -1) {
        throw new ProducerStateError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${this.producerId} at offset ${offset} in partition ${this.topicPartition}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${u.producerEpoch} (current producer epoch)`,
        );
      }
      return;
    }
    const lastSeq = u.batches.length > 0 ? lastSeqOf(u) : epoch === this.current.producerEpoch ? lastSeqOf(this.current) : -1;
    const inSequence = firstSeq === lastSeq + 1 || (firstSeq === 0 && lastSeq === INT32_MAX);
    if (this.current.producerEpoch !== -1 && !inSequence) {
      throw new ProducerStateError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Out of order sequence number for producer ${this.producerId} at offset ${offset} in partition ${this.topicPartition}: ${firstSeq} (incoming seq. number), ${lastSeq} (current end sequence number)`,
      );
    }
  }
}
