// Network-level client errors. `retriable` says whether sending again (after a metadata refresh
// or reconnect) could succeed; `type` uses Kafka's vocabulary where it has a name for it. The
// Kafka error code, when the broker sent one, is `errorCode` (the name every error class of ours
// uses, so @tributary/protocol's errorCodeOf reads it); `code` is the same value.

export class KafkaClientError extends Error {
  override name = 'KafkaClientError';
  constructor(
    message: string,
    readonly type: string,
    readonly retriable: boolean,
    readonly details: { code?: number; topic?: string; partition?: number; broker?: string; errorMessage?: string | null } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Kafka error code, when the broker sent one. */
  get errorCode(): number | undefined {
    return this.details.code;
  }

  /** The same as `errorCode` (kept for compatibility). */
  get code(): number | undefined {
    return this.details.code;
  }

  /** The broker's own error message, when it sent one (ErrorMessage fields). */
  get errorMessage(): string | null {
    return this.details.errorMessage ?? null;
  }

  get topic(): string | undefined {
    return this.details.topic;
  }

  get partition(): number | undefined {
    return this.details.partition;
  }
}

/** The connection failed or closed; in-flight requests may or may not have been processed. */
export class ConnectionError extends KafkaClientError {
  override name = 'ConnectionError';
  constructor(message: string, broker: string, cause?: unknown) {
    super(message, 'NETWORK_EXCEPTION', true, { broker }, { cause });
  }
}

/** The client was closed: nothing more is sent, so retrying cannot help (Java throws IllegalStateException). */
export class ClientClosedError extends KafkaClientError {
  override name = 'ClientClosedError';
  constructor(broker: string) {
    super('client is closed', 'ILLEGAL_STATE', false, { broker });
  }
}

/** No response within request.timeout.ms (the connection is closed, as the Java client does). */
export class RequestTimeoutError extends KafkaClientError {
  override name = 'RequestTimeoutError';
  constructor(message: string, broker: string) {
    super(message, 'REQUEST_TIMED_OUT', true, { broker });
  }
}
