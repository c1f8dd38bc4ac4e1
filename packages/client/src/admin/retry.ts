// Retries of admin operations, as Kafka's AdminClient does within `default.api.timeout.ms`: an
// operation failing with an error that says "ask again, maybe elsewhere" (a lost connection, a
// coordinator or controller that moved or is loading, a partition without a leader) is run again
// after `retry.backoff.ms` (doubling up to 1 s), with the metadata refreshed, until the time is up;
// then the last error is thrown. Errors about the request itself (an unknown topic, a bad config)
// fail at once, even when Kafka's table marks them retriable.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../network/backoff.ts';
import { KafkaClientError } from '../network/errors.ts';

const ADMIN_RETRY_TYPES: ReadonlySet<string> = new Set([
  'NETWORK_EXCEPTION',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'NOT_CONTROLLER',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
]);

export interface AdminRetryOptions {
  /** `default.api.timeout.ms` (default 60000). */
  timeoutMs: number;
  /** `retry.backoff.ms` (default 100). */
  backoffMs: number;
  clock: () => number;
  /** Runs before each retry (e.g. a metadata refresh request). */
  onRetry?: () => void;
}

function isAdminRetriable(err: unknown): err is KafkaClientError {
  return err instanceof KafkaClientError && err.retriable && ADMIN_RETRY_TYPES.has(err.type);
}

export async function withAdminRetries<T>(op: () => Promise<T>, options: AdminRetryOptions): Promise<T> {
  const deadline = options.clock() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const wait = backoffMs(attempt, { initialMs: options.backoffMs, maxMs: 1000, jitter: 0 });
      if (!isAdminRetriable(err) || options.clock() + wait >= deadline) throw err;
      options.onRetry?.();
      await sleep(wait);
    }
  }
}
