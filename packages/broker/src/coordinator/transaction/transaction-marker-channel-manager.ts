// TransactionMarkerChannelManager (Kafka's, with its TransactionMarkerRequestCompletionHandler):
// once PrepareCommit/PrepareAbort is written, the COMMIT/ABORT marker goes to every partition of
// the transaction, then CompleteCommit/CompleteAbort is written.
//
// * Partitions are grouped by their current leader (the `leaderOf` seam over the metadata). One
//   WriteTxnMarkers (v1) per destination at a time, carrying every marker queued for it (markers
//   queued in the same tick share a request); coordinatorEpoch = the __transaction_state
//   partition's leader epoch when this coordinator loaded it.
// * A partition whose topic no longer exists is dropped (its marker is not needed); one whose
//   leader is unknown or not live waits `markerRetryBackoffMs` and is resolved again.
// * Answers per partition, as Kafka: NONE -> done; NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
//   NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR -> sent again after the
//   backoff to the (possibly new) leader; INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED ->
//   this transaction's markers are abandoned (a newer producer or coordinator took over);
//   UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION -> the partition is dropped. Anything else
//   (Kafka treats it as fatal) is logged and retried. A failed send (connection lost, timeout)
//   retries every partition of the request.
// * Before acting on an answer the transaction must still be this coordinator's, at the same
//   coordinator epoch; otherwise its markers are abandoned (a reload resumes them).
// * When no partition is left, the Complete transition is appended; COORDINATOR_NOT_AVAILABLE is
//   retried after the backoff, NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS give up (the next
//   coordinator, or the load, resumes from the Prepare record).
import { ErrorCode, errorInfo, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@tributary/protocol';
import type { Cancel, Time } from '@tributary/storage';
import type { Logger } from '../../logger.ts';
import { groupByTopic, parseTpKey, tpKey, type TransactionMetadata, type TxnTransitMetadata } from './transaction-metadata.ts';
import type { TransactionShard } from './transaction-shard.ts';

/** Sends one WriteTxnMarkers request to a broker (the local node's handler, or over the network). */
export type MarkerWriter = (destination: number, request: WriteTxnMarkersRequest) => Promise<WriteTxnMarkersResponse>;

/** Where a partition's marker goes: its leader, 'unknown' (no live leader now), 'deleted' (no such partition). */
export type MarkerDestination = number | 'unknown' | 'deleted';

/** The coordinator's current view of a transactional id: its shard and metadata, or the error code why not. */
export type TxnLookup = (transactionalId: string) => { shard: TransactionShard; metadata: TransactionMetadata | undefined } | number;

export interface TransactionMarkerChannelOptions {
  time: Time;
  log: Logger;
  retryBackoffMs: number;
  leaderOf(topic: string, partition: number): MarkerDestination;
  send: MarkerWriter;
  lookup: TxnLookup;
}

/** A transaction waiting for its markers, then its Complete record (Kafka's PendingCompleteTxn). */
export interface PendingCompleteTxn {
  readonly transactionalId: string;
  readonly txnTopicPartition: number;
  readonly coordinatorEpoch: number;
  readonly metadata: TransactionMetadata;
  readonly newMetadata: TxnTransitMetadata;
  readonly commit: boolean;
}

interface MarkerEntry {
  pending: PendingCompleteTxn;
  producerId: bigint;
  producerEpoch: number;
  partitions: string[];
}

const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export class TransactionMarkerChannelManager {
  private readonly pendingTxns = new Map<string, PendingCompleteTxn>();
  private readonly queues = new Map<number, MarkerEntry[]>();
  private readonly inFlight = new Set<number>();
  private readonly timers = new Set<Cancel>();
  private drainScheduled = false;
  private stopped = false;

  constructor(private readonly o: TransactionMarkerChannelOptions) {}

  /** Transactions whose markers or Complete record are still pending. */
  get numTxnsWithPendingMarkers(): number {
    return this.pendingTxns.size;
  }

  /** Starts writing the markers of a transaction in PrepareCommit/PrepareAbort (its Complete transition prepared). */
  addTxnMarkersToSend(shard: TransactionShard, commit: boolean, metadata: TransactionMetadata, newMetadata: TxnTransitMetadata): void {
    const pending: PendingCompleteTxn = {
      transactionalId: metadata.transactionalId,
      txnTopicPartition: shard.partition,
      coordinatorEpoch: shard.coordinatorEpoch,
      metadata,
      newMetadata,
      commit,
    };
    this.pendingTxns.set(pending.transactionalId, pending);
    this.enqueue(pending, metadata.producerId, metadata.producerEpoch, [...metadata.topicPartitions]);
    this.maybeWriteTxnCompletion(pending.transactionalId);
  }

  /** Leadership of a __transaction_state partition moved (or it is reloaded): its transactions' markers stop here. */
  removeMarkersForTxnTopicPartition(txnTopicPartition: number): void {
    for (const [node, queue] of this.queues) {
      this.queues.set(
        node,
        queue.filter((e) => e.pending.txnTopicPartition !== txnTopicPartition),
      );
    }
    for (const [id, p] of this.pendingTxns) if (p.txnTopicPartition === txnTopicPartition) this.pendingTxns.delete(id);
  }

  shutdown(): void {
    this.stopped = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.queues.clear();
    this.pendingTxns.clear();
  }

  // ------------------------------------------------------------------ queueing

  private enqueue(pending: PendingCompleteTxn, producerId: bigint, producerEpoch: number, partitions: string[]): void {
    if (this.stopped || partitions.length === 0) return;
    const byNode = new Map<number, string[]>();
    const later: string[] = [];
    const deleted: string[] = [];
    for (const key of partitions) {
      const { topic, partition } = parseTpKey(key);
      const dest = this.o.leaderOf(topic, partition);
      if (dest === 'deleted') deleted.push(key);
      else if (dest === 'unknown') later.push(key);
      else {
        const list = byNode.get(dest);
        if (list) list.push(key);
        else byNode.set(dest, [key]);
      }
    }
    for (const [node, keys] of byNode) {
      const queue = this.queues.get(node) ?? [];
      queue.push({ pending, producerId, producerEpoch, partitions: keys });
      this.queues.set(node, queue);
    }
    if (later.length > 0) this.after(() => this.retry(pending, producerId, producerEpoch, later));
    if (deleted.length > 0) {
      const meta = this.currentMetadata(pending);
      if (meta) {
        this.o.log.info('partitions of a transaction no longer exist; their markers are skipped', {
          transactionalId: pending.transactionalId,
          partitions: deleted.join(','),
        });
        for (const key of deleted) meta.removePartition(key);
        this.maybeWriteTxnCompletion(pending.transactionalId);
      } else this.removeMarkersForTxn(pending);
    }
    if (byNode.size > 0) this.scheduleDrain();
  }

  /** Sends again, if the transaction is still this coordinator's. */
  private retry(pending: PendingCompleteTxn, producerId: bigint, producerEpoch: number, partitions: string[]): void {
    if (this.currentMetadata(pending)) this.enqueue(pending, producerId, producerEpoch, partitions);
    else this.removeMarkersForTxn(pending);
  }

  private after(fn: () => void): void {
    if (this.stopped) return;
    const cancel = this.o.time.setTimeout(() => {
      this.timers.delete(cancel);
      if (!this.stopped) fn();
    }, this.o.retryBackoffMs);
    this.timers.add(cancel);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      for (const node of this.queues.keys()) this.drain(node);
    });
  }

  /** One request to `node` with every marker queued for it, unless one is already in flight. */
  private drain(node: number): void {
    const queue = this.queues.get(node);
    if (this.stopped || this.inFlight.has(node) || !queue || queue.length === 0) return;
    this.queues.delete(node);
    const entries = queue.filter((e) => this.pendingTxns.get(e.pending.transactionalId) === e.pending);
    if (entries.length === 0) return;
    const request: WriteTxnMarkersRequest = {
      markers: entries.map((e) => ({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        transactionResult: e.pending.commit,
        coordinatorEpoch: e.pending.coordinatorEpoch,
        topics: groupByTopic(e.partitions).map(({ topic, partitions }) => ({ name: topic, partitionIndexes: partitions })),
      })),
    };
    this.inFlight.add(node);
    let sent: Promise<WriteTxnMarkersResponse>;
    try {
      sent = this.o.send(node, request);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent
      .then(
        (response) => this.onResponse(node, entries, response),
        (err: unknown) => this.onSendFailed(node, entries, err),
      )
      .catch((err: unknown) => this.o.log.error('handling a WriteTxnMarkers answer failed', { err }))
      .finally(() => {
        this.inFlight.delete(node);
        this.drain(node);
      });
  }

  // ------------------------------------------------------------------ answers

  private onSendFailed(node: number, entries: MarkerEntry[], err: unknown): void {
    if (this.stopped) return;
    this.o.log.warn('sending transaction markers failed; retrying', { destination: node, err });
    for (const e of entries) {
      if (this.currentMetadata(e.pending)) this.after(() => this.retry(e.pending, e.producerId, e.producerEpoch, e.partitions));
      else this.removeMarkersForTxn(e.pending);
    }
  }

  private onResponse(node: number, entries: MarkerEntry[], response: WriteTxnMarkersResponse): void {
    if (this.stopped) return;
    for (const e of entries) {
      const meta = this.currentMetadata(e.pending);
      if (!meta) {
        this.removeMarkersForTxn(e.pending);
        continue;
      }
      const result = response.markers.find((m) => m.producerId === e.producerId);
      const codes = new Map<string, number>();
      for (const t of result?.topics ?? []) for (const p of t.partitions) codes.set(tpKey(t.name, p.partitionIndex), p.errorCode);
      const retry: string[] = [];
      let abandon = false;
      for (const key of e.partitions) {
        const code = codes.get(key);
        if (code === ErrorCode.NONE || code === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT || code === ErrorCode.UNSUPPORTED_VERSION) {
          meta.removePartition(key);
        } else if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.TRANSACTION_COORDINATOR_FENCED) {
          abandon = true;
        } else {
          if (code === undefined || !RETRIABLE.has(code)) {
            this.o.log.error('unexpected answer to a transaction marker; retrying', {
              transactionalId: e.pending.transactionalId,
              partition: key,
              destination: node,
              error: code === undefined ? 'no answer for the partition' : errorInfo(code).name,
            });
          }
          retry.push(key);
        }
      }
      if (abandon) {
        this.o.log.info('transaction markers abandoned: the producer or coordinator epoch moved on', {
          transactionalId: e.pending.transactionalId,
        });
        this.removeMarkersForTxn(e.pending);
      } else if (retry.length > 0) {
        this.after(() => this.retry(e.pending, e.producerId, e.producerEpoch, retry));
      } else {
        this.maybeWriteTxnCompletion(e.pending.transactionalId);
      }
    }
  }

  // ------------------------------------------------------------------ completion

  /** The metadata of a pending transaction while it is still this coordinator's at the same epoch, else null. */
  private currentMetadata(pending: PendingCompleteTxn): TransactionMetadata | null {
    const found = this.o.lookup(pending.transactionalId);
    if (typeof found === 'number') return null;
    if (found.shard.coordinatorEpoch !== pending.coordinatorEpoch || found.metadata !== pending.metadata) return null;
    return found.metadata;
  }

  private removeMarkersForTxn(pending: PendingCompleteTxn): void {
    if (this.pendingTxns.get(pending.transactionalId) === pending) this.pendingTxns.delete(pending.transactionalId);
  }

  private maybeWriteTxnCompletion(transactionalId: string): void {
    const pending = this.pendingTxns.get(transactionalId);
    if (!pending || pending.metadata.topicPartitions.size > 0) return;
    this.pendingTxns.delete(transactionalId);
    const found = this.o.lookup(transactionalId);
    if (typeof found === 'number' || found.shard.coordinatorEpoch !== pending.coordinatorEpoch || found.metadata !== pending.metadata) {
      this.o.log.info('not completing a transaction: no longer its coordinator at this epoch', { transactionalId });
      return;
    }
    void this.tryAppendToLog(found.shard, pending);
  }

  private async tryAppendToLog(shard: TransactionShard, pending: PendingCompleteTxn): Promise<void> {
    const code = await shard.append(pending.metadata, pending.newMetadata, (c) => c === ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (code === ErrorCode.NONE || code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return;
    if (code === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
      this.after(() => {
        if (this.currentMetadata(pending)) void this.tryAppendToLog(shard, pending);
      });
      return;
    }
    this.o.log.error('appending the completion of a transaction failed', {
      transactionalId: pending.transactionalId,
      error: errorInfo(code).name,
    });
  }
}
