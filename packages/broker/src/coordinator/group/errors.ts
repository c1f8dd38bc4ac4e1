// GroupApiError: thrown inside coordinator operations to answer with a Kafka error code (an
// `ErrorCode` of @tributary/protocol); the operation's catch turns it into the response's code
// (errorCodeOf). It never crosses the wire.
import type { HasErrorCode } from '@tributary/protocol';

export class GroupApiError extends Error implements HasErrorCode {
  constructor(
    readonly errorCode: number,
    message?: string,
  ) {
    super(message ?? `group coordinator error ${errorCode}`);
  }
}
