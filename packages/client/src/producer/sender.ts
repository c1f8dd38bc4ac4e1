// The producer's sender (Kafka's Sender): takes ready batches out of the accumulator, groups them
// per leader into Produce requests and keeps up to `maxInFlight` of them outstanding per broker
// (each wakeup drains again while a broker has room, as Java's Sender loop does, instead of one
// request per wakeup). Uncompressed batches are encoded into pooled buffers (buffer-pool.ts) that
// go to the socket by reference, in one writev with the request header (network/frame-writer.ts),
// and return to the pool once written; with a codec the batch is compressed first. Each batch is
// settled from the response: success gives the base offset (and LogAppendTime); MESSAGE_TOO_LARGE
// splits a batch of several records in halves (the topic's max.message.bytes is below batch.size);
// a retriable error (the error table's flag, or a lost connection) puts the batch back in its
// queue, in creation order, after `retry.backoff.ms`, refreshing metadata when leadership may
// have moved; anything else, or running out of `delivery.timeout.ms`, fails the batch with an error
// naming the topic and partition. Runs when woken (new records, responses) and on linger timers.
// Order across a leader change: retried batches go back in creation order (accumulator), and a
// partition whose leader changed while batches of it are in flight to the old leader is held
// until they are all answered, so a younger batch never reaches the new leader before an older
// one the old leader refused. Idempotent (and transactional) producers: up to maxInFlight batches
// of a partition may be out; idempotence.ts gates draining (sequences, retries in sequence order,
// epoch bumps) and decides which sequence errors are retried; transactional batches carry the
// transactional id and the transactional attribute.
import type { BrokerConnection } from '../network/connection.ts';
import { ApiKey, ErrorCode, errorInfo, type ProduceResponse } from '@tributary/protocol';

type ProducePartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';
import type { ProducerBatch, RecordAccumulator } from './accumulator.ts';
import { encodeProducerBatch, type CompressionName } from './batch-encoder.ts';
import type { IdempotenceState } from './idempotence.ts';
import { BufferPool } from './buffer-pool.ts';

/** The record batches of one request, encoded (synchronously unless a codec compresses). */
function encodeAll(
  batches: readonly ProducerBatch[],
  compression: CompressionName,
  transactional: boolean,
  alloc: (size: number) => Buffer,
): Buffer[] | Promise<Buffer[]> {
  const out = new Array<Buffer>(batches.length);
  let pending: Array<Promise<void>> | null = null;
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const e = encodeProducerBatch(b, {
      compression,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      transactional,
      alloc,
    });
    if (e instanceof Promise)
      (pending ??= []).push(
        e.then((buf) => {
          out[i] = buf;
        }),
      );
    else out[i] = e;
  }
  return pending ? Promise.all(pending).then(() => out) : out;
}

export interface SenderConfig {
  acks: number;
  compression: CompressionName;
  maxInFlight: number;
  maxRequestSize: number;
  requestTimeoutMs: number;
  /** A transactional producer's id (sent with every Produce request), else null. */
  transactionalId?: string | null;
}

// errors after which the partition's leader must be looked up again
const METADATA_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export class Sender {
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Map<number, number>();
  /**
   * Per node: settles once the latest dispatched request was handed to the connection. Requests
   * are compressed in parallel (gzip and zstd on the thread pool finish in any order) but handed
   * over in dispatch order, so batches of one partition reach the broker in the order drained.
   */
  private readonly handedOver = new Map<number, Promise<void>>();
  private refreshing = false;
  private closed = false;
  /** Buffers of uncompressed batches, reused once their request is written. */
  private readonly pool = new BufferPool();
  private readonly take = (size: number) => this.pool.take(size);
  /** Batches in flight per partition, the node they went to, held or not. */
  private readonly partitionsInFlight = new Map<
    string,
    { topic: string; partition: number; node: number; batches: number; held: boolean }
  >();

  private readonly transactionalId: string | null;

  constructor(
    private readonly cluster: Cluster,
    private readonly accumulator: RecordAccumulator,
    private readonly config: SenderConfig,
    private readonly idempotence: IdempotenceState | null = null,
  ) {
    this.transactionalId = config.transactionalId ?? null;
  }

  /** Runs the send loop soon (coalesces calls made in the same tick). */
  wakeup(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.runOnce();
    });
  }

  close(): void {
    this.closed = true;
    this.pool.close();
    if (this.timer) clearTimeout(this.timer);
  }

  private leaderOf = (topic: string, partition: number): number | undefined => this.cluster.metadata.leaderFor(topic, partition);

  private runOnce(): void {
    for (const b of this.accumulator.expiredBatches()) {
      const error = this.deliveryTimeout(b);
      this.idempotence?.expired(b, error);
      b.fail(error);
    }
    const { readyNodes, nextReadyCheckDelayMs, unknownLeaderTopics } = this.accumulator.ready(this.leaderOf);
    if (unknownLeaderTopics.size > 0) this.refreshMetadata([...unknownLeaderTopics]);
    if (this.idempotence && readyNodes.size > 0) {
      // a producer id to get, or an epoch to bump, before anything is sent
      const pending = this.idempotence.prepare();
      if (pending) {
        pending.then(
          () => this.wakeup(),
          (err) => this.failAll(err as Error),
        );
        return;
      }
    }
    if (this.partitionsInFlight.size > 0) this.holdMovedPartitions();
    // Like Java's Sender loop: drain again while nodes have sendable batches and room in flight,
    // so up to maxInFlight requests per broker leave in this turn (not one per wakeup).
    let ready = readyNodes;
    let nextCheck = nextReadyCheckDelayMs;
    for (;;) {
      const nodes = [...ready].filter((n) => (this.inFlight.get(n) ?? 0) < this.config.maxInFlight);
      if (nodes.length === 0) break;
      const drained = this.accumulator.drain(this.leaderOf, nodes, this.config.maxRequestSize, this.idempotence ?? undefined);
      if (drained.size === 0) break;
      let room = false;
      for (const [node, batches] of drained) {
        this.dispatch(node, batches);
        if ((this.inFlight.get(node) ?? 0) < this.config.maxInFlight) room = true;
      }
      // only a node just drained can have more to send now (the others had nothing ready or no room)
      if (!room) break;
      const again = this.accumulator.ready(this.leaderOf);
      ready = again.readyNodes;
      nextCheck = again.nextReadyCheckDelayMs;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.accumulator.hasUndrained() && Number.isFinite(nextCheck) && !this.closed) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.wakeup();
        },
        Math.max(1, nextCheck),
      );
    }
  }

  /** Sends one drained request to `node`, counting it in flight until it settles. */
  private dispatch(node: number, batches: ProducerBatch[]): void {
    for (const b of batches) this.trackInFlight(node, b);
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1);
    const previous = this.handedOver.get(node);
    let handOver!: () => void;
    const mine = new Promise<void>((resolve) => (handOver = resolve));
    this.handedOver.set(node, mine);
    void mine.then(() => {
      if (this.handedOver.get(node) === mine) this.handedOver.delete(node);
    });
    void this.produce(node, batches, previous, handOver).finally(() => {
      this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
      for (const b of batches) this.untrackInFlight(b);
      this.wakeup();
    });
  }

  /** Holds (mutes) partitions whose leader changed while batches of them are in flight to the old one. */
  private holdMovedPartitions(): void {
    for (const e of this.partitionsInFlight.values()) {
      if (e.held || this.leaderOf(e.topic, e.partition) === e.node) continue;
      e.held = true;
      this.accumulator.mutePartition(e.topic, e.partition);
    }
  }

  private trackInFlight(node: number, b: ProducerBatch): void {
    const k = `${b.topic}\u0000${b.partition}`;
    let e = this.partitionsInFlight.get(k);
    if (!e) this.partitionsInFlight.set(k, (e = { topic: b.topic, partition: b.partition, node, batches: 0, held: false }));
    e.node = node;
    e.batches++;
  }

  /** After the batch's response was handled (a retry is back in its queue): releases a held partition once nothing of it is in flight. */
  private untrackInFlight(b: ProducerBatch): void {
    const k = `${b.topic}\u0000${b.partition}`;
    const e = this.partitionsInFlight.get(k);
    if (!e || --e.batches > 0) return;
    this.partitionsInFlight.delete(k);
    if (e.held) this.accumulator.unmutePartition(b.topic, b.partition);
  }

  private refreshMetadata(topics: string[]): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.cluster
      .refreshMetadata({ topics })
      .catch(() => {})
      .finally(() => {
        this.refreshing = false;
        // let a short backoff pass before looking again, so an absent leader does not spin
        setTimeout(() => this.wakeup(), 50);
      });
  }

  /** One Produce request: encode (compress), wait for the node's previous request to be handed over, send. */
  private async produce(node: number, batches: ProducerBatch[], previous: Promise<void> | undefined, handOver: () => void): Promise<void> {
    let response: ProduceResponse | null;
    try {
      let encoded: Buffer[];
      let conn: BrokerConnection;
      try {
        encoded = await encodeAll(batches, this.config.compression, this.transactionalId !== null, this.take);
        conn = await this.cluster.connectionTo(node);
      } finally {
        if (previous) await previous;
      }
      // uncompressed batches were encoded into pooled buffers: back to the pool once written
      const onWritten =
        this.config.compression === 'none'
          ? () => {
              for (const e of encoded) this.pool.give(e);
            }
          : undefined;
      // the batches go to the socket by reference (frame-writer.ts): the hint covers the rest
      let bytes = 128;
      for (const b of batches) bytes += b.topic.length * 3 + 32;
      const byTopic = new Map<string, Array<{ index: number; records: Buffer }>>();
      batches.forEach((b, i) => {
        let l = byTopic.get(b.topic);
        if (!l) byTopic.set(b.topic, (l = []));
        l.push({ index: b.partition, records: encoded[i] });
      });
      const body = {
        transactionalId: this.transactionalId,
        acks: this.config.acks,
        timeoutMs: this.config.requestTimeoutMs,
        topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
      };
      // the connection queues requests in call order: hand this one over, then let the next follow
      const sent = conn.request(ApiKey.Produce, body, { expectResponse: this.config.acks !== 0, sizeHint: bytes, onWritten });
      handOver();
      if (this.config.acks === 0) {
        await sent;
        for (const b of batches) b.complete({ baseOffset: -1n, logAppendTime: -1n });
        return;
      }
      response = await sent;
    } catch (err) {
      handOver();
      const retriable = (err as { retriable?: boolean }).retriable === true;
      this.cluster.metadata.requestUpdate();
      for (const b of batches) this.idempotence?.answered(b);
      for (const b of batches) this.retryOrFail(b, retriable, err as Error, null);
      // the node may be gone and its partitions led elsewhere: look the leaders up now
      if (retriable) this.refreshMetadata([...new Set(batches.map((b) => b.topic))]);
      return;
    }
    const results = new Map<string, ProducePartitionResponse>();
    for (const t of response!.responses) for (const p of t.partitionResponses) results.set(`${t.name}\u0000${p.index}`, p);
    for (const b of batches) this.idempotence?.answered(b);
    for (const b of batches) {
      const r = results.get(`${b.topic}\u0000${b.partition}`);
      if (!r) {
        const error = new KafkaClientError(`no response for ${b.topic}-${b.partition} from broker ${node}`, 'UNKNOWN_SERVER_ERROR', false, {
          topic: b.topic,
          partition: b.partition,
        });
        this.idempotence?.failed(b, error, null, false);
        b.fail(error);
        continue;
      }
      this.completeBatch(b, r);
    }
  }

  /** Settles one batch from its partition's answer (Java's Sender.completeBatch). */
  private completeBatch(b: ProducerBatch, r: ProducePartitionResponse): void {
    const code = r.errorCode;
    if (code === ErrorCode.NONE || (this.idempotence && code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER)) {
      // a duplicate is a retry of a batch the broker already has
      this.idempotence?.completed(b, r.baseOffset);
      b.complete({ baseOffset: r.baseOffset, logAppendTime: r.logAppendTimeMs });
      return;
    }
    if (code === ErrorCode.MESSAGE_TOO_LARGE && b.recordCount > 1 && !this.closed) {
      // the topic's max.message.bytes is below our batch: send the records in halves (Java does the same)
      const halves = this.accumulator.splitAndReenqueue(b);
      this.idempotence?.split(b, halves);
      return;
    }
    const info = errorInfo(code);
    if (METADATA_ERRORS.has(code)) this.cluster.metadata.invalidateLeader(b.topic, b.partition);
    const error = new KafkaClientError(
      `produce to ${b.topic}-${b.partition} failed: ${info.name}${r.errorMessage ? ` (${r.errorMessage})` : ''}`,
      info.name,
      info.retriable,
      { code, topic: b.topic, partition: b.partition },
    );
    const retriable = this.idempotence ? this.idempotence.canRetry(b, code, r.logStartOffset ?? -1n) : info.retriable;
    this.retryOrFail(b, retriable, error, code);
  }

  /** Java's "Expiring N record(s)" TimeoutException: retriable, names the partition and the last error. */
  private deliveryTimeout(b: ProducerBatch, last?: Error): KafkaClientError {
    const why = last ? ` (last error: ${last.message})` : '';
    return new KafkaClientError(
      `delivery timeout: ${b.recordCount} record(s) for ${b.topic}-${b.partition} not acknowledged within delivery.timeout.ms (${this.accumulator.deliveryTimeoutMs} ms)${why}`,
      'REQUEST_TIMED_OUT',
      true,
      { topic: b.topic, partition: b.partition },
      { cause: last },
    );
  }

  private failAll(error: Error): void {
    this.accumulator.abortAll(
      error instanceof KafkaClientError ? error : new KafkaClientError(error.message, 'UNKNOWN_SERVER_ERROR', false, {}, { cause: error }),
    );
  }

  /** Retries a batch whose attempt failed, or fails it (`errorCode`: the broker's answer, null when none came). */
  private retryOrFail(batch: ProducerBatch, retriable: boolean, error: Error, errorCode: number | null): void {
    const expired = this.cluster.clock() - batch.createdMs >= this.accumulator.deliveryTimeoutMs;
    if (retriable && !expired && !this.closed) {
      this.accumulator.reenqueue(batch);
      return;
    }
    if (retriable && expired) {
      const timeout = this.deliveryTimeout(batch, error);
      // without an answer it is unknown whether the batch was written
      if (errorCode === null) this.idempotence?.expired(batch, timeout);
      else this.idempotence?.failed(batch, timeout, errorCode, true);
      batch.fail(timeout);
      return;
    }
    const e =
      error instanceof KafkaClientError && error.details.topic !== undefined
        ? error
        : new KafkaClientError(
            `produce to ${batch.topic}-${batch.partition} failed: ${error.message}`,
            (error as KafkaClientError).type ?? 'NETWORK_EXCEPTION',
            retriable,
            { topic: batch.topic, partition: batch.partition },
            { cause: error },
          );
    this.idempotence?.failed(batch, e, errorCode, errorCode !== null);
    batch.fail(e);
  }
}
