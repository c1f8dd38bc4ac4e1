// The transaction coordinator of a broker (Kafka's TransactionCoordinator + TransactionStateManager):
// one TransactionShard per __transaction_state partition led here, the request-level operations
// the handlers call, and the background work (timed-out transactions aborted, idle ids expired).
//
// Routing: a transactional id lives on partition abs(javaHashCode(id)) % partitions; no shard ->
// NOT_COORDINATOR, a shard loading -> COORDINATOR_LOAD_IN_PROGRESS. Every state change follows
// the prepare / append / complete discipline (transaction-metadata.ts); requests that find a
// transition pending answer CONCURRENT_TRANSACTIONS.
//
// InitProducerId: a new id gets a producer id (epoch 0); an existing one its epoch bumped (a new
// producer id once the epoch is exhausted); an Ongoing transaction is first aborted with a bumped
// epoch (PrepareEpochFence -> PrepareAbort, fencing the old producer) and the caller gets
// CONCURRENT_TRANSACTIONS to retry; KIP-360 producer id/epoch checks answer PRODUCER_FENCED.
// EndTxn answers once PrepareCommit/PrepareAbort is written; the markers follow
// (transaction-marker-channel-manager.ts), then CompleteCommit/CompleteAbort.
// Timeouts: every transaction.abort.timed.out.transaction.cleanup.interval.ms, Ongoing
// transactions older than their timeout are aborted the same way (epoch bumped). Every
// transaction.remove.expired.transaction.cleanup.interval.ms, ids idle for
// transactional.id.expiration.ms are removed (tombstones).
import { ErrorCode } from '@tributary/protocol';
import { systemTime, type Cancel, type Time } from '@tributary/storage';
import { silentLogger, type Logger } from '../../logger.ts';
import { partitionForGroup, type CoordinatorLog } from '../group/index.ts';
import { DEFAULT_TRANSACTION_COORDINATOR_CONFIG, type TransactionCoordinatorConfig } from './config.ts';
import { prepareInitProducerIdTransit, type ProducerIdAndEpoch } from './init-producer-id-transit.ts';
import { TransactionMarkerChannelManager, type MarkerDestination, type MarkerWriter } from './transaction-marker-channel-manager.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, TransactionMetadata, type TxnTransitMetadata } from './transaction-metadata.ts';
import { TransactionShard } from './transaction-shard.ts';
import { TransactionState } from './transaction-state.ts';

export interface TransactionCoordinatorOptions {
  config?: Partial<TransactionCoordinatorConfig>;
  time?: Time;
  log?: Logger;
  /** The next producer id (the broker's ProducerIdManager); rejects when none can be had. */
  generateProducerId: () => bigint | Promise<bigint>;
  /** Sends WriteTxnMarkers to a broker. */
  markerWriter: MarkerWriter;
  /** The current leader of a partition, for its marker. */
  leaderOf: (topic: string, partition: number) => MarkerDestination;
}

export interface ProducerIdResult {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

const failed = (errorCode: number): ProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });

type Lookup = { shard: TransactionShard; metadata: TransactionMetadata | undefined } | number;

export class TransactionCoordinator {
  readonly config: TransactionCoordinatorConfig;
  readonly markers: TransactionMarkerChannelManager;
  private readonly time: Time;
  private readonly log: Logger;
  private readonly shards = new Map<number, TransactionShard>();
  private readonly tasks: Cancel[] = [];
  private active = true;

  constructor(private readonly opts: TransactionCoordinatorOptions) {
    this.config = { ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, ...opts.config };
    this.time = opts.time ?? systemTime;
    this.log = opts.log ?? silentLogger;
    this.markers = new TransactionMarkerChannelManager({
      time: this.time,
      log: this.log,
      retryBackoffMs: this.config.markerRetryBackoffMs,
      leaderOf: opts.leaderOf,
      send: opts.markerWriter,
      lookup: (id) => this.getTransactionState(id),
    });
  }

  /** The __transaction_state partition of a transactional id (Kafka's Utils.abs(hashCode) % partitions). */
  partitionFor(transactionalId: string): number {
    return partitionForGroup(transactionalId, this.config.transactionLogNumPartitions);
  }

  /** Starts the periodic abort of timed-out transactions and expiration of idle ids. */
  startup(): void {
    this.tasks.push(
      this.time.schedule('transaction-abort', this.config.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOutTransactions()),
      this.time.schedule('transactionalId-expiration', this.config.removeExpiredTransactionalIdsIntervalMs, async () => {
        await this.removeExpiredTransactionalIds();
      }),
    );
  }

  shutdown(): void {
    this.active = false;
    for (const cancel of this.tasks.splice(0)) cancel();
    for (const p of [...this.shards.keys()]) this.unloadPartition(p);
    this.markers.shutdown();
  }

  /**
   * Becomes coordinator of a partition at `coordinatorEpoch` (its leader epoch): replays it, then
   * resumes the markers of transactions left in PrepareCommit/PrepareAbort.
   */
  async loadPartition(partition: number, coordinatorEpoch: number, log: CoordinatorLog): Promise<void> {
    this.markers.removeMarkersForTxnTopicPartition(partition);
    this.shards.get(partition)?.unload();
    const shard = new TransactionShard(partition, coordinatorEpoch, log);
    this.shards.set(partition, shard);
    try {
      await shard.load();
    } catch (e) {
      if (this.shards.get(partition) === shard) this.shards.delete(partition);
      shard.unload();
      throw e;
    }
    if (!shard.isActive || !this.active) return;
    const now = this.time.now();
    for (const meta of shard.transactions.values()) {
      if (meta.state !== TransactionState.PrepareCommit && meta.state !== TransactionState.PrepareAbort) continue;
      this.log.info('resuming the markers of a transaction after loading', { transactionalId: meta.transactionalId, partition });
      this.markers.addTxnMarkersToSend(shard, meta.state === TransactionState.PrepareCommit, meta, meta.prepareComplete(now));
    }
  }

  /** Stops coordinating a partition (leadership moved); its pending markers stop. */
  unloadPartition(partition: number): void {
    const shard = this.shards.get(partition);
    this.markers.removeMarkersForTxnTopicPartition(partition);
    if (!shard) return;
    this.shards.delete(partition);
    shard.unload();
  }

  /** The shard of a partition (tests, introspection). */
  shard(partition: number): TransactionShard | undefined {
    return this.shards.get(partition);
  }

  /** The shards loaded or loading, by partition. */
  allShards(): TransactionShard[] {
    return [...this.shards.values()].sort((a, b) => a.partition - b.partition);
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Kafka's getTransactionState: the id's shard and metadata, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  getTransactionState(transactionalId: string): Lookup {
    const shard = this.shards.get(this.partitionFor(transactionalId));
    if (!shard || shard.state === 'unloaded') return ErrorCode.NOT_COORDINATOR;
    if (shard.state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return { shard, metadata: shard.transactions.get(transactionalId) };
  }

  validTimeout(txnTimeoutMs: number): boolean {
    return txnTimeoutMs > 0 && txnTimeoutMs <= this.config.transactionMaxTimeoutMs;
  }

  private async newProducerId(): Promise<bigint | number> {
    try {
      return await this.opts.generateProducerId();
    } catch (err) {
      this.log.error('no producer id for a transactional id', { err });
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  // ------------------------------------------------------------------ InitProducerId

  async initProducerId(transactionalId: string, txnTimeoutMs: number, expected: ProducerIdAndEpoch | null): Promise<ProducerIdResult> {
    if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (!this.validTimeout(txnTimeoutMs)) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    let spare: bigint | null = null;
    for (;;) {
      const st = this.getTransactionState(transactionalId);
      if (typeof st === 'number') return failed(st);
      let meta = st.metadata;
      if (!meta && spare === null) {
        const id = await this.newProducerId();
        if (typeof id === 'number') return failed(id);
        spare = id;
        continue; // the state may have changed meanwhile
      }
      if (!meta) {
        meta = new TransactionMetadata(transactionalId, {
          producerId: spare!,
          producerEpoch: NO_PRODUCER_EPOCH,
          txnTimeoutMs,
          state: TransactionState.Empty,
          txnLastUpdateTimestamp: this.time.now(),
        });
        st.shard.transactions.set(transactionalId, meta);
        spare = null;
      }
      const r = prepareInitProducerIdTransit(meta, txnTimeoutMs, expected, spare, this.time.now());
      if (r === 'need-producer-id') {
        const id = await this.newProducerId();
        if (typeof id === 'number') return failed(id);
        spare = id;
        continue;
      }
      if (typeof r === 'number') return failed(r);
      if (r.txnState === TransactionState.PrepareEpochFence) {
        // Abort the ongoing transaction with the bumped epoch; the producer retries and bumps again.
        const end = await this.endTransactionOf(st.shard, meta, r.producerId, r.producerEpoch, false, false);
        return failed(end.errorCode === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : end.errorCode);
      }
      const code = await st.shard.append(meta, r);
      if (code !== ErrorCode.NONE) return failed(code);
      this.log.info('initialized a transactional id', { transactionalId, producerId: r.producerId, producerEpoch: r.producerEpoch });
      return { errorCode: ErrorCode.NONE, producerId: r.producerId, producerEpoch: r.producerEpoch };
    }
  }

  // ------------------------------------------------------------------ AddPartitionsToTxn / AddOffsetsToTxn

  /** Adds partitions (`tpKey`s) to the transaction: NONE once written, else the error. */
  async addPartitionsToTransaction(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: string[],
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const st = this.getTransactionState(transactionalId);
    if (typeof st === 'number') return st;
    const meta = st.metadata;
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (meta.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (meta.state === TransactionState.PrepareCommit || meta.state === TransactionState.PrepareAbort)
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (meta.state === TransactionState.Ongoing && partitions.every((k) => meta.topicPartitions.has(k))) return ErrorCode.NONE;
    return st.shard.append(meta, meta.prepareAddPartitions(partitions, this.time.now()));
  }

  /**
   * AddPartitionsToTxn v4+ with VerifyOnly (a partition leader asking, KIP-890): the error per
   * partition, NONE when it is in the transaction, TRANSACTION_ABORTABLE when not.
   */
  verifyPartitionsInTransaction(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: string[],
  ): Map<string, number> {
    const all = (code: number) => new Map(partitions.map((k) => [k, code]));
    if (transactionalId === '') return all(ErrorCode.INVALID_REQUEST);
    const st = this.getTransactionState(transactionalId);
    if (typeof st === 'number') return all(st);
    const meta = st.metadata;
    if (!meta || meta.producerId !== producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (meta.producerEpoch !== producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
    if (meta.state === TransactionState.PrepareCommit || meta.state === TransactionState.PrepareAbort)
      return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    return new Map(partitions.map((k) => [k, meta.topicPartitions.has(k) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE]));
  }

  // ------------------------------------------------------------------ EndTxn

  /** EndTxn from a client: answers once PrepareCommit/PrepareAbort is written (the markers follow). */
  endTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<ProducerIdResult> {
    if (transactionalId === '') return Promise.resolve(failed(ErrorCode.INVALID_REQUEST));
    const st = this.getTransactionState(transactionalId);
    if (typeof st === 'number') return Promise.resolve(failed(st));
    if (!st.metadata) return Promise.resolve(failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING));
    return this.endTransactionOf(st.shard, st.metadata, producerId, producerEpoch, commit, true);
  }

  /**
   * Kafka's endTransaction. Its checks and the transition are prepared synchronously (so an epoch
   * fence prepared by the caller cannot be overtaken), then the Prepare record is written.
   */
  private async endTransactionOf(
    shard: TransactionShard,
    meta: TransactionMetadata,
    producerId: bigint,
    producerEpoch: number,
    commit: boolean,
    isFromClient: boolean,
  ): Promise<ProducerIdResult> {
    const id = meta.transactionalId;
    const validEpoch = (!isFromClient || producerEpoch === meta.producerEpoch) && producerEpoch >= meta.producerEpoch;
    const invalidState = () => {
      this.log.debug('EndTxn in a state that does not allow it', { transactionalId: id, state: meta.state, commit });
      return failed(ErrorCode.INVALID_TXN_STATE);
    };
    if (meta.producerId !== producerId) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (!validEpoch) return failed(ErrorCode.PRODUCER_FENCED);
    if (meta.pendingState !== null && meta.pendingState !== TransactionState.PrepareEpochFence)
      return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    let transit: TxnTransitMetadata;
    let isEpochFence = false;
    switch (meta.state) {
      case TransactionState.Ongoing: {
        if (!commit && meta.pendingState === TransactionState.PrepareEpochFence) {
          // The fence becomes the abort: its bumped epoch is the transaction's from now on.
          isEpochFence = true;
          meta.pendingState = null;
          meta.producerEpoch = producerEpoch;
          meta.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        transit = meta.prepareAbortOrCommit(commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort, this.time.now());
        break;
      }
      case TransactionState.CompleteCommit:
        return commit ? { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch } : invalidState();
      case TransactionState.CompleteAbort:
        return !commit ? { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch } : invalidState();
      case TransactionState.PrepareCommit:
        return commit ? failed(ErrorCode.CONCURRENT_TRANSACTIONS) : invalidState();
      case TransactionState.PrepareAbort:
        return !commit ? failed(ErrorCode.CONCURRENT_TRANSACTIONS) : invalidState();
      case TransactionState.Empty:
        return invalidState();
      default:
        throw new Error(`${id} is in state ${meta.state}, which it never enters`);
    }
    const code = await shard.append(meta, transit);
    if (code !== ErrorCode.NONE) {
      if (isEpochFence && shard.isActive && shard.transactions.get(id) === meta) meta.hasFailedEpochFence = true;
      return failed(code);
    }
    // Written: the markers go out, and the client is answered now.
    const st = this.getTransactionState(id);
    if (typeof st === 'number') return failed(st);
    if (st.shard !== shard || st.metadata !== meta) return failed(ErrorCode.NOT_COORDINATOR);
    if (meta.producerId !== producerId) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (meta.producerEpoch !== producerEpoch) return failed(ErrorCode.PRODUCER_FENCED);
    if (meta.pendingTransitionInProgress) return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    const expected = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
    if ((meta.state as TransactionState) !== expected) return invalidState();
    const complete = meta.prepareComplete(this.time.now());
    this.markers.addTxnMarkersToSend(shard, commit, meta, complete);
    return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  // ------------------------------------------------------------------ background

  /** Kafka's abortTimedOutTransactions: Ongoing transactions past their timeout are fenced and aborted. */
  abortTimedOutTransactions(): void {
    const now = this.time.now();
    for (const shard of this.shards.values()) {
      if (!shard.isActive) continue;
      for (const meta of shard.transactions.values()) {
        if (meta.pendingTransitionInProgress || meta.state !== TransactionState.Ongoing) continue;
        if (meta.txnStartTimestamp + meta.txnTimeoutMs >= now) continue;
        let fence: TxnTransitMetadata;
        try {
          fence = meta.prepareFenceProducerEpoch();
        } catch (err) {
          this.log.error('cannot abort a timed-out transaction', { transactionalId: meta.transactionalId, err });
          continue;
        }
        this.log.info('aborting a transaction past its timeout', {
          transactionalId: meta.transactionalId,
          txnTimeoutMs: meta.txnTimeoutMs,
        });
        void this.endTransactionOf(shard, meta, fence.producerId, fence.producerEpoch, false, false).then((r) => {
          if (r.errorCode !== ErrorCode.NONE) {
            this.log.warn('the rollback of a timed-out transaction failed', {
              transactionalId: meta.transactionalId,
              errorCode: r.errorCode,
            });
          }
        });
      }
    }
  }

  /** Kafka's removeExpiredTransactionalIds, over every partition served here. */
  async removeExpiredTransactionalIds(): Promise<string[]> {
    const now = this.time.now();
    const removed = await Promise.all(
      [...this.shards.values()].map((s) => s.expireTransactionalIds(now, this.config.transactionalIdExpirationMs)),
    );
    const ids = removed.flat();
    if (ids.length > 0) this.log.info('removed expired transactional ids', { count: ids.length });
    return ids;
  }
}
