// Errors thrown by the storage layer, each naming in `errorCode` the Kafka error code the broker
// should answer with (read it with @tributary/protocol's errorCodeOf).
import { ErrorCode, type HasErrorCode } from '@tributary/protocol';

export class StorageError extends Error implements HasErrorCode {
  /** Kafka error code (see kafka-protocol/error-codes.json). */
  readonly errorCode: number = ErrorCode.KAFKA_STORAGE_ERROR;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** A fetch or lookup outside [logStartOffset, logEndOffset]: OFFSET_OUT_OF_RANGE (1). */
export class OffsetOutOfRangeError extends StorageError {
  override readonly errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
    what = 'fetch',
  ) {
    super(`${what} offset ${offset} is out of range [${logStartOffset}, ${logEndOffset}]`);
    this.name = 'OffsetOutOfRangeError';
  }
}

/** Stored bytes failed their CRC or framing check: CORRUPT_MESSAGE (2). The bytes are not served. */
export class CorruptRecordError extends StorageError {
  override readonly errorCode = ErrorCode.CORRUPT_MESSAGE;
  constructor(
    message: string,
    readonly path: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'CorruptRecordError';
  }
}

/** The log hit an I/O error (failed write or fsync) and refuses further writes: KAFKA_STORAGE_ERROR (56). */
export class LogOfflineError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogOfflineError';
  }
}

/** Append input that is not a sequence of whole v2 batches: CORRUPT_MESSAGE (2). */
export class InvalidAppendError extends StorageError {
  override readonly errorCode = ErrorCode.CORRUPT_MESSAGE;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/**
 * A durable append was truncated away before its fsync covered it (the log was truncated under it).
 * KAFKA_STORAGE_ERROR for storage; the broker, which knows why the log was truncated, answers its own code.
 */
export class AppendTruncatedError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'AppendTruncatedError';
  }
}

/** A log dir that is not among the broker's log.dirs (AlterReplicaLogDirs): LOG_DIR_NOT_FOUND (57). */
export class LogDirNotFoundError extends StorageError {
  override readonly errorCode = ErrorCode.LOG_DIR_NOT_FOUND;
  constructor(message: string) {
    super(message);
    this.name = 'LogDirNotFoundError';
  }
}
