// `producer.transaction()`: one transaction as an object, KafkaJS style (send, sendBatch,
// sendOffsets, commit, abort, isActive) over the producer's Java-style transactional methods.
// After a commit() or abort() the object refuses further calls (ILLEGAL_STATE); a commit that
// failed leaves it active, so that abort() can follow.
import type { ConsumerGroupMetadata, OffsetToCommit, Producer, RecordMetadata, SendRequest, Transaction } from '../api.ts';
import { KafkaClientError } from '../network/errors.ts';

export class KafkaTransaction implements Transaction {
  private active = true;

  constructor(private readonly producer: Producer) {}

  isActive(): boolean {
    return this.active;
  }

  private check(): void {
    if (!this.active) throw new KafkaClientError('the transaction was already committed or aborted', 'ILLEGAL_STATE', false);
  }

  async send(request: SendRequest): Promise<RecordMetadata[]> {
    this.check();
    return this.producer.send(request);
  }

  async sendBatch(requests: SendRequest[]): Promise<RecordMetadata[][]> {
    this.check();
    return this.producer.sendBatch(requests);
  }

  async sendOffsets(offsets: OffsetToCommit[], group: ConsumerGroupMetadata | string): Promise<void> {
    this.check();
    return this.producer.sendOffsetsToTransaction(offsets, group);
  }

  /** A failed commit leaves the transaction active: abort() it. */
  async commit(): Promise<void> {
    this.check();
    await this.producer.commitTransaction();
    this.active = false;
  }

  async abort(): Promise<void> {
    this.check();
    try {
      await this.producer.abortTransaction();
    } finally {
      this.active = false;
    }
  }
}
