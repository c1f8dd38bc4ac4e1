// What the cleaner knows of transactions while it walks a log in offset order (Kafka's
// CleanedTransactionMetadata): which batches belong to aborted transactions (removed), and when a
// COMMIT or ABORT marker may go.
//
// The aborted transactions come from the segments' .txnindex (PartitionLog.collectAbortedTransactions),
// fed in before the batches they cover; one becomes "ongoing" once the walk reaches its first
// offset, and ends at its producer's ABORT marker.
//   - A data batch of a producer with an ongoing aborted transaction is aborted (discardable);
//     a transactional batch of any other producer marks that producer's committed transaction as
//     having data seen in this walk.
//   - An ABORT marker can be discarded when no batch of its transaction was seen in this walk;
//     otherwise it is kept and its transaction's entry goes to the cleaned segment's .txnindex
//     (read_committed consumers still need it for the data's place in the log).
//   - A COMMIT marker can be discarded when no batch of its transaction was seen.
//   - An empty control batch (a marker already cleaned to its header) can be discarded; a control
//     record of another type never.
// "Discardable" for a marker means its transaction is empty: the marker then gets a delete
// horizon and goes once that has passed (record-filter.ts).
import type { AbortedTxn, TransactionIndex } from '../transaction-index.ts';

/** A control batch's record type: ABORT (0), COMMIT (1), another (-2), or none (-1: an empty batch). */
export type ControlType = number;
export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;
export const CONTROL_NONE = -1;

interface OngoingAborted {
  txn: AbortedTxn;
  /** Last offset of the last batch of the transaction seen in this walk, -1 when none. */
  lastObservedBatchOffset: number;
}

export class CleanedTransactionMetadata {
  private readonly ongoingCommitted = new Set<bigint>();
  private readonly ongoingAborted = new Map<bigint, OngoingAborted>();
  /** Aborted transactions not yet reached, by first offset (ascending from `head`). */
  private pending: AbortedTxn[] = [];
  private head = 0;
  /** Where kept ABORT markers' transactions are recorded (the segment being written), or null. */
  cleanedIndex: TransactionIndex | null = null;

  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    if (txns.length === 0) return;
    const rest = this.pending.slice(this.head);
    for (const t of txns) rest.push(t);
    rest.sort((a, b) => a.firstOffset - b.firstOffset);
    this.pending = rest;
    this.head = 0;
  }

  private consumeAbortedUpTo(offset: number): void {
    while (this.head < this.pending.length && this.pending[this.head]!.firstOffset <= offset) {
      const txn = this.pending[this.head++]!;
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, { txn, lastObservedBatchOffset: -1 });
    }
  }

  /** A control batch was reached; returns true when it may be discarded (see the header). */
  onControlBatchRead(producerId: bigint, lastOffset: number, type: ControlType): boolean {
    this.consumeAbortedUpTo(lastOffset);
    if (type === CONTROL_NONE) return true;
    if (type === CONTROL_ABORT) {
      const ongoing = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      if (ongoing && ongoing.lastObservedBatchOffset >= 0) {
        this.cleanedIndex?.append(ongoing.txn);
        return false;
      }
      return true;
    }
    if (type === CONTROL_COMMIT) return !this.ongoingCommitted.delete(producerId);
    return false;
  }

  /** A data batch was reached; returns true when it belongs to an aborted transaction. */
  onBatchRead(producerId: bigint, lastOffset: number, isTransactional: boolean): boolean {
    this.consumeAbortedUpTo(lastOffset);
    if (!isTransactional) return false;
    const aborted = this.ongoingAborted.get(producerId);
    if (aborted) {
      aborted.lastObservedBatchOffset = lastOffset;
      return true;
    }
    this.ongoingCommitted.add(producerId);
    return false;
  }
}
