// Idempotent producing (KIP-98): a producer id and epoch from InitProducerId, and per partition a
// sequence number assigned to each batch when first sent (kept across retries), so the broker
// drops duplicates of a retried batch. This client sends one batch per partition at a time when
// idempotent (the partition is muted while its batch is in flight), so sequences never arrive out
// of order. UNKNOWN_PRODUCER_ID (the broker forgot the producer, e.g. after retention) gets a new
// producer id and the batch is re-sequenced and retried; OUT_OF_ORDER_SEQUENCE_NUMBER and
// INVALID_PRODUCER_EPOCH fail the batch and reset the producer id. A broker without
// InitProducerId makes `idempotent: true` fail with UNSUPPORTED_VERSION.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';
import { UnsupportedVersionError } from '../cluster/api-versions.ts';
import type { ProducerBatch } from './accumulator.ts';

const INT32_MAX = 0x7fffffff;

export class IdempotenceState {
  producerId = -1n;
  producerEpoch = -1;
  private readonly nextSequence = new Map<string, number>();
  private initializing: Promise<void> | null = null;

  constructor(private readonly cluster: Cluster) {}

  get hasProducerId(): boolean {
    return this.producerId >= 0n;
  }

  /** Gets a producer id (once; concurrent callers share the request). */
  ensureProducerId(): Promise<void> {
    if (this.hasProducerId) return Promise.resolve();
    if (!this.initializing) {
      this.initializing = this.init().finally(() => {
        this.initializing = null;
      });
    }
    return this.initializing;
  }

  private async init(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const c = await this.cluster.anyConnection();
      if (!c.apiVersions.supports(ApiKey.InitProducerId)) {
        throw new UnsupportedVersionError(
          `idempotent producer: broker ${c.broker} does not support InitProducerId (needs Kafka 0.11 or later); use idempotent: false with this broker`,
          c.broker,
        );
      }
      const r = await c.request(ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: 2147483647,
        producerId: -1n,
        producerEpoch: -1,
      });
      if (r.errorCode === ErrorCode.NONE) {
        this.producerId = r.producerId;
        this.producerEpoch = r.producerEpoch;
        this.nextSequence.clear();
        return;
      }
      const info = errorInfo(r.errorCode);
      if (!info.retriable || attempt >= 10)
        throw new KafkaClientError(`InitProducerId failed: ${info.name}`, info.name, info.retriable, { code: r.errorCode });
      await sleep(100 * (attempt + 1));
    }
  }

  /** Gives a batch its base sequence on its first send. */
  assign(batch: ProducerBatch): void {
    if (batch.baseSequence >= 0 && batch.producerId === this.producerId) return;
    const k = `${batch.topic}\u0000${batch.partition}`;
    const seq = this.nextSequence.get(k) ?? 0;
    batch.producerId = this.producerId;
    batch.producerEpoch = this.producerEpoch;
    batch.baseSequence = seq;
    // sequences wrap at Int32.MAX (DefaultRecordBatch.incrementSequence)
    const next = seq + batch.recordCount;
    this.nextSequence.set(k, next > INT32_MAX ? next - INT32_MAX - 1 : next);
  }

  /** Forgets the producer id: the next send asks for a new one and sequences restart at 0. */
  reset(): void {
    this.producerId = -1n;
    this.producerEpoch = -1;
    this.nextSequence.clear();
  }
}
