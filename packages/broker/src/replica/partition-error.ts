// PartitionError: a per-partition failure answered with a Kafka error code (never thrown across the wire).
import type { HasErrorCode } from '@tributary/protocol';

export class PartitionError extends Error implements HasErrorCode {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PartitionError';
  }
}
