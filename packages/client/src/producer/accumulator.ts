// The record accumulator (Kafka's RecordAccumulator): records wait in per-partition queues of
// batches. A batch holds records up to `batch.size` bytes (16384; a record larger than that gets a
// batch of its own); a partition is ready to send when its first batch is full, when another batch
// is queued behind it, when it has waited `linger.ms` (default 5 ms, the Java client's default since
// Kafka 4.0, KIP-1030; 0 before), while flushing or closing, or after `retry.backoff.ms` for a
// retried batch. `ready()` returns the leaders with something to send and when to look again;
// `drain()` takes for one leader at most one batch per partition, round-robin over its partitions,
// up to `max.request.size` per request (at least one batch), asking an idempotent producer's gate
// (DrainGate) first, which also gives each batch its sequence. Batches past `delivery.timeout.ms`
// are expired (a partition's queue stays, empty, once created). A batch the broker finds too large
// (MESSAGE_TOO_LARGE) is split in halves in its place. These defaults are Java's; the producer
// passes its own (producer.ts). Time comes from an injected clock. Records stay as objects; the sender encodes each
// drained batch (record batch v2, optional compression) when it builds the Produce request.
import { RECORD_BATCH_OVERHEAD, recordSizeInBytes, type RecordHeader } from './record-size.ts';

export interface AccumulatorRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Create time, ms since epoch. */
  timestamp: number;
}

export interface BatchResult {
  baseOffset: bigint;
  /** LogAppendTime from the broker when the topic uses it, else -1. */
  logAppendTime: bigint;
  /** A batch split after MESSAGE_TOO_LARGE: records from index `from` on were written as `result`. */
  rest?: { from: number; result: BatchResult };
}

/** The part of a (possibly split) batch's result that wrote the record at `index`, and the record's index in it. */
function partFor(result: BatchResult, index: number): { part: BatchResult; index: number } {
  let part = result;
  while (part.rest && index >= part.rest.from) {
    index -= part.rest.from;
    part = part.rest.result;
  }
  return { part, index };
}

/** The offset of the record at `index` of a batch (baseOffset + index, following splits); -1 when unknown (acks=0). */
export function offsetAt(result: BatchResult, index: number): bigint {
  const { part, index: i } = partFor(result, index);
  return part.baseOffset < 0n ? -1n : part.baseOffset + BigInt(i);
}

/** The LogAppendTime that applies to the record at `index` (-1 for CreateTime topics). */
export function logAppendTimeAt(result: BatchResult, index: number): bigint {
  return partFor(result, index).part.logAppendTime;
}

let batchesCreated = 0;

/** One batch of records for one partition; settles once for all its records. */
export class ProducerBatch {
  readonly records: AccumulatorRecord[] = [];
  /** Creation order (process-wide): a retried batch goes back before every younger batch (a split's halves take their parent's place). */
  creationOrder = batchesCreated++;
  /** Estimated size in bytes of the encoded (uncompressed) batch. */
  sizeInBytes = RECORD_BATCH_OVERHEAD;
  /** Send attempts so far (0 until drained once). */
  attempts = 0;
  /** Clock time of the last attempt (or creation). */
  lastAttemptMs: number;
  /** Idempotence: producer id, epoch and base sequence given at first send (-1 when none). */
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** The sequence was rewritten after an epoch bump (Java's ProducerBatch.sequenceHasBeenReset). */
  sequenceReset = false;
  closed = false;
  /** Span of creation order this batch stands for (1; a split's halves share their parent's). */
  orderSpan = 1;
  private settled = false;
  readonly result: Promise<BatchResult>;
  private resolveFn!: (r: BatchResult) => void;
  private rejectFn!: (e: Error) => void;
  private readonly firstTimestamp: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
    private readonly batchSize: number,
    first: AccumulatorRecord,
  ) {
    this.lastAttemptMs = createdMs;
    this.firstTimestamp = first.timestamp;
    this.result = new Promise<BatchResult>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    // a failed batch with nobody awaiting must not crash the process
    this.result.catch(() => {});
    this.add(first);
  }

  /** Appends unconditionally (the first record, or a split's records). */
  add(
    r: AccumulatorRecord,
    size = recordSizeInBytes(this.records.length, r.timestamp - this.firstTimestamp, r.key, r.value, r.headers),
  ): number {
    this.records.push(r);
    this.sizeInBytes += size;
    return size;
  }

  /** Appends if there is room; returns the bytes added, or -1 when full or closed. */
  tryAppend(r: AccumulatorRecord): number {
    if (this.closed) return -1;
    const size = recordSizeInBytes(this.records.length, r.timestamp - this.firstTimestamp, r.key, r.value, r.headers);
    if (this.sizeInBytes + size > this.batchSize) return -1;
    return this.add(r, size);
  }

  /** Full (Java's MemoryRecordsBuilder.isFull): closed, or holding records and at batch.size. */
  get isFull(): boolean {
    return this.closed || (this.records.length > 0 && this.sizeInBytes >= this.batchSize);
  }

  get recordCount(): number {
    return this.records.length;
  }

  /** The sequence of the batch's last record (wrapping at Int32.MAX, as DefaultRecordBatch.incrementSequence). */
  get lastSequence(): number {
    const last = this.baseSequence + this.records.length - 1;
    return last > 0x7fffffff ? last - 0x7fffffff - 1 : last;
  }

  get isDone(): boolean {
    return this.settled;
  }

  complete(result: BatchResult): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(result);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(error);
  }

  /**
   * Two batches holding the first and the second half of the records (after MESSAGE_TOO_LARGE,
   * as Java's ProducerBatch.split), created when this one was; this batch settles when both have:
   * its result then maps each record index to the half it went with. An idempotent batch's
   * sequence range is shared out between the halves.
   */
  split(): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.records.length / 2);
    const parts = [this.records.slice(0, half), this.records.slice(half)].map((rs) => {
      const b = new ProducerBatch(this.topic, this.partition, this.createdMs, this.batchSize, rs[0]!);
      for (let i = 1; i < rs.length; i++) b.add(rs[i]!);
      b.producerId = this.producerId;
      b.producerEpoch = this.producerEpoch;
      b.orderSpan = this.orderSpan / 2;
      return b;
    }) as [ProducerBatch, ProducerBatch];
    parts[0].creationOrder = this.creationOrder;
    parts[1].creationOrder = this.creationOrder + parts[0].orderSpan;
    if (this.baseSequence >= 0) {
      parts[0].baseSequence = this.baseSequence;
      const next = this.baseSequence + half;
      parts[1].baseSequence = next > 0x7fffffff ? next - 0x7fffffff - 1 : next;
    }
    Promise.all([parts[0].result, parts[1].result]).then(
      ([first, second]) => this.complete({ ...first, rest: { from: half, result: second } }),
      (err: Error) => this.fail(err),
    );
    return parts;
  }
}

export interface AccumulatorOptions {
  /** `batch.size` in bytes (default 16384). */
  batchSize?: number;
  /** `linger.ms` (default 5). */
  lingerMs?: number;
  /** `retry.backoff.ms` before a retried batch may be sent again (default 100). */
  retryBackoffMs?: number;
  /** `delivery.timeout.ms` (default 120000). */
  deliveryTimeoutMs?: number;
  /** Milliseconds clock (default Date.now). */
  clock?: () => number;
}

export interface AppendResult {
  batch: ProducerBatch;
  partition: number;
  /** Index of the record in its batch: its offset is the batch's baseOffset + index. */
  index: number;
  appendedBytes: number;
  newBatchCreated: boolean;
  /** True when the partition's last batch is full (the sticky partitioner may switch). */
  lastBatchFull: boolean;
  /** Java's RecordAppendResult.batchIsFull: more than one batch queued, or the last one full. */
  batchIsFull: boolean;
}

export interface ReadyResult {
  /** Leader node ids with at least one sendable batch. */
  readyNodes: Set<number>;
  /** Milliseconds until some not-yet-ready batch may become ready (Infinity if none). */
  nextReadyCheckDelayMs: number;
  /** Topics with batches for a partition whose leader is unknown (refresh metadata). */
  unknownLeaderTopics: Set<string>;
}

/** Leader of a partition, or undefined/-1 when unknown. */
export type LeaderLookup = (topic: string, partition: number) => number | undefined;

/**
 * What an idempotent or transactional producer adds to draining (Java's
 * RecordAccumulator.shouldStopDrainBatchesForPartition and the sequence assignment in drain):
 * whether a partition's first batch may leave now, and the hook that gives a drained batch its
 * producer id, epoch and sequence.
 */
export interface DrainGate {
  mayDrain(first: ProducerBatch): boolean;
  drained(batch: ProducerBatch): void;
}

/** Puts a batch back before the first queued batch created after it (usually at the head). */
function insertInOrder(batches: ProducerBatch[], batch: ProducerBatch): void {
  let i = 0;
  while (i < batches.length && batches[i]!.creationOrder < batch.creationOrder) i++;
  batches.splice(i, 0, batch);
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

interface PartitionQueue {
  topic: string;
  partition: number;
  batches: ProducerBatch[];
}

export class RecordAccumulator {
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly retryBackoffMs: number;
  readonly deliveryTimeoutMs: number;
  private readonly clock: () => number;
  private readonly queues = new Map<string, PartitionQueue>();
  /** The same queues by topic, then partition index: the append path looks up without building a key string. */
  private readonly byTopic = new Map<string, Array<PartitionQueue | undefined>>();
  /** Partitions not drained now: held while their leader changed with batches in flight to the old one. */
  private readonly muted = new Set<string>();
  private readonly drainIndex = new Map<number, number>();
  private flushes = 0;
  private closed = false;

  constructor(options: AccumulatorOptions = {}) {
    this.batchSize = options.batchSize ?? 16384;
    this.lingerMs = options.lingerMs ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120000;
    this.clock = options.clock ?? Date.now;
  }

  append(topic: string, partition: number, record: AccumulatorRecord): AppendResult {
    if (this.closed) throw new Error('producer is closed');
    const q = this.queueOf(topic, partition);
    const last = q.batches[q.batches.length - 1];
    if (last) {
      const bytes = last.tryAppend(record);
      if (bytes >= 0)
        return {
          batch: last,
          partition,
          index: last.recordCount - 1,
          appendedBytes: bytes,
          newBatchCreated: false,
          lastBatchFull: last.isFull,
          batchIsFull: q.batches.length > 1 || last.isFull,
        };
    }
    const batch = new ProducerBatch(topic, partition, this.clock(), this.batchSize, record);
    q.batches.push(batch);
    // like Java, a new batch counts its whole estimated size (header included) as appended
    return {
      batch,
      partition,
      index: 0,
      appendedBytes: batch.sizeInBytes,
      newBatchCreated: true,
      lastBatchFull: batch.isFull,
      batchIsFull: q.batches.length > 1 || batch.isFull,
    };
  }

  private queueOf(topic: string, partition: number): PartitionQueue {
    let partitions = this.byTopic.get(topic);
    if (!partitions) this.byTopic.set(topic, (partitions = []));
    let q = partitions[partition];
    if (!q) {
      const k = key(topic, partition);
      q = this.queues.get(k);
      if (!q) this.queues.set(k, (q = { topic, partition, batches: [] }));
      partitions[partition] = q;
    }
    return q;
  }

  /** Java's allBatchesFull: the partition's last batch is full (or there is none). */
  lastBatchFull(topic: string, partition: number): boolean {
    const q = this.byTopic.get(topic)?.[partition];
    const last = q?.batches[q.batches.length - 1];
    return last === undefined || last.isFull;
  }

  /** Number of queued batches for each partition id (input of adaptive partitioning). */
  queueSizes(topic: string, partitionIds: readonly number[]): number[] {
    return partitionIds.map((p) => this.queues.get(key(topic, p))?.batches.length ?? 0);
  }

  ready(leaderOf: LeaderLookup): ReadyResult {
    const now = this.clock();
    const readyNodes = new Set<number>();
    const unknownLeaderTopics = new Set<string>();
    let nextReadyCheckDelayMs = Infinity;
    const flushing = this.flushes > 0 || this.closed;
    for (const [k, q] of this.queues) {
      const first = q.batches[0];
      if (!first) continue;
      const leader = leaderOf(q.topic, q.partition);
      if (leader === undefined || leader < 0) {
        unknownLeaderTopics.add(q.topic);
        continue;
      }
      if (readyNodes.has(leader) || this.muted.has(k)) continue;
      const waited = Math.max(0, now - first.lastAttemptMs);
      const backingOff = first.attempts > 0 && waited < this.retryBackoffMs;
      const timeToWait = backingOff ? this.retryBackoffMs : this.lingerMs;
      const full = q.batches.length > 1 || first.isFull;
      const expired = waited >= timeToWait;
      const sendable = full || expired || flushing;
      if (sendable && !backingOff) readyNodes.add(leader);
      else nextReadyCheckDelayMs = Math.min(nextReadyCheckDelayMs, Math.max(timeToWait - waited, 0));
    }
    return { readyNodes, nextReadyCheckDelayMs, unknownLeaderTopics };
  }

  /**
   * For each node, the batches to send now: at most one per partition it leads, starting after
   * the partition the previous drain stopped at, up to `maxRequestSize` bytes (at least one batch).
   * Drained batches are closed, removed from their queue, and their attempt counted.
   */
  drain(leaderOf: LeaderLookup, nodes: Iterable<number>, maxRequestSize: number, gate?: DrainGate): Map<number, ProducerBatch[]> {
    const now = this.clock();
    const out = new Map<number, ProducerBatch[]>();
    const byLeader = new Map<number, PartitionQueue[]>();
    for (const q of this.queues.values()) {
      const leader = leaderOf(q.topic, q.partition);
      if (leader === undefined || leader < 0) continue;
      let l = byLeader.get(leader);
      if (!l) byLeader.set(leader, (l = []));
      l.push(q);
    }
    for (const node of nodes) {
      const parts = byLeader.get(node) ?? [];
      const batches: ProducerBatch[] = [];
      let size = 0;
      const start = parts.length ? (this.drainIndex.get(node) ?? 0) % parts.length : 0;
      for (let i = 0; i < parts.length; i++) {
        const idx = (start + i) % parts.length;
        const q = parts[idx];
        const first = q.batches[0];
        if (!first || this.muted.has(key(q.topic, q.partition))) continue;
        if (first.attempts > 0 && now - first.lastAttemptMs < this.retryBackoffMs) continue;
        if (size + first.sizeInBytes > maxRequestSize && batches.length > 0) {
          this.drainIndex.set(node, idx);
          break;
        }
        if (gate && !gate.mayDrain(first)) continue;
        q.batches.shift();
        gate?.drained(first);
        first.closed = true;
        first.attempts++;
        first.lastAttemptMs = now;
        size += first.sizeInBytes;
        batches.push(first);
        this.drainIndex.set(node, idx + 1);
      }
      if (batches.length) out.set(node, batches);
    }
    return out;
  }

  /** Replaces a batch the broker found too large by its two halves, in its place in the queue; returns the halves. */
  splitAndReenqueue(batch: ProducerBatch): [ProducerBatch, ProducerBatch] {
    const [first, second] = batch.split();
    const q = this.queueOf(batch.topic, batch.partition);
    insertInOrder(q.batches, second);
    insertInOrder(q.batches, first);
    return [first, second];
  }

  /**
   * Puts a batch that failed with a retriable error back in its queue, before every younger batch:
   * several batches of a partition can fail at once (a leader change) and must go out again in the
   * order they were made, whatever order their failures are handled in.
   */
  reenqueue(batch: ProducerBatch): void {
    const q = this.queueOf(batch.topic, batch.partition);
    batch.lastAttemptMs = this.clock();
    insertInOrder(q.batches, batch);
  }

  /** Removes and returns batches older than delivery.timeout.ms (the caller fails them). */
  expiredBatches(): ProducerBatch[] {
    const now = this.clock();
    const expired: ProducerBatch[] = [];
    for (const q of this.queues.values()) {
      while (q.batches.length && now - q.batches[0].createdMs >= this.deliveryTimeoutMs) expired.push(q.batches.shift()!);
    }
    return expired;
  }

  mutePartition(topic: string, partition: number): void {
    this.muted.add(key(topic, partition));
  }

  unmutePartition(topic: string, partition: number): void {
    this.muted.delete(key(topic, partition));
  }

  /** While a flush is in progress every batch is ready regardless of linger. */
  beginFlush(): void {
    this.flushes++;
  }

  endFlush(): void {
    if (this.flushes > 0) this.flushes--;
  }

  /** No more appends; everything queued is ready. */
  close(): void {
    this.closed = true;
  }

  hasUndrained(): boolean {
    for (const q of this.queues.values()) if (q.batches.length) return true;
    return false;
  }

  /**
   * Fails and removes the queued batches `which` selects (Java's abortUndrainedBatches: a
   * transaction being aborted drops what was never sent; batches with a sequence still go out).
   */
  abortBatches(error: Error, which: (b: ProducerBatch) => boolean): void {
    for (const q of this.queues.values()) {
      const keep: ProducerBatch[] = [];
      for (const b of q.batches) {
        if (which(b)) b.fail(error);
        else keep.push(b);
      }
      q.batches = keep;
    }
  }

  /** Fails every queued batch (on abort / forced close). */
  abortAll(error: Error): void {
    for (const q of this.queues.values()) for (const b of q.batches) b.fail(error);
    this.queues.clear();
    this.byTopic.clear();
  }
}
