// Idempotent producing (KIP-98, KIP-360): the sequence bookkeeping half of Java's
// TransactionManager. The producer has an id and epoch (InitProducerId); each partition has the
// id/epoch its sequences belong to, the next sequence, the last acknowledged sequence and offset,
// and its incomplete batches that carry a sequence ("in flight": sent, or back in the queue for a
// retry), ordered by sequence. Up to max.in.flight (5) requests per broker may be out, so up to 5
// batches of one partition may be on the wire; order is kept by the drain gate:
//   - a batch gets its sequence when first drained, and keeps it across retries;
//   - a retried batch leaves only when it is the partition's first in-flight batch, so after an
//     error the batches behind it go out again one at a time, in sequence order;
//   - a new batch waits while the partition has an unresolved sequence (a sent batch that expired)
//     or still has in-flight batches of an older id/epoch.
// Errors (Java's canRetry / handleFailedBatch): OUT_OF_ORDER_SEQUENCE_NUMBER for a batch that is not
// the next one after the last acknowledged sequence is retried (an earlier batch failed); for the
// next one it is a real gap: an epoch bump for the partition, and retry. UNKNOWN_PRODUCER_ID (the
// broker lost the producer's state) also bumps and retries. The bump waits until nothing of the
// partitions that asked for it is on the wire, then InitProducerId with the current id and epoch
// (v3+, KIP-360; Java's idempotent producer bumps locally instead; a broker may also answer a new
// id, as Kafka's does for idempotent producers, which works the same); the partitions that asked
// get their in-flight batches re-sequenced from 0 under the new epoch, the others restart at 0
// once their in-flight batches are done. A batch failed for good after being sent asks for a bump
// (idempotent) or shifts the later sequences down (transactional: the transaction is aborted
// anyway). Transactional producers get their id and epoch from the transaction manager, which
// also says which partitions may be sent to (added to the transaction).
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';
import { UnsupportedVersionError } from '../cluster/api-versions.ts';
import type { DrainGate, ProducerBatch } from './accumulator.ts';

const INT32_MAX = 0x7fffffff;

/** Java's DefaultRecordBatch.incrementSequence: sequences wrap at Int32.MAX. */
export function incrementSequence(sequence: number, by: number): number {
  const next = sequence + by;
  return next > INT32_MAX ? next - INT32_MAX - 1 : next;
}

class PartitionSequences {
  producerId = -1n;
  producerEpoch = -1;
  nextSequence = 0;
  lastAckedSequence = -1;
  lastAckedOffset = -1n;
  /** Incomplete batches that have a sequence (on the wire or queued for a retry), by base sequence. */
  inflight: ProducerBatch[] = [];
  /** Of those, how many were sent and are not answered yet. */
  awaiting = 0;
}

/** What a transactional producer adds (the transaction manager implements it). */
export interface TransactionHooks {
  /** Whether batches of this partition may be sent (the partition was added to the transaction). */
  isSendAllowed(topic: string, partition: number): boolean;
  /** A batch failed for good: abortable or fatal error, as Java's maybeTransitionToErrorState. */
  batchFailed(error: Error): void;
  /** A partition's sent batches expired without an answer and later ones did not resolve them. */
  sequencesUnresolved(topic: string, partition: number): void;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function insertBySequence(list: ProducerBatch[], b: ProducerBatch): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.baseSequence > b.baseSequence) i--;
  list.splice(i, 0, b);
}

function remove(list: ProducerBatch[], b: ProducerBatch): void {
  const i = list.indexOf(b);
  if (i >= 0) list.splice(i, 1);
}

export class IdempotenceState implements DrainGate {
  producerId = -1n;
  producerEpoch = -1;
  private readonly partitions = new Map<string, PartitionSequences>();
  /** Partitions with a sent batch that expired: the sequence after it (Java's partitionsWithUnresolvedSequences). */
  private readonly unresolved = new Map<string, number>();
  private epochBumpRequired = false;
  /** Partitions whose in-flight batches are re-sequenced when the epoch is bumped. */
  private readonly toRewrite = new Set<string>();
  private busy: Promise<void> | null = null;
  /** Set by a transactional producer's manager. */
  txn: TransactionHooks | null = null;

  constructor(private readonly cluster: Cluster) {}

  get hasProducerId(): boolean {
    return this.producerId >= 0n;
  }

  get transactional(): boolean {
    return this.txn !== null;
  }

  private entry(topic: string, partition: number): PartitionSequences {
    const k = keyOf(topic, partition);
    let e = this.partitions.get(k);
    if (!e) this.partitions.set(k, (e = new PartitionSequences()));
    return e;
  }

  private isStale(e: PartitionSequences): boolean {
    return e.producerId !== this.producerId || e.producerEpoch !== this.producerEpoch;
  }

  /** Sets the producer id and epoch (a transactional producer's InitProducerId). */
  setProducerIdAndEpoch(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }

  /** Forgets every partition's sequences (after a transactional epoch bump: all restart at 0). */
  resetSequences(): void {
    this.partitions.clear();
    this.unresolved.clear();
  }

  /** Whether a batch of any partition is incomplete with a sequence. */
  get hasInflight(): boolean {
    for (const e of this.partitions.values()) if (e.inflight.length > 0) return true;
    return false;
  }

  /**
   * The sender's first step in each turn (Java's maybeResolveSequences and
   * bumpIdempotentEpochAndResetIdIfNeeded): resolves sequences, and for an idempotent producer
   * starts an InitProducerId when there is no producer id or an epoch bump is due. Returns the
   * request under way (the sender sends nothing until it settles), else null.
   */
  prepare(): Promise<void> | null {
    if (this.busy) return this.busy;
    this.resolveSequences();
    if (this.txn) return null;
    if (this.epochBumpRequired && this.hasProducerId) {
      // the partitions to re-sequence must have every sent batch answered first
      for (const k of this.toRewrite) if ((this.partitions.get(k)?.awaiting ?? 0) > 0) return null;
      return this.run(true);
    }
    if (!this.hasProducerId) return this.run(false);
    return null;
  }

  private run(bump: boolean): Promise<void> {
    this.busy = this.initProducerId(bump).finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async initProducerId(bump: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const c = await this.cluster.anyConnection();
      if (!c.apiVersions.supports(ApiKey.InitProducerId)) {
        throw new UnsupportedVersionError(
          `idempotent producer: broker ${c.broker} does not support InitProducerId (needs Kafka 0.11 or later); use idempotent: false with this broker`,
          c.broker,
        );
      }
      // KIP-360: the current id and epoch ask for the same id with the next epoch (v3+)
      const withCurrent = bump && c.versionFor(ApiKey.InitProducerId) >= 3;
      const r = await c.request(ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: INT32_MAX,
        producerId: withCurrent ? this.producerId : -1n,
        producerEpoch: withCurrent ? this.producerEpoch : -1,
      });
      if (r.errorCode === ErrorCode.NONE) {
        this.setProducerIdAndEpoch(r.producerId, r.producerEpoch);
        if (bump) {
          for (const k of this.toRewrite) {
            const e = this.partitions.get(k);
            if (e) this.startSequencesAtBeginning(e);
            this.unresolved.delete(k);
          }
          this.toRewrite.clear();
          this.epochBumpRequired = false;
        }
        return;
      }
      const info = errorInfo(r.errorCode);
      if (!info.retriable || attempt >= 10)
        throw new KafkaClientError(`InitProducerId failed: ${info.name}`, info.name, info.retriable, { code: r.errorCode });
      await sleep(100 * (attempt + 1));
    }
  }

  /** Re-sequences a partition's in-flight batches from 0 under the current id and epoch (Java's startSequencesAtBeginning). */
  private startSequencesAtBeginning(e: PartitionSequences): void {
    let sequence = 0;
    for (const b of e.inflight) {
      b.producerId = this.producerId;
      b.producerEpoch = this.producerEpoch;
      b.baseSequence = sequence;
      b.sequenceReset = true;
      sequence = incrementSequence(sequence, b.recordCount);
    }
    e.producerId = this.producerId;
    e.producerEpoch = this.producerEpoch;
    e.nextSequence = sequence;
    e.lastAckedSequence = -1;
  }

  private requestEpochBump(topic: string, partition: number): void {
    this.epochBumpRequired = true;
    this.toRewrite.add(keyOf(topic, partition));
  }

  /** Partitions whose expired batches are settled one way or the other once nothing is in flight. */
  private resolveSequences(): void {
    for (const k of [...this.unresolved.keys()]) {
      const e = this.partitions.get(k);
      if (e && e.inflight.length > 0) continue;
      this.unresolved.delete(k);
      // every batch after the expired one was acknowledged: it was written after all
      if (!e || e.nextSequence - e.lastAckedSequence === 1) continue;
      const [topic, partition] = k.split('\u0000') as [string, string];
      if (this.txn) this.txn.sequencesUnresolved(topic, Number(partition));
      else this.requestEpochBump(topic, Number(partition));
    }
  }

  /** DrainGate: may the partition's first batch be sent now (Java's shouldStopDrainBatchesForPartition, inverted)? */
  mayDrain(first: ProducerBatch): boolean {
    if (this.busy || !this.hasProducerId) return false;
    if (this.txn && !this.txn.isSendAllowed(first.topic, first.partition)) return false;
    const k = keyOf(first.topic, first.partition);
    const e = this.entry(first.topic, first.partition);
    // an epoch bump (or a new id) reaches a partition once its older batches are all done
    if (this.isStale(e) && e.inflight.length === 0) this.startSequencesAtBeginning(e);
    if (this.toRewrite.has(k)) return false;
    if (first.baseSequence < 0) return !(e.inflight.length > 0 && this.isStale(e)) && !this.unresolved.has(k);
    // a retry goes first, alone: the batches behind it wait for its answer
    const head = e.inflight[0];
    return head === undefined || head.baseSequence === first.baseSequence;
  }

  /** DrainGate: a drained batch gets its id, epoch and sequence on its first send. */
  drained(b: ProducerBatch): void {
    const e = this.entry(b.topic, b.partition);
    if (b.baseSequence < 0) {
      b.producerId = this.producerId;
      b.producerEpoch = this.producerEpoch;
      b.baseSequence = e.nextSequence;
      e.nextSequence = incrementSequence(e.nextSequence, b.recordCount);
      insertBySequence(e.inflight, b);
    } else if (!e.inflight.includes(b)) {
      insertBySequence(e.inflight, b);
    }
    e.awaiting++;
  }

  /** A sent batch was answered (or its request failed): call before handling the answer. */
  answered(b: ProducerBatch): void {
    const e = this.partitions.get(keyOf(b.topic, b.partition));
    if (e && e.awaiting > 0) e.awaiting--;
  }

  /** A batch was acknowledged (or was a duplicate of one acknowledged earlier). */
  completed(b: ProducerBatch, baseOffset: bigint): void {
    const e = this.partitions.get(keyOf(b.topic, b.partition));
    if (!e) return;
    if (b.lastSequence > e.lastAckedSequence) e.lastAckedSequence = b.lastSequence;
    if (baseOffset >= 0n) {
      const last = baseOffset + BigInt(b.recordCount - 1);
      if (last > e.lastAckedOffset) e.lastAckedOffset = last;
    }
    remove(e.inflight, b);
  }

  /** A batch too large for the topic was split: its halves take its sequences and its place. */
  split(parent: ProducerBatch, halves: readonly ProducerBatch[]): void {
    const e = this.partitions.get(keyOf(parent.topic, parent.partition));
    if (!e) return;
    remove(e.inflight, parent);
    for (const h of halves) if (h.baseSequence >= 0) insertBySequence(e.inflight, h);
  }

  /** Java's TransactionManager.canRetry: whether a produce error is retried, bumping the epoch where needed. */
  canRetry(b: ProducerBatch, errorCode: number, logStartOffset: bigint): boolean {
    const k = keyOf(b.topic, b.partition);
    const e = this.entry(b.topic, b.partition);
    if (errorCode === ErrorCode.UNKNOWN_PRODUCER_ID) {
      if (logStartOffset < 0n || b.sequenceReset) return true;
      if (e.lastAckedOffset < logStartOffset) {
        // the log's head (with our state) was removed, e.g. by retention: start the sequences again
        if (this.txn) this.startSequencesAtBeginning(e);
        else this.requestEpochBump(b.topic, b.partition);
        return true;
      }
      if (!this.txn) {
        this.requestEpochBump(b.topic, b.partition);
        return true;
      }
      return false;
    }
    if (errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      const unresolvedNext = this.unresolved.get(k);
      // not the batch after the last acknowledged one: an earlier batch failed, this one follows it again
      if (unresolvedNext === undefined && (b.sequenceReset || b.baseSequence - e.lastAckedSequence !== 1)) return true;
      if (!this.txn) {
        if (unresolvedNext === undefined || unresolvedNext === b.baseSequence) this.requestEpochBump(b.topic, b.partition);
        return true;
      }
      return false;
    }
    return errorInfo(errorCode).retriable;
  }

  /**
   * A batch failed for good (Java's handleFailedBatch). `errorCode` is the broker's answer (null
   * without one); `adjust` when the broker answered for this attempt, so its sequences were not used.
   */
  failed(b: ProducerBatch, error: Error, errorCode: number | null, adjust: boolean): void {
    this.txn?.batchFailed(error);
    if (b.baseSequence < 0) return;
    const k = keyOf(b.topic, b.partition);
    const e = this.partitions.get(k);
    if (e) remove(e.inflight, b);
    if (errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && !this.txn) {
      this.requestEpochBump(b.topic, b.partition);
    } else if (errorCode === ErrorCode.UNKNOWN_PRODUCER_ID) {
      this.partitions.delete(k);
      this.unresolved.delete(k);
    } else if (adjust && e) {
      if (!this.txn) this.requestEpochBump(b.topic, b.partition);
      else this.adjustSequencesAfter(e, b);
    }
  }

  /** A queued batch that had been sent expired (delivery.timeout.ms): whether it was written is unknown. */
  expired(b: ProducerBatch, error: Error): void {
    if (b.baseSequence >= 0) {
      const k = keyOf(b.topic, b.partition);
      const next = incrementSequence(b.lastSequence, 1);
      this.unresolved.set(k, Math.max(this.unresolved.get(k) ?? next, next));
    }
    this.failed(b, error, null, false);
  }

  /** A transactional batch the broker refused for good: the later sequences move down over its gap. */
  private adjustSequencesAfter(e: PartitionSequences, failed: ProducerBatch): void {
    e.nextSequence -= failed.recordCount;
    for (const b of e.inflight) if (b.baseSequence > failed.baseSequence) b.baseSequence -= failed.recordCount;
  }
}
