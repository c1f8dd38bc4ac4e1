// Kafka's Throttler (storage/.../utils/Throttler.java) for log.cleaner.io.max.bytes.per.second,
// shared by every cleaning job. Callers report what they did (bytes read + written); once a check
// interval has passed with something observed, the observed rate over that interval is compared
// with the desired one and, when above, the caller is told how long to sleep so the interval's
// bytes average out at the desired rate:
//
//   sleepMs = round(observed / (desiredRatePerSec / 1000) - elapsedMs)
//
// Kafka sleeps holding the throttler's lock, so every other cleaner thread waits out the same
// pause. Here the pause is a deadline (`pausedUntil`): a job reporting during it is told to sleep
// until it ends, and its bytes count in the interval that starts there. Time comes from the Time
// seam, so a test on MockTime sees exact sleeps.
import type { Time } from '../time.ts';

/** Kafka's LogCleaner throttles with a 300 ms check interval. */
export const CLEANER_THROTTLE_CHECK_INTERVAL_MS = 300;

export class Throttler {
  private periodStartMs: number;
  private observedSoFar = 0;
  private pausedUntilMs = 0;
  /** Sleeps asked for so far (ms), and how many. */
  sleptMs = 0;
  sleeps = 0;

  constructor(
    public desiredRatePerSec: number,
    readonly checkIntervalMs: number,
    private readonly time: Time,
  ) {
    this.periodStartMs = time.now();
  }

  /** Whether the desired rate limits anything (Kafka's default is Double.MAX_VALUE: unthrottled). */
  get throttling(): boolean {
    return Number.isFinite(this.desiredRatePerSec) && this.desiredRatePerSec < Number.MAX_VALUE;
  }

  /** Records `observed` units; returns how long (ms) the caller must sleep to hold the rate, 0 for none. */
  maybeThrottle(observed: number): number {
    if (!this.throttling) return 0;
    const now = this.time.now();
    this.observedSoFar += observed;
    if (now < this.pausedUntilMs) return this.pausedUntilMs - now;
    const elapsedMs = now - this.periodStartMs;
    if (elapsedMs <= this.checkIntervalMs || this.observedSoFar <= 0) return 0;
    const rate = (this.observedSoFar * 1000) / elapsedMs;
    let sleepMs = 0;
    if (rate > this.desiredRatePerSec) sleepMs = Math.round(this.observedSoFar / (this.desiredRatePerSec / 1000) - elapsedMs);
    this.observedSoFar = 0;
    if (sleepMs > 0) {
      this.pausedUntilMs = now + sleepMs;
      this.periodStartMs = now + sleepMs;
      this.sleptMs += sleepMs;
      this.sleeps++;
      return sleepMs;
    }
    this.periodStartMs = now;
    return 0;
  }
}
