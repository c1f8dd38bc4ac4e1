// TransactionMetadata: what the coordinator knows of one transactional id (Kafka's
// TransactionMetadata), and TxnTransitMetadata, the immutable target of a transition.
//
// The discipline (as Kafka's): an operation calls a prepare* method, which checks the transition
// is legal, sets `pendingState` and returns the target; the target is written to __transaction_state
// (transaction-log.ts); only once the append succeeded does completeTransitionTo(target) change the
// metadata (a failed append clears `pendingState`). While a transition is pending, other operations
// on the id answer CONCURRENT_TRANSACTIONS. Loading builds metadata from the stored values
// (fromStored), without transitions.
//
// Transaction version: this coordinator is Kafka's transaction.version 0 (no epoch bump per
// transaction, KIP-890 part 2): clientTransactionVersion is carried through, never acted on.
import { TransactionState, isValidTransition, stateName } from './transaction-state.ts';

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

/** Kafka's isEpochExhausted: epochs at or above Short.MaxValue - 1 rotate to a new producer id. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

/** A partition of a transaction, as Kafka's TopicPartition.toString: `<topic>-<partition>`. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The topic and partition of a tpKey (the partition is the digits after the last '-'). */
export function parseTpKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('-');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** Partitions grouped by topic, topics and partitions in ascending order. */
export function groupByTopic(keys: Iterable<string>): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const { topic, partition } = parseTpKey(k);
    const list = byTopic.get(topic);
    if (list) list.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

export class IllegalTransitionError extends Error {}

export interface TxnTransitMetadata {
  readonly producerId: bigint;
  readonly prevProducerId: bigint;
  readonly nextProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly txnState: TransactionState;
  readonly topicPartitions: ReadonlySet<string>;
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
  readonly clientTransactionVersion: number;
}

export interface TransactionMetadataInit {
  producerId: bigint;
  previousProducerId?: bigint;
  nextProducerId?: bigint;
  producerEpoch: number;
  lastProducerEpoch?: number;
  txnTimeoutMs: number;
  state: TransactionState;
  topicPartitions?: Iterable<string>;
  txnStartTimestamp?: number;
  txnLastUpdateTimestamp: number;
  clientTransactionVersion?: number;
}

export class TransactionMetadata {
  producerId: bigint;
  previousProducerId: bigint;
  nextProducerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  readonly topicPartitions: Set<string>;
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  clientTransactionVersion: number;
  /** The state being written, null when no transition is pending. */
  pendingState: TransactionState | null = null;
  /** An epoch fence whose write failed: the next fence does not bump the epoch again (never returned to a client). */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    init: TransactionMetadataInit,
  ) {
    this.producerId = init.producerId;
    this.previousProducerId = init.previousProducerId ?? NO_PRODUCER_ID;
    this.nextProducerId = init.nextProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    this.topicPartitions = new Set(init.topicPartitions ?? []);
    this.txnStartTimestamp = init.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
    this.clientTransactionVersion = init.clientTransactionVersion ?? 0;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Ongoing, PrepareCommit or PrepareAbort. */
  get hasPendingTransaction(): boolean {
    const s = this.state;
    return s === TransactionState.Ongoing || s === TransactionState.PrepareAbort || s === TransactionState.PrepareCommit;
  }

  /** A marker for the partition was written (PrepareCommit/PrepareAbort only). */
  removePartition(key: string): void {
    if (this.state !== TransactionState.PrepareCommit && this.state !== TransactionState.PrepareAbort) {
      throw new IllegalTransitionError(
        `${this.transactionalId}: removing a partition whose marker was written in state ${stateName(this.state)}`,
      );
    }
    this.topicPartitions.delete(key);
  }

  // ---------------------------------------------------------------- prepare

  /** InitProducerId on an Ongoing transaction: the bumped epoch that fences the producer (pending PrepareEpochFence). */
  prepareFenceProducerEpoch(): TxnTransitMetadata {
    if (this.producerEpoch === SHORT_MAX) throw new IllegalTransitionError('cannot fence a producer at epoch Short.MaxValue');
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo(TransactionState.PrepareEpochFence, {
      producerEpoch: bumped,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
    });
  }

  /**
   * InitProducerId: the epoch bumped (Empty). `expectedEpoch` (KIP-360, the producer's current
   * epoch): equal to the current epoch, or no epoch yet -> bump and remember the current as the last;
   * equal to the last epoch -> a retry of a bump that succeeded: the same epoch; else PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(
    newTxnTimeoutMs: number,
    expectedEpoch: number | null,
    now: number,
  ): { transit: TxnTransitMetadata } | { error: 'PRODUCER_FENCED' } {
    if (this.isProducerEpochExhausted) throw new IllegalTransitionError(`no producer epochs left for producer id ${this.producerId}`);
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedEpoch === null) {
      next = bumped;
      last = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      next = bumped;
      last = this.producerEpoch;
    } else if (expectedEpoch === this.lastProducerEpoch) {
      next = this.producerEpoch;
      last = this.lastProducerEpoch;
    } else {
      return { error: 'PRODUCER_FENCED' };
    }
    return {
      transit: this.prepareTransitionTo(TransactionState.Empty, {
        producerEpoch: next,
        lastProducerEpoch: last,
        txnTimeoutMs: newTxnTimeoutMs,
        topicPartitions: new Set(),
        txnStartTimestamp: -1,
        txnLastUpdateTimestamp: now,
      }),
    };
  }

  /** InitProducerId with the epoch exhausted: a new producer id at epoch 0. */
  prepareProducerIdRotation(newProducerId: bigint, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransitMetadata {
    if (this.hasPendingTransaction) throw new IllegalTransitionError('cannot rotate the producer id while a transaction is pending');
    return this.prepareTransitionTo(TransactionState.Empty, {
      producerId: newProducerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: new Set(),
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: Ongoing with the partitions added (the start time set when a transaction begins). */
  prepareAddPartitions(added: Iterable<string>, now: number): TxnTransitMetadata {
    const s = this.state;
    const begins = s === TransactionState.Empty || s === TransactionState.CompleteAbort || s === TransactionState.CompleteCommit;
    return this.prepareTransitionTo(TransactionState.Ongoing, {
      topicPartitions: new Set([...this.topicPartitions, ...added]),
      txnStartTimestamp: begins ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  /** EndTxn: PrepareCommit or PrepareAbort with the transaction's partitions. */
  prepareAbortOrCommit(
    newState: typeof TransactionState.PrepareCommit | typeof TransactionState.PrepareAbort,
    now: number,
  ): TxnTransitMetadata {
    return this.prepareTransitionTo(newState, { txnLastUpdateTimestamp: now });
  }

  /** Markers written: CompleteCommit / CompleteAbort, no partitions. */
  prepareComplete(now: number): TxnTransitMetadata {
    const newState = this.state === TransactionState.PrepareCommit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(newState, {
      lastProducerEpoch: this.producerEpoch,
      topicPartitions: new Set(),
      txnLastUpdateTimestamp: now,
    });
  }

  /** Expiration: Dead (written as a tombstone). */
  prepareDead(): TxnTransitMetadata {
    return this.prepareTransitionTo(TransactionState.Dead, { topicPartitions: new Set() });
  }

  private prepareTransitionTo(
    to: TransactionState,
    changes: Partial<Omit<TxnTransitMetadata, 'txnState' | 'prevProducerId'>>,
  ): TxnTransitMetadata {
    if (this.pendingState !== null) {
      throw new IllegalTransitionError(
        `${this.transactionalId}: preparing a transition to ${stateName(to)} while ${stateName(this.pendingState)} is pending`,
      );
    }
    const transit: TxnTransitMetadata = {
      producerId: this.producerId,
      nextProducerId: NO_PRODUCER_ID,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      topicPartitions: new Set(this.topicPartitions),
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
      clientTransactionVersion: 0,
      ...changes,
      prevProducerId: this.producerId,
      txnState: to,
    };
    if (transit.producerId < 0n) throw new IllegalTransitionError(`illegal producer id ${transit.producerId}`);
    if (to !== TransactionState.Dead && transit.producerEpoch < 0)
      throw new IllegalTransitionError(`illegal producer epoch ${transit.producerEpoch}`);
    if (!isValidTransition(this.state, to)) {
      throw new IllegalTransitionError(`${this.transactionalId}: no transition from ${stateName(this.state)} to ${stateName(to)}`);
    }
    this.pendingState = to;
    return transit;
  }

  // ---------------------------------------------------------------- complete

  /** The target was written: the metadata becomes it (checked as Kafka's completeTransitionTo). */
  completeTransitionTo(t: TxnTransitMetadata): void {
    const to = this.pendingState;
    if (to === null || to !== t.txnState) this.failTransition(t);
    const sameEpoch = t.producerEpoch === this.producerEpoch && t.producerId === this.producerId;
    switch (to) {
      case TransactionState.Empty: {
        const bump = t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
        if ((t.producerEpoch !== this.producerEpoch && !bump) || t.topicPartitions.size > 0 || t.txnStartTimestamp !== -1) {
          this.failTransition(t);
        }
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.previousProducerId = t.prevProducerId;
        break;
      }
      case TransactionState.Ongoing:
        if (!sameEpoch || ![...this.topicPartitions].every((k) => t.topicPartitions.has(k)) || this.txnTimeoutMs !== t.txnTimeoutMs) {
          this.failTransition(t);
        }
        this.txnStartTimestamp = t.txnStartTimestamp;
        for (const k of t.topicPartitions) this.topicPartitions.add(k);
        break;
      case TransactionState.PrepareCommit:
      case TransactionState.PrepareAbort:
        if (
          !sameEpoch ||
          this.topicPartitions.size !== t.topicPartitions.size ||
          ![...this.topicPartitions].every((k) => t.topicPartitions.has(k)) ||
          this.txnTimeoutMs !== t.txnTimeoutMs ||
          this.txnStartTimestamp !== t.txnStartTimestamp
        ) {
          this.failTransition(t);
        }
        break;
      case TransactionState.CompleteCommit:
      case TransactionState.CompleteAbort:
        if (!sameEpoch || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) this.failTransition(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.topicPartitions.clear();
        break;
      default:
        // PrepareEpochFence is never written (it becomes PrepareAbort); Dead ends in removal.
        this.failTransition(t);
    }
    this.clientTransactionVersion = t.clientTransactionVersion;
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = to;
  }

  private failTransition(t: TxnTransitMetadata): never {
    throw new IllegalTransitionError(
      `${this.transactionalId}: cannot complete the transition from ${stateName(this.state)} to ${stateName(t.txnState)} (pending ${
        this.pendingState === null ? 'none' : stateName(this.pendingState)
      })`,
    );
  }
}
