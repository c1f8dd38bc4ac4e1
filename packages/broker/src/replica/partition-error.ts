// PartitionError: a per-partition failure answered with a Kafka error code (never thrown across the wire).
// RecordValidationError: Kafka's RecordValidationException, a batch refused because of some of its
// records (a keyless record on a compacted topic): nothing of it was appended, and Produce v8+
// names each offending record by its index in the batch (record_errors).
import type { HasErrorCode, ProduceResponseBatchIndexAndErrorMessage } from '@tributary/protocol';

export class PartitionError extends Error implements HasErrorCode {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PartitionError';
  }
}

/** One refused record: its index in the batch (counted from 0) and why. */
export type RecordError = ProduceResponseBatchIndexAndErrorMessage;

export class RecordValidationError extends PartitionError {
  constructor(
    errorCode: number,
    readonly recordErrors: RecordError[],
  ) {
    // Kafka's LogValidator.processRecordErrors summary (for INVALID_RECORD)
    const shown = recordErrors
      .slice(0, 3)
      .map(
        (e) =>
          `RecordError(batchIndex=${e.batchIndex}, message=${e.batchIndexErrorMessage === null ? 'null' : `'${e.batchIndexErrorMessage}'`})`,
      );
    super(
      errorCode,
      `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
    );
    this.name = 'RecordValidationError';
  }
}
