// SampledRate: a rate (units per second) over `samples` windows of `windowMs` each, as Kafka's
// metrics Rate over a SampledTotal (org.apache.kafka.common.metrics.stats.Rate / SampledStat),
// which Kafka's quota sensors use with quota.window.num samples of quota.window.size.seconds.
//
//   record: the current sample takes the value; a sample older than windowMs is complete and the
//     next one (round robin, reset) starts at that time;
//   measure: samples older than samples * windowMs are reset, the total of all samples is divided
//     by the window size: the time since the oldest sample started, but at least (samples - 1)
//     full windows (so a fresh rate does not spike on its first bytes). `simple` (Kafka's
//     SimpleRate, which replication quotas use) divides by the time since the oldest sample
//     started, at least one window, instead.
//
// Time is given by the caller (milliseconds), so tests drive it. Event-count windows (Kafka's
// MetricConfig.eventWindow) are not used by quotas and are not modelled.

interface Sample {
  /** When this sample's window started. */
  start: number;
  value: number;
}

export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(
    readonly numSamples: number,
    readonly windowMs: number,
    /** Kafka's SimpleRate: the window is the time since the oldest sample started (at least windowMs). */
    readonly simple = false,
  ) {}

  record(value: number, now: number): void {
    let s = this.samples[this.current];
    if (!s) {
      s = { start: now, value: 0 };
      this.samples.push(s);
    } else if (now - s.start >= this.windowMs) {
      this.current = (this.current + 1) % this.numSamples;
      s = this.samples[this.current];
      if (!s) {
        s = { start: now, value: 0 };
        this.samples.push(s);
      } else {
        s.start = now;
        s.value = 0;
      }
    }
    s.value += value;
  }

  /** Units per second at `now`. */
  measure(now: number): number {
    this.purgeObsolete(now);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.windowSize(now) / 1000);
  }

  /** Milliseconds the rate is measured over (Kafka's Rate.windowSize, or SimpleRate.windowSize). */
  windowSize(now: number): number {
    this.purgeObsolete(now);
    let elapsed = now - this.oldestStart(now);
    if (this.simple) return Math.max(elapsed, this.windowMs);
    const fullWindows = Math.floor(elapsed / this.windowMs);
    const minFullWindows = this.numSamples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.windowMs;
    return elapsed;
  }

  /** Milliseconds since anything was recorded; Infinity when nothing ever was. */
  idleMs(now: number): number {
    let last = -Infinity;
    for (const s of this.samples) if (s.start > last) last = s.start;
    return now - last;
  }

  private purgeObsolete(now: number): void {
    const expireAge = this.numSamples * this.windowMs;
    for (const s of this.samples) {
      if (now - s.start >= expireAge) {
        s.start = now;
        s.value = 0;
      }
    }
  }

  private oldestStart(now: number): number {
    if (this.samples.length === 0) {
      this.samples.push({ start: now, value: 0 });
      return now;
    }
    let oldest = this.samples[0]!.start;
    for (const s of this.samples) if (s.start < oldest) oldest = s.start;
    return oldest;
  }
}

/**
 * Kafka's QuotaUtils.throttleTime: how long a client over `bound` must wait for its rate to fall
 * back to it: (rate - bound) / bound * the window the rate is measured over, rounded.
 */
export function throttleTimeMs(rate: number, bound: number, windowSizeMs: number): number {
  if (rate <= bound) return 0;
  if (bound <= 0) return windowSizeMs;
  return Math.round(((rate - bound) / bound) * windowSizeMs);
}
