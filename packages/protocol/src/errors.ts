// Kafka's protocol errors: errorInfo(code) from the generated table (error-codes.json, read off
// Kafka's Errors.java) and KafkaError, the one error class that carries a code. Protocol errors
// travel as codes in responses; KafkaError is for code that wants to throw them (the client).
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

export class KafkaError extends Error {
  readonly code: number;
  readonly retriable: boolean;

  constructor(code: number, message?: string) {
    const info = errorInfo(code);
    super(message ?? (info.message || info.name));
    this.code = code;
    this.retriable = info.retriable;
    this.name = info.name;
  }

  /** Throws a KafkaError unless `code` is NONE. */
  static check(code: number, message?: string): void {
    if (code !== ErrorCode.NONE) throw new KafkaError(code, message);
  }
}
