// The producer: `send({ topic, messages })` normalizes each message (string/Uint8Array -> Buffer,
// header object -> list, default timestamp now), makes sure the topic's metadata is known
// (auto-creation allowed, like the Java producer), picks the partition (explicit, custom, murmur2
// of the key, or the sticky partition), appends to the accumulator and resolves, per message, with
// the partition and offset once its batch is acknowledged. `flush()` sends everything now and
// waits; `close()` flushes and stops. `idempotent: true` turns on KIP-98 sequences (idempotence.ts).
import type { Message, Producer, ProducerConfig, RecordMetadata, SendRequest, Bytes, HeaderInput } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { DefaultPartitioner } from '../partitioner/partitioner.ts';
import { KafkaClientError } from '../network/errors.ts';
import { RecordAccumulator, type AccumulatorRecord, type ProducerBatch } from './accumulator.ts';
import { partitionAndAppend } from './partition-and-append.ts';
import { Sender } from './sender.ts';
import { IdempotenceState } from './idempotence.ts';

export function toBuffer(v: Bytes | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function toHeaders(h: Message['headers']): Array<{ key: string; value: Buffer | null }> {
  if (!h) return [];
  if (Array.isArray(h)) return h.map((x) => ({ key: x.key, value: toBuffer(x.value) }));
  const out: Array<{ key: string; value: Buffer | null }> = [];
  for (const [key, value] of Object.entries(h as HeaderInput)) if (value !== undefined) out.push({ key, value: toBuffer(value) });
  return out;
}

const acksOf = (a: ProducerConfig['acks']): number => (a === undefined || a === 'all' ? -1 : a);

export class KafkaProducer implements Producer {
  private readonly accumulator: RecordAccumulator;
  private readonly partitioner: DefaultPartitioner;
  private readonly sender: Sender;
  private readonly pending = new Set<ProducerBatch>();
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    config: ProducerConfig = {},
  ) {
    const idempotent = config.idempotent === true;
    if (idempotent && config.acks !== undefined && config.acks !== 'all' && config.acks !== -1) {
      throw new KafkaClientError('idempotent: true needs acks: "all"', 'INVALID_CONFIG', false);
    }
    const batchSize = config.batchSize ?? 16384;
    this.accumulator = new RecordAccumulator({
      batchSize,
      lingerMs: config.lingerMs ?? 5,
      retryBackoffMs: config.retryBackoffMs ?? 100,
      deliveryTimeoutMs: config.deliveryTimeoutMs ?? 120000,
      clock: cluster.clock,
    });
    this.partitioner = new DefaultPartitioner({ batchSize, ignoreKeys: config.ignoreKeys, custom: config.partitioner });
    this.sender = new Sender(cluster, this.accumulator, {
      acks: acksOf(config.acks),
      compression: config.compression ?? 'none',
      maxInFlight: config.maxInFlight ?? 5,
      maxRequestSize: config.maxRequestSize ?? 1048576,
      requestTimeoutMs: cluster.options.requestTimeoutMs ?? 30000,
    }, idempotent ? new IdempotenceState(cluster) : null);
  }

  async send(request: SendRequest): Promise<RecordMetadata[]> {
    if (this.closed) throw new KafkaClientError('producer is closed', 'ILLEGAL_STATE', false);
    const { topic, messages } = request;
    const unknown = await this.cluster.ensureTopics([topic], true);
    if (unknown.length > 0) {
      const code = this.cluster.metadata.topic(topic)?.errorCode;
      throw new KafkaClientError(`topic ${topic} is not available (error ${code ?? 'unknown'})`, 'UNKNOWN_TOPIC_OR_PARTITION', true, { topic, code });
    }
    const layout = this.cluster.metadata.layout(topic)!;
    const now = this.cluster.clock();
    const appended: Array<{ batch: ProducerBatch; index: number; partition: number; timestamp: number }> = [];
    for (const m of messages) {
      const record: AccumulatorRecord = { key: toBuffer(m.key), value: toBuffer(m.value), headers: toHeaders(m.headers), timestamp: m.timestamp ?? now };
      const r = partitionAndAppend(this.partitioner, this.accumulator, topic, layout, record, m.partition);
      if (r.newBatchCreated) this.track(r.batch);
      appended.push({ batch: r.batch, index: r.index, partition: r.partition, timestamp: record.timestamp });
    }
    this.sender.wakeup();
    const results: RecordMetadata[] = [];
    for (const a of appended) {
      const res = await a.batch.result;
      results.push({
        topic,
        partition: a.partition,
        offset: res.baseOffset < 0n ? -1n : res.baseOffset + BigInt(a.index),
        timestamp: res.logAppendTime >= 0n ? Number(res.logAppendTime) : a.timestamp,
      });
    }
    return results;
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

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.accumulator.close();
    this.sender.close();
  }

  private track(batch: ProducerBatch): void {
    this.pending.add(batch);
    const done = () => this.pending.delete(batch);
    batch.result.then(done, done);
  }
}
