// One __transaction_state partition led here (Kafka's TxnMetadataCacheEntry plus the partition's
// part of TransactionStateManager): the transactional ids that hash to it, the coordinator epoch
// (the partition's leader epoch when it was loaded), loading by replay and appending transitions.
//
// Load: every record of the partition from its log start, in order; the last value of an id wins,
// a tombstone removes it. Requests meanwhile get COORDINATOR_LOAD_IN_PROGRESS.
// Append (Kafka's appendTransactionToLog): the transition's record is written (acks=all through the
// CoordinatorLog); once it is, and if the shard still serves (not unloaded, the id still the same
// metadata), the metadata completes the transition; otherwise NOT_COORDINATOR. A failed append
// maps the partition's error to the coordinator's (Kafka's table) and clears the pending state,
// unless the caller retries it. The CoordinatorLog seam is the group coordinator's (one batch
// per append, read back on load), reused as is.
import { ErrorCode, hasErrorCode } from '@tributary/protocol';
import { isTxnMarker, type CoordinatorLog } from '../group/index.ts';
import { decodeTransactionRecord, transactionLogKey, transactionRecord } from './transaction-log.ts';
import { TransactionState, isExpirationAllowed } from './transaction-state.ts';
import type { TransactionMetadata, TxnTransitMetadata } from './transaction-metadata.ts';

export type TransactionShardState = 'loading' | 'active' | 'unloaded';

/** Kafka's mapping of a failed __transaction_state append to the coordinator's error. */
export function appendErrorCode(err: unknown): number {
  if (!hasErrorCode(err)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  switch (err.errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return err.errorCode;
  }
}

export class TransactionShard {
  state: TransactionShardState = 'loading';
  readonly transactions = new Map<string, TransactionMetadata>();
  /** Key versions the load skipped (Kafka logs them and goes on). */
  unknownKeys = 0;

  constructor(
    readonly partition: number,
    readonly coordinatorEpoch: number,
    private readonly log: CoordinatorLog,
  ) {}

  get isActive(): boolean {
    return this.state === 'active';
  }

  /** Replays the partition's log into `transactions`, then serves (unless unloaded meanwhile). */
  async load(): Promise<void> {
    for await (const stored of this.log.readAll()) {
      if (this.state !== 'loading') return;
      if (isTxnMarker(stored)) continue; // __transaction_state holds no transactions of its own
      const rec = decodeTransactionRecord(stored);
      if ('unknownKeyVersion' in rec) {
        this.unknownKeys++;
        continue;
      }
      if (rec.metadata === null) this.transactions.delete(rec.transactionalId);
      else this.transactions.set(rec.transactionalId, rec.metadata);
    }
    if (this.state === 'loading') this.state = 'active';
  }

  unload(): void {
    this.state = 'unloaded';
  }

  /**
   * Writes `transit` (prepared on `metadata`) and completes it: resolves with NONE, or the error
   * to answer (the transition is then not made). `retryOnError`: errors after which the pending
   * state is kept because the caller tries again (Kafka's marker completion does for
   * COORDINATOR_NOT_AVAILABLE).
   */
  async append(
    metadata: TransactionMetadata,
    transit: TxnTransitMetadata,
    retryOnError: (code: number) => boolean = () => false,
  ): Promise<number> {
    const id = metadata.transactionalId;
    if (!this.isActive || this.transactions.get(id) !== metadata) return ErrorCode.NOT_COORDINATOR;
    let failure: number | null = null;
    try {
      await this.log.append([transactionRecord(id, transit)]);
    } catch (err) {
      failure = appendErrorCode(err);
    }
    const current = this.isActive && this.transactions.get(id) === metadata;
    if (failure !== null) {
      if (current && !retryOnError(failure)) metadata.pendingState = null;
      return failure;
    }
    if (!current) return ErrorCode.NOT_COORDINATOR;
    metadata.completeTransitionTo(transit);
    return ErrorCode.NONE;
  }

  /**
   * Kafka's removeExpiredTransactionalIds for this partition: ids with no pending transition, in
   * Empty, CompleteCommit or CompleteAbort, not updated for `expirationMs`, go Dead and their
   * tombstones are written in one batch; once written they leave the shard. Resolves with the
   * removed ids.
   */
  async expireTransactionalIds(now: number, expirationMs: number): Promise<string[]> {
    if (!this.isActive) return [];
    const expired: Array<{ metadata: TransactionMetadata; epoch: number }> = [];
    for (const m of this.transactions.values()) {
      if (m.pendingState === null && isExpirationAllowed(m.state) && m.txnLastUpdateTimestamp <= now - expirationMs) {
        expired.push({ metadata: m, epoch: m.prepareDead().producerEpoch });
      }
    }
    if (expired.length === 0) return [];
    let ok = true;
    try {
      await this.log.append(expired.map(({ metadata }) => ({ key: transactionLogKey(metadata.transactionalId), value: null })));
    } catch {
      ok = false;
    }
    const removed: string[] = [];
    for (const { metadata, epoch } of expired) {
      const id = metadata.transactionalId;
      const current = this.isActive && this.transactions.get(id) === metadata;
      if (ok && current && metadata.pendingState === TransactionState.Dead && metadata.producerEpoch === epoch) {
        this.transactions.delete(id);
        removed.push(id);
      } else {
        metadata.pendingState = null;
      }
    }
    return removed;
  }
}
