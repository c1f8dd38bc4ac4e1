// The transactional half of Java's TransactionManager: the producer's transaction state machine
// and its requests to the transaction coordinator (found with FindCoordinator key type 1), one at
// a time, in call order (txn-coordinator.ts retries them as Java does).
//   UNINITIALIZED -> INITIALIZING (initTransactions: InitProducerId with the transactional id)
//   -> READY -> IN_TRANSACTION (beginTransaction) -> COMMITTING_TRANSACTION / ABORTING_TRANSACTION
//   -> READY (or INITIALIZING when an epoch bump is due: InitProducerId with the current id and
//   epoch, KIP-360, after the abort), with ABORTABLE_ERROR (abortTransaction is the way out) and
//   FATAL_ERROR (close the producer) reachable as Java's State.isTransitionValid allows.
// Partitions a send writes to are added with AddPartitionsToTxn (v0-3, the client versions),
// collected over one tick and sent in one request; their batches wait in the accumulator until
// the partition is in the transaction (the drain gate asks isSendAllowed). sendOffsetsToTransaction
// sends AddOffsetsToTxn, then TxnOffsetCommit to the group's coordinator (key type 0). Commit and
// abort first let every send that started reach the accumulator, then wait for every batch to
// settle (abort fails the batches that never left), then EndTxn — skipped when nothing was added.
// Errors as Java: NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE find the coordinator again,
// COORDINATOR_LOAD_IN_PROGRESS and CONCURRENT_TRANSACTIONS retry (20 ms for the first
// AddPartitionsToTxn of a transaction); PRODUCER_FENCED / INVALID_PRODUCER_EPOCH (from a
// coordinator), TRANSACTIONAL_ID_AUTHORIZATION_FAILED, INVALID_TXN_STATE and unexpected errors are
// fatal; failed batches, topic or group authorization, UNKNOWN_PRODUCER_ID and stale group
// membership are abortable. Not implemented: KIP-890 (TRANSACTION_ABORTABLE, EndTxn v5 epoch bumps).
import { ApiKey, ErrorCode, type InitProducerIdResponse } from '@tributary/protocol';
import type { ConsumerGroupMetadata, OffsetToCommit } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { BrokerConnection } from '../network/connection.ts';
import { KafkaClientError } from '../network/errors.ts';
import type { IdempotenceState, TransactionHooks } from './idempotence.ts';
import { CoordinatorFinder, codeError, fencedError, runStep, type Verdict } from './txn-coordinator.ts';
import { addPartitionsVerdict, coordinatorVerdict, txnOffsetCommitVerdict } from './txn-verdicts.ts';

export type TransactionState =
  | 'UNINITIALIZED'
  | 'INITIALIZING'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING_TRANSACTION'
  | 'ABORTING_TRANSACTION'
  | 'ABORTABLE_ERROR'
  | 'FATAL_ERROR';

/** Java's State.isTransitionValid: the states each state may be entered from (FATAL_ERROR from any). */
const ENTERED_FROM: Record<Exclude<TransactionState, 'FATAL_ERROR'>, readonly TransactionState[]> = {
  UNINITIALIZED: ['READY'],
  INITIALIZING: ['UNINITIALIZED', 'ABORTING_TRANSACTION'],
  READY: ['INITIALIZING', 'COMMITTING_TRANSACTION', 'ABORTING_TRANSACTION'],
  IN_TRANSACTION: ['READY'],
  COMMITTING_TRANSACTION: ['IN_TRANSACTION'],
  ABORTING_TRANSACTION: ['IN_TRANSACTION', 'ABORTABLE_ERROR'],
  ABORTABLE_ERROR: ['IN_TRANSACTION', 'COMMITTING_TRANSACTION', 'ABORTABLE_ERROR'],
};

/** Errors of failed batches that end the producer (Java's maybeTransitionToErrorState). */
const FATAL_BATCH_ERRORS = new Set([
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'PRODUCER_FENCED',
  'UNSUPPORTED_VERSION',
]);

/** What the transaction manager needs from its producer. */
export interface TransactionalProducerSide {
  /** Resolves once every send that started has appended its records (or failed). */
  startedSends(): Promise<void>;
  /** Sends everything now and waits until every batch settled. */
  flush(): Promise<void>;
  /** Fails queued batches: those never sent (no sequence), or all of them. */
  abortBatches(error: KafkaClientError, all: boolean): void;
  wakeup(): void;
}

export interface TransactionConfig {
  transactionalId: string;
  transactionTimeoutMs: number;
  retryBackoffMs: number;
  /** `max.block.ms`: how long initTransactions, commit, abort and sendOffsets keep retrying. */
  maxBlockMs: number;
  clock: () => number;
}

type Partition = { topic: string; partition: number };
const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class TransactionManager implements TransactionHooks {
  state: TransactionState = 'UNINITIALIZED';
  lastError: KafkaClientError | null = null;
  private readonly added = new Set<string>();
  private readonly pendingAdd = new Map<string, Partition>();
  private readonly newPartitions = new Map<string, Partition>();
  private addScheduled = false;
  private transactionStarted = false;
  private epochBumpRequired = false;
  private coordinatorSupportsBump = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** The initTransactions / commit / abort under way, and one that timed out (the same call resumes it). */
  private pending: { state: TransactionState; promise: Promise<void> } | null = null;
  private resumable: TransactionState | null = null;
  private readonly coordinator: CoordinatorFinder;
  private readonly groupCoordinators = new Map<string, CoordinatorFinder>();

  constructor(
    private readonly cluster: Cluster,
    private readonly idempotence: IdempotenceState,
    private readonly producer: TransactionalProducerSide,
    private readonly config: TransactionConfig,
  ) {
    this.coordinator = new CoordinatorFinder(cluster, 1, config.transactionalId);
    idempotence.txn = this;
  }

  get hasError(): boolean {
    return this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR';
  }

  get isCompleting(): boolean {
    return this.state === 'COMMITTING_TRANSACTION' || this.state === 'ABORTING_TRANSACTION';
  }

  /** A transaction begun and not yet completed (Java's hasOngoingTransaction). */
  get hasOngoingTransaction(): boolean {
    return this.state === 'IN_TRANSACTION' || this.isCompleting || this.state === 'ABORTABLE_ERROR';
  }

  private transitionTo(target: TransactionState, error: KafkaClientError | null = null): void {
    if (target !== 'FATAL_ERROR' && !ENTERED_FROM[target].includes(this.state)) {
      const hint = this.state === 'UNINITIALIZED' ? ' (call initTransactions() first)' : '';
      throw new KafkaClientError(
        `transactional id ${this.config.transactionalId}: invalid transition from ${this.state} to ${target}${hint}`,
        'ILLEGAL_STATE',
        false,
      );
    }
    this.lastError = error;
    this.state = target;
  }

  private fatalError(error: KafkaClientError): KafkaClientError {
    this.transitionTo('FATAL_ERROR', error);
    this.producer.abortBatches(error, true);
    return error;
  }

  private abortableError(error: KafkaClientError): KafkaClientError {
    // an abort under way stays one (Java's transitionToAbortableError); outside a transaction
    // (or after a fatal error) there is nothing to abort: the failing call rejects, that is all
    if (!ENTERED_FROM.ABORTABLE_ERROR.includes(this.state)) return error;
    this.transitionTo('ABORTABLE_ERROR', error);
    this.producer.abortBatches(error, false);
    return error;
  }

  private onVerdict = (v: { abortable: KafkaClientError; bump?: boolean } | { fatal: KafkaClientError }): KafkaClientError => {
    if ('fatal' in v) return this.fatalError(v.fatal);
    if (v.bump) {
      // Java's abortableErrorIfPossible
      if (!this.coordinatorSupportsBump) return this.fatalError(v.abortable);
      this.epochBumpRequired = true;
    }
    return this.abortableError(v.abortable);
  };

  /** Java's maybeFailWithError: a transactional call in an error state throws that error. */
  private maybeFailWithError(): void {
    if (!this.hasError || !this.lastError) return;
    const e = this.lastError;
    if (e.type === 'PRODUCER_FENCED') throw fencedError(`transactional id ${this.config.transactionalId}`);
    throw new KafkaClientError(`cannot run a transactional operation in state ${this.state}: ${e.message}`, e.type, false, e.details, {
      cause: e,
    });
  }

  /** Java's failIfNotReadyForSend: `send` only inside a transaction, and not after an error. */
  failIfNotReadyForSend(allowCompleting = false): void {
    if (this.hasError && this.lastError) {
      throw new KafkaClientError(
        `cannot send: a previous transactional or idempotent request failed (${this.lastError.message})`,
        this.lastError.type,
        false,
        this.lastError.details,
        { cause: this.lastError },
      );
    }
    if (!this.idempotence.hasProducerId)
      throw new KafkaClientError('cannot send before initTransactions() completed on a transactional producer', 'ILLEGAL_STATE', false);
    if (this.state !== 'IN_TRANSACTION' && !(allowCompleting && this.state === 'COMMITTING_TRANSACTION'))
      throw new KafkaClientError(`cannot send in state ${this.state} (call beginTransaction() first)`, 'ILLEGAL_STATE', false);
  }

  /** Runs `op` after every transactional request queued before it. */
  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => {});
    return run;
  }

  private step<T>(what: string, finder: CoordinatorFinder, fn: (c: BrokerConnection) => Promise<Verdict<T>>) {
    return runStep(
      finder,
      {
        what: `${what} (transactional id ${this.config.transactionalId})`,
        deadline: this.config.clock() + this.config.maxBlockMs,
        retryBackoffMs: this.config.retryBackoffMs,
        clock: this.config.clock,
        onError: this.onVerdict,
      },
      fn,
    );
  }

  /**
   * Java's handleCachedTransactionRequestResult: a second call while one runs gets the same promise;
   * after a timeout (max.block.ms) the state stays, and the same call made again resumes the work.
   */
  private cached(target: TransactionState, start: () => void, run: () => Promise<void>): Promise<void> {
    if (this.pending && this.pending.state === target && this.state === target) return this.pending.promise;
    if (this.resumable === target && this.state === target) this.resumable = null;
    else start();
    const promise = run().then(
      () => {
        this.pending = null;
      },
      (err: unknown) => {
        this.pending = null;
        if (err instanceof KafkaClientError && err.type === 'REQUEST_TIMED_OUT' && this.state === target) this.resumable = target;
        throw err;
      },
    );
    this.pending = { state: target, promise };
    return promise;
  }

  initTransactions(): Promise<void> {
    const run = () => this.enqueue(() => this.initProducerId(false));
    return this.cached('INITIALIZING', () => this.transitionTo('INITIALIZING'), run);
  }

  /** InitProducerId with the transactional id; `bump`: with the current id and epoch (KIP-360). */
  private async initProducerId(bump: boolean): Promise<void> {
    const what = 'InitProducerId';
    const r = await this.step<InitProducerIdResponse>(what, this.coordinator, async (c) => {
      this.coordinatorSupportsBump = c.versionFor(ApiKey.InitProducerId) >= 3;
      const res = await c.request(ApiKey.InitProducerId, {
        transactionalId: this.config.transactionalId,
        transactionTimeoutMs: this.config.transactionTimeoutMs,
        producerId: bump ? this.idempotence.producerId : -1n,
        producerEpoch: bump ? this.idempotence.producerEpoch : -1,
      });
      if (res.errorCode === ErrorCode.NONE) return { ok: res };
      if (res.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED || res.errorCode === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
        return { fatal: codeError(res.errorCode, what) };
      if (res.errorCode === ErrorCode.UNKNOWN_PRODUCER_ID || res.errorCode === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        return { fatal: codeError(res.errorCode, what) };
      return coordinatorVerdict(res.errorCode, what);
    });
    this.idempotence.setProducerIdAndEpoch(r.producerId, r.producerEpoch);
    if (bump) this.idempotence.resetSequences();
    this.transitionTo('READY');
  }

  beginTransaction(): void {
    this.maybeFailWithError();
    this.transitionTo('IN_TRANSACTION');
  }

  /** Java's maybeAddPartition: called for each partition a send appends to. */
  maybeAddPartition(topic: string, partition: number): void {
    const k = keyOf(topic, partition);
    if (this.added.has(k) || this.pendingAdd.has(k) || this.newPartitions.has(k)) return;
    this.newPartitions.set(k, { topic, partition });
    if (this.addScheduled) return;
    this.addScheduled = true;
    // partitions of the sends made in this tick go in one request
    setImmediate(() => {
      this.addScheduled = false;
      this.enqueue(() => this.addPartitions()).catch(() => {});
    });
  }

  private async addPartitions(): Promise<void> {
    const what = 'AddPartitionsToTxn';
    // an abort (or an error) under way makes adding partitions pointless: their batches are dropped
    const moot = () => this.hasError || this.state === 'ABORTING_TRANSACTION';
    if (this.newPartitions.size === 0 || moot()) return;
    try {
      const added = await this.step(what, this.coordinator, async (c): Promise<Verdict<boolean>> => {
        if (moot()) return { ok: false };
        for (const [k, p] of this.newPartitions) this.pendingAdd.set(k, p);
        this.newPartitions.clear();
        const byTopic = new Map<string, number[]>();
        for (const p of this.pendingAdd.values()) {
          let l = byTopic.get(p.topic);
          if (!l) byTopic.set(p.topic, (l = []));
          l.push(p.partition);
        }
        const res = await c.request(ApiKey.AddPartitionsToTxn, {
          transactions: [],
          v3AndBelowTransactionalId: this.config.transactionalId,
          v3AndBelowProducerId: this.idempotence.producerId,
          v3AndBelowProducerEpoch: this.idempotence.producerEpoch,
          v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        });
        return addPartitionsVerdict(res.resultsByTopicV3AndBelow, what, this.added.size === 0);
      });
      if (added) {
        for (const k of this.pendingAdd.keys()) this.added.add(k);
        this.transactionStarted = true;
      }
    } finally {
      // Java: out of pending whatever the outcome (on an error the transaction is aborted anyway)
      this.pendingAdd.clear();
      this.producer.wakeup();
    }
  }

  /** TransactionHooks: batches of a partition leave once it is in the transaction (never after a fatal error). */
  isSendAllowed(topic: string, partition: number): boolean {
    return this.state !== 'FATAL_ERROR' && this.added.has(keyOf(topic, partition));
  }

  /** TransactionHooks: a failed batch makes the transaction abortable, or the producer unusable. */
  batchFailed(error: Error): void {
    const e =
      error instanceof KafkaClientError ? error : new KafkaClientError(error.message, 'UNKNOWN_SERVER_ERROR', false, {}, { cause: error });
    if (FATAL_BATCH_ERRORS.has(e.type)) {
      this.fatalError(e);
      return;
    }
    if (this.state === 'FATAL_ERROR') return;
    if (this.coordinatorSupportsBump && !this.isCompleting) this.epochBumpRequired = true;
    if (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING_TRANSACTION' || this.state === 'ABORTABLE_ERROR')
      this.abortableError(e);
  }

  /** TransactionHooks: sent batches expired without an answer; the transaction can only be aborted (with a bump). */
  sequencesUnresolved(topic: string, partition: number): void {
    const message = `${topic}-${partition}: no acknowledgment for some sent records, which can no longer be retried`;
    if (this.coordinatorSupportsBump) {
      this.epochBumpRequired = true;
      if (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING_TRANSACTION')
        this.abortableError(
          new KafkaClientError(`${message}; it is safe to abort the transaction and continue`, 'REQUEST_TIMED_OUT', false),
        );
    } else {
      this.fatalError(new KafkaClientError(`${message}; it is not safe to continue`, 'REQUEST_TIMED_OUT', false));
    }
  }

  /** AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit to the group's coordinator. */
  sendOffsetsToTransaction(offsets: OffsetToCommit[], group: string | ConsumerGroupMetadata): Promise<void> {
    this.maybeFailWithError();
    if (this.state !== 'IN_TRANSACTION')
      return Promise.reject(
        new KafkaClientError(`cannot send offsets in state ${this.state}: no transaction is active`, 'ILLEGAL_STATE', false),
      );
    const meta: ConsumerGroupMetadata =
      typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null } : group;
    return this.enqueue(async () => {
      const what = 'AddOffsetsToTxn';
      await this.step(what, this.coordinator, async (c) => {
        const res = await c.request(ApiKey.AddOffsetsToTxn, {
          transactionalId: this.config.transactionalId,
          producerId: this.idempotence.producerId,
          producerEpoch: this.idempotence.producerEpoch,
          groupId: meta.groupId,
        });
        if (res.errorCode === ErrorCode.NONE) return { ok: undefined };
        if (res.errorCode === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) return { fatal: codeError(res.errorCode, what) };
        if (res.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED) return { abortable: codeError(res.errorCode, what) };
        return coordinatorVerdict(res.errorCode, what);
      });
      this.transactionStarted = true;
      await this.txnOffsetCommit(offsets, meta);
    });
  }

  private async txnOffsetCommit(offsets: OffsetToCommit[], meta: ConsumerGroupMetadata): Promise<void> {
    const what = `TxnOffsetCommit for group ${meta.groupId}`;
    let finder = this.groupCoordinators.get(meta.groupId);
    if (!finder) this.groupCoordinators.set(meta.groupId, (finder = new CoordinatorFinder(this.cluster, 0, meta.groupId)));
    const pending = new Map(offsets.map((o) => [keyOf(o.topic, o.partition), o]));
    await this.step(what, finder, async (c) => {
      const byTopic = new Map<string, OffsetToCommit[]>();
      for (const o of pending.values()) {
        let l = byTopic.get(o.topic);
        if (!l) byTopic.set(o.topic, (l = []));
        l.push(o);
      }
      const res = await c.request(ApiKey.TxnOffsetCommit, {
        transactionalId: this.config.transactionalId,
        groupId: meta.groupId,
        producerId: this.idempotence.producerId,
        producerEpoch: this.idempotence.producerEpoch,
        generationId: meta.generationId,
        memberId: meta.memberId,
        groupInstanceId: meta.groupInstanceId,
        topics: [...byTopic].map(([name, os]) => ({
          name,
          partitions: os.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: -1,
            committedMetadata: o.metadata ?? '',
          })),
        })),
      });
      let find = false;
      for (const t of res.topics) {
        for (const p of t.partitions) {
          const v = txnOffsetCommitVerdict(p.errorCode, what);
          if (v === 'done') pending.delete(keyOf(t.name, p.partitionIndex));
          else if (v === 'find') find = true;
          else if (v !== 'retry') return v;
        }
      }
      return pending.size === 0 ? { ok: undefined } : { retry: true, find };
    });
  }

  commitTransaction(): Promise<void> {
    return this.cached(
      'COMMITTING_TRANSACTION',
      () => {
        this.maybeFailWithError();
        this.transitionTo('COMMITTING_TRANSACTION');
      },
      () => this.complete(true),
    );
  }

  abortTransaction(): Promise<void> {
    return this.cached(
      'ABORTING_TRANSACTION',
      () => {
        if (this.state !== 'ABORTABLE_ERROR') this.maybeFailWithError();
        this.transitionTo('ABORTING_TRANSACTION');
        this.newPartitions.clear();
      },
      () => this.complete(false),
    );
  }

  /** Commit or abort: every batch settles first (an abort fails those never sent), then EndTxn, then a due epoch bump. */
  private async complete(commit: boolean): Promise<void> {
    // sends that started reach the accumulator (a commit includes them; an abort drops what never left)
    await this.producer.startedSends();
    if (!commit)
      this.producer.abortBatches(new KafkaClientError('failing batch: the transaction was aborted', 'TRANSACTION_ABORTED', false), false);
    await this.producer.flush();
    await this.enqueue(async () => {
      if (this.state === 'FATAL_ERROR' || (commit && this.state === 'ABORTABLE_ERROR')) throw this.lastError!;
      // an unknown producer id mapping refuses EndTxn: go straight to the epoch bump (Java)
      const skipEndTxn = !this.transactionStarted || this.lastError?.type === 'INVALID_PRODUCER_ID_MAPPING';
      if (!skipEndTxn) await this.endTxn(commit);
      const bump = this.epochBumpRequired;
      this.transitionTo(bump ? 'INITIALIZING' : 'READY');
      this.epochBumpRequired = false;
      this.transactionStarted = false;
      this.newPartitions.clear();
      this.pendingAdd.clear();
      this.added.clear();
      if (bump) await this.initProducerId(true);
    });
  }

  private async endTxn(commit: boolean): Promise<void> {
    const what = `EndTxn(${commit ? 'commit' : 'abort'})`;
    await this.step(what, this.coordinator, async (c) => {
      const res = await c.request(ApiKey.EndTxn, {
        transactionalId: this.config.transactionalId,
        producerId: this.idempotence.producerId,
        producerEpoch: this.idempotence.producerEpoch,
        committed: commit,
      });
      if (res.errorCode === ErrorCode.NONE) return { ok: undefined };
      if (res.errorCode === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED || res.errorCode === ErrorCode.INVALID_TXN_STATE)
        return { fatal: codeError(res.errorCode, what) };
      return coordinatorVerdict(res.errorCode, what);
    });
  }
}
