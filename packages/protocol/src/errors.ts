// Kafka's protocol errors: errorInfo(code) from the generated table (error-codes.json, read off
// Kafka's Errors.java), KafkaError for code that wants to throw a protocol error (the client), and
// the one convention every error class of ours with a Kafka code follows: the code is the number
// in a field named `errorCode`, as in the wire messages. Never `code`: Node puts system error
// strings there ('ENOENT'). errorCodeOf(err) reads it from anything thrown.
import { ERROR_CODE_TABLE, ErrorCode } from './generated/error-codes.ts';

export interface ErrorInfo {
  code: number;
  /** Kafka's name, e.g. NOT_LEADER_OR_FOLLOWER */
  name: string;
  message: string;
  retriable: boolean;
}

const BY_CODE = new Map<number, ErrorInfo>(
  ERROR_CODE_TABLE.map((e) => [e.code, { code: e.code, name: e.name, message: e.message ?? '', retriable: e.retriable }]),
);

/** Name, message and retriability of a code; unknown codes map to a non-retriable UNKNOWN_<code>. */
export function errorInfo(code: number): ErrorInfo {
  return (
    BY_CODE.get(code) ?? {
      code,
      name: `UNKNOWN_${code}`,
      message: `Unknown error code ${code}.`,
      retriable: false,
    }
  );
}

/** An error that names the Kafka error code to answer with (KafkaError, StorageError, PartitionError, GroupApiError, ...). */
export interface HasErrorCode {
  readonly errorCode: number;
}

/** Whether `err` carries a Kafka error code (a number in `errorCode`). */
export function hasErrorCode(err: unknown): err is HasErrorCode {
  return typeof err === 'object' && err !== null && typeof (err as { errorCode?: unknown }).errorCode === 'number';
}

/** The Kafka error code `err` carries; UNKNOWN_SERVER_ERROR for anything else (a bug, a plain Error). */
export function errorCodeOf(err: unknown): number {
  return hasErrorCode(err) ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
}

export class KafkaError extends Error implements HasErrorCode {
  readonly errorCode: number;
  readonly retriable: boolean;

  constructor(errorCode: number, message?: string) {
    const info = errorInfo(errorCode);
    super(message ?? (info.message || info.name));
    this.errorCode = errorCode;
    this.retriable = info.retriable;
    this.name = info.name;
  }

  /** @deprecated The same as `errorCode` (the name every error class uses). */
  get code(): number {
    return this.errorCode;
  }

  /** Throws a KafkaError unless `code` is NONE. */
  static check(code: number, message?: string): void {
    if (code !== ErrorCode.NONE) throw new KafkaError(code, message);
  }
}
