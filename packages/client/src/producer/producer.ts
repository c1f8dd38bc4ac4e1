// The producer: `send({ topic, messages })` normalizes each message (string/Uint8Array -> Buffer,
// header object -> list, default timestamp now), makes sure the topic's metadata is known
// (auto-creation allowed, like the Java producer), picks the partition (explicit, custom, murmur2
// of the key, or the sticky partition), appends to the accumulator and resolves, per message, with
// the partition and offset once its batch is acknowledged. `flush()` sends everything now and
// waits; `close()` flushes and stops. Idempotence (KIP-98 sequences, idempotence.ts) is on by
// default, as in Java since 3.0 (`idempotent: false`, acks 0/1 or maxInFlight above 5 turn it off).
// Per message the hot path allocates only the record and its result (typed arrays hold the rest).
import type {
  Message,
  Producer,
  ProducerConfig,
  RecordMetadata,
  SendRequest,
  Bytes,
  HeaderInput,
  ConsumerGroupMetadata,
  OffsetToCommit,
  Transaction,
} from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { DefaultPartitioner } from '../partitioner/partitioner.ts';
import { ConnectionError, KafkaClientError } from '../network/errors.ts';
import {
  RecordAccumulator,
  logAppendTimeAt,
  offsetAt,
  type AccumulatorRecord,
  type BatchResult,
  type ProducerBatch,
} from './accumulator.ts';
import { partitionAndAppend } from './partition-and-append.ts';
import { Sender } from './sender.ts';
import { IdempotenceState } from './idempotence.ts';
import { TransactionManager } from './transaction-manager.ts';
import { KafkaTransaction } from './transaction.ts';

export function toBuffer(v: Bytes | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

// shared by every record sent without headers (nothing mutates a record's header list)
const NO_HEADERS: Array<{ key: string; value: Buffer | null }> = [];

export function toHeaders(h: Message['headers']): Array<{ key: string; value: Buffer | null }> {
  if (!h) return NO_HEADERS;
  if (Array.isArray(h)) return h.map((x) => ({ key: x.key, value: toBuffer(x.value) }));
  const out: Array<{ key: string; value: Buffer | null }> = [];
  for (const [key, value] of Object.entries(h as HeaderInput)) if (value !== undefined) out.push({ key, value: toBuffer(value) });
  return out;
}

/**
 * Defaults that differ from the Java client's (batch.size 16384, linger.ms 5), the way franz-go
 * chose them: batches of up to 1 MiB sent without lingering. Java preallocates batch.size bytes
 * per partition, so it keeps batches small; here a batch holds references to the records until it
 * is encoded, so a large batch.size costs nothing when traffic is light and, under load, lets one
 * request carry ~1,000 records of 1 KiB instead of 16 (measured with 1 KiB records: CPU per record
 * about 3.2 -> 1.25 µs in the producer and 3.3 -> 1.25 µs in the broker). A Node caller awaits
 * `send`, so lingering adds straight to every await; without it, batches still grow under load
 * because records wait while `maxInFlight` requests are out (natural batching). 1 MiB stays within
 * the broker's default max.message.bytes (1048588); a topic with a smaller limit answers
 * MESSAGE_TOO_LARGE and the batch is split in halves and retried (as Java does). Keyless records
 * still move to another partition after 16 KiB (Java's default batch.size) unless batchSize is
 * set, so their spread over partitions stays Java's.
 */
export const DEFAULT_BATCH_SIZE = 1048576;
export const DEFAULT_LINGER_MS = 0;
const STICKY_SWITCH_BYTES = 16384;

const acksOf = (a: ProducerConfig['acks']): number => (a === undefined || a === 'all' ? -1 : a);

/** The broker keeps the last 5 batches per producer and partition to recognize retries (Kafka's limit for idempotence). */
export const MAX_IDEMPOTENT_IN_FLIGHT = 5;

/**
 * Whether the producer is idempotent, as Java's ProducerConfig decides since 3.0 (KIP-679): on by
 * default; a default that conflicts with `acks` 0/1 or `maxInFlight` above 5 turns it off
 * quietly; asked for explicitly (or implied by a transactional id), a conflict is INVALID_CONFIG.
 */
export function idempotenceOf(config: ProducerConfig): boolean {
  const acksAll = config.acks === undefined || config.acks === 'all' || config.acks === -1;
  const inFlightOk = (config.maxInFlight ?? 5) <= MAX_IDEMPOTENT_IN_FLIGHT;
  const transactional = config.transactionalId !== undefined && config.transactionalId !== null;
  if (config.idempotent === false) {
    if (transactional)
      throw new KafkaClientError(
        'a transactional producer is idempotent: idempotent: false conflicts with transactionalId',
        'INVALID_CONFIG',
        false,
      );
    return false;
  }
  if (config.idempotent === true || transactional) {
    const what = transactional ? 'a transactional producer' : 'idempotent: true';
    if (!acksAll) throw new KafkaClientError(`${what} needs acks: "all"`, 'INVALID_CONFIG', false);
    if (!inFlightOk) throw new KafkaClientError(`${what} needs maxInFlight <= ${MAX_IDEMPOTENT_IN_FLIGHT}`, 'INVALID_CONFIG', false);
    return true;
  }
  return acksAll && inFlightOk;
}

export class KafkaProducer implements Producer {
  private readonly accumulator: RecordAccumulator;
  private readonly partitioner: DefaultPartitioner;
  private readonly sender: Sender;
  private readonly pending = new Set<ProducerBatch>();
  /** Closed once close() was called: no new sends from then on. */
  private get closed(): boolean {
    return this.closing !== null;
  }
  private readonly maxBlockMs: number;
  /** A transactional producer's state machine (null without a transactionalId). */
  private readonly txn: TransactionManager | null = null;

  constructor(
    private readonly cluster: Cluster,
    config: ProducerConfig = {},
  ) {
    const idempotent = idempotenceOf(config);
    if (config.transactionalId === '') throw new KafkaClientError('transactionalId must not be empty', 'INVALID_CONFIG', false);
    const transactionalId = config.transactionalId ?? null;
    const idempotence = idempotent ? new IdempotenceState(cluster) : null;
    const batchSize = config.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxBlockMs = config.maxBlockMs ?? 60000;
    this.accumulator = new RecordAccumulator({
      batchSize,
      lingerMs: config.lingerMs ?? DEFAULT_LINGER_MS,
      retryBackoffMs: config.retryBackoffMs ?? 100,
      deliveryTimeoutMs: config.deliveryTimeoutMs ?? 120000,
      clock: cluster.clock,
    });
    this.partitioner = new DefaultPartitioner({
      batchSize: config.batchSize ?? STICKY_SWITCH_BYTES,
      ignoreKeys: config.ignoreKeys,
      custom: config.partitioner,
    });
    this.sender = new Sender(
      cluster,
      this.accumulator,
      {
        acks: acksOf(config.acks),
        compression: config.compression ?? 'none',
        maxInFlight: config.maxInFlight ?? 5,
        maxRequestSize: config.maxRequestSize ?? 1048576,
        requestTimeoutMs: cluster.options.requestTimeoutMs ?? 30000,
        transactionalId,
      },
      idempotence,
    );
    if (transactionalId !== null && idempotence) {
      this.txn = new TransactionManager(
        cluster,
        idempotence,
        {
          startedSends: async () => {
            await Promise.allSettled([...this.preparing]);
          },
          flush: () => this.flush(),
          abortBatches: (error, all) => this.accumulator.abortBatches(error, all ? () => true : (b) => b.baseSequence < 0),
          wakeup: () => this.sender.wakeup(),
        },
        {
          transactionalId,
          transactionTimeoutMs: config.transactionTimeoutMs ?? 60000,
          retryBackoffMs: config.retryBackoffMs ?? 100,
          maxBlockMs: this.maxBlockMs,
          clock: cluster.clock,
        },
      );
    }
  }

  async send(request: SendRequest): Promise<RecordMetadata[]> {
    if (this.closed) throw new KafkaClientError('producer is closed', 'ILLEGAL_STATE', false);
    const txn = this.txn;
    txn?.failIfNotReadyForSend();
    const { topic, messages } = request;
    let maxPartition = -1;
    for (const m of messages) if (m.partition !== undefined && m.partition > maxPartition) maxPartition = m.partition;
    // close() waits for sends that started before it to reach the accumulator
    const layoutLookup = this.topicLayout(topic, maxPartition);
    this.preparing.add(layoutLookup);
    let layout: Awaited<typeof layoutLookup>;
    try {
      layout = await layoutLookup;
    } finally {
      this.preparing.delete(layoutLookup);
    }
    // a commit started meanwhile takes these records; an abort or an error refuses them
    txn?.failIfNotReadyForSend(true);
    const now = this.cluster.clock();
    const n = messages.length;
    const batches = new Array<ProducerBatch>(n);
    const indexes = new Int32Array(n);
    const partitions = new Int32Array(n);
    const timestamps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      const record: AccumulatorRecord = {
        key: toBuffer(m.key),
        value: toBuffer(m.value),
        headers: toHeaders(m.headers),
        timestamp: m.timestamp ?? now,
      };
      const r = partitionAndAppend(this.partitioner, this.accumulator, topic, layout, record, m.partition);
      if (r.newBatchCreated) this.track(r.batch);
      if (txn && (i === 0 || r.partition !== partitions[i - 1])) txn.maybeAddPartition(topic, r.partition);
      batches[i] = r.batch;
      indexes[i] = r.index;
      partitions[i] = r.partition;
      timestamps[i] = record.timestamp;
    }
    this.sender.wakeup();
    // one await per batch (records of a batch are consecutive here, mostly)
    const results = new Array<RecordMetadata>(n);
    let prev: ProducerBatch | undefined;
    let res!: BatchResult;
    let base = -1; // the batch's base offset as a number when plain (no split, known, below 2^53)
    for (let i = 0; i < n; i++) {
      const b = batches[i]!;
      if (b !== prev) {
        res = await b.result;
        prev = b;
        base = !res.rest && res.baseOffset >= 0n && res.baseOffset < 2n ** 52n ? Number(res.baseOffset) : -1;
      }
      const index = indexes[i]!;
      const logAppendTime = res.rest ? logAppendTimeAt(res, index) : res.logAppendTime;
      results[i] = {
        topic,
        partition: partitions[i]!,
        offset: base >= 0 ? BigInt(base + index) : offsetAt(res, index),
        timestamp: logAppendTime >= 0n ? Number(logAppendTime) : timestamps[i]!,
      };
    }
    return results;
  }

  /**
   * The topic's partitions. A known topic is used from the cache at once (a due refresh runs in
   * the background, so sends keep queueing while a broker is down; the sender retries them). An
   * unknown topic (or an explicit partition beyond the known ones) is looked up (auto-creation allowed), retrying connection failures for up to
   * `max.block.ms`, as the Java producer blocks in `send`.
   */
  private async topicLayout(topic: string, maxPartition: number) {
    const cached = this.cluster.metadata.layout(topic);
    // an explicit partition the cache does not know yet: look again (the topic may have grown)
    if (cached && maxPartition < cached.partitionCount) {
      if (this.cluster.metadataStale()) {
        this.cluster.refreshMetadata({ topics: [topic] }).catch(() => {});
      }
      return cached;
    }
    const deadline = this.cluster.clock() + this.maxBlockMs;
    for (let attempt = 0; ; attempt++) {
      try {
        if (cached) this.cluster.metadata.requestUpdate(topic);
        const unknown = await this.cluster.ensureTopics([topic], true);
        const layout = this.cluster.metadata.layout(topic);
        if (unknown.length === 0 && layout) {
          if (maxPartition < layout.partitionCount) return layout;
          throw new KafkaClientError(
            `partition ${maxPartition} of topic ${topic} does not exist (the topic has ${layout.partitionCount})`,
            'UNKNOWN_TOPIC_OR_PARTITION',
            false,
            { topic, partition: maxPartition, code: 3 },
          );
        }
        const code = this.cluster.metadata.topic(topic)?.errorCode;
        throw new KafkaClientError(`topic ${topic} is not available (error ${code ?? 'unknown'})`, 'UNKNOWN_TOPIC_OR_PARTITION', true, {
          topic,
          code,
        });
      } catch (err) {
        if (!(err instanceof ConnectionError) || this.closed || this.cluster.clock() >= deadline) throw err;
      }
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
    }
  }

  async sendBatch(requests: SendRequest[]): Promise<RecordMetadata[][]> {
    return Promise.all(requests.map((r) => this.send(r)));
  }

  async flush(): Promise<void> {
    const waiting = [...this.pending].map((b) => b.result.catch(() => {}));
    if (waiting.length === 0) return;
    this.accumulator.beginFlush();
    this.sender.wakeup();
    try {
      await Promise.all(waiting);
    } finally {
      this.accumulator.endFlush();
    }
  }

  /**
   * Sends what is buffered and waits for it (records that cannot be delivered fail after
   * delivery.timeout.ms), then stops. With `timeoutMs`, records still unacknowledged by then fail
   * with a PRODUCER_CLOSED error naming their partition (Java's close(Duration)).
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      // Java aborts a transaction still open when the producer closes
      if (this.txn?.hasOngoingTransaction && !this.txn.isCompleting) await this.txn.abortTransaction().catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const timedOut =
        options.timeoutMs === undefined ? null : new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), options.timeoutMs)));
      await Promise.allSettled([...this.preparing]);
      const flushed = this.flush();
      const outcome = await (timedOut ? Promise.race([flushed, timedOut]) : flushed);
      clearTimeout(timer);
      this.accumulator.close();
      this.sender.close();
      if (outcome === 'timeout') {
        for (const b of this.pending) {
          b.fail(
            new KafkaClientError(
              `producer closed: ${b.recordCount} record(s) for ${b.topic}-${b.partition} not acknowledged within ${options.timeoutMs} ms`,
              'PRODUCER_CLOSED',
              false,
              { topic: b.topic, partition: b.partition },
            ),
          );
        }
      }
    })();
    return this.closing;
  }

  private requireTxn(): TransactionManager {
    if (!this.txn) throw new KafkaClientError('not a transactional producer: create it with a transactionalId', 'ILLEGAL_STATE', false);
    return this.txn;
  }

  async initTransactions(): Promise<void> {
    return this.requireTxn().initTransactions();
  }

  beginTransaction(): void {
    this.requireTxn().beginTransaction();
  }

  async sendOffsetsToTransaction(offsets: OffsetToCommit[], group: ConsumerGroupMetadata | string): Promise<void> {
    return this.requireTxn().sendOffsetsToTransaction(offsets, group);
  }

  async commitTransaction(): Promise<void> {
    return this.requireTxn().commitTransaction();
  }

  async abortTransaction(): Promise<void> {
    return this.requireTxn().abortTransaction();
  }

  async transaction(): Promise<Transaction> {
    const txn = this.requireTxn();
    if (txn.state === 'UNINITIALIZED' || txn.state === 'INITIALIZING') await txn.initTransactions();
    txn.beginTransaction();
    return new KafkaTransaction(this);
  }

  private closing: Promise<void> | null = null;
  private readonly preparing = new Set<Promise<unknown>>();

  private track(batch: ProducerBatch): void {
    this.pending.add(batch);
    const done = () => this.pending.delete(batch);
    batch.result.then(done, done);
  }
}
