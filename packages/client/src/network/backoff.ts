// Exponential backoff with jitter, as Kafka's clients compute it (`ExponentialBackoff`): the delay
// after `attempts` failures is initial * multiplier^attempts, times a random factor in
// [1 - jitter, 1 + jitter), capped at max. Used for reconnects (`reconnect.backoff.ms` 50,
// `reconnect.backoff.max.ms` 1000) and retries (`retry.backoff.ms` 100, `retry.backoff.max.ms` 1000).

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier?: number;
  jitter?: number;
  /** Uniform random in [0, 1). */
  random?: () => number;
}

export function backoffMs(attempts: number, options: BackoffOptions): number {
  const multiplier = options.multiplier ?? 2;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  if (options.maxMs <= options.initialMs) return options.maxMs;
  const expMax = Math.log(options.maxMs / options.initialMs) / Math.log(multiplier);
  const exp = Math.min(attempts, expMax);
  const term = options.initialMs * multiplier ** exp;
  const factor = jitter <= 0 ? 1 : 1 - jitter + random() * 2 * jitter;
  return Math.min(Math.floor(term * factor), options.maxMs);
}
