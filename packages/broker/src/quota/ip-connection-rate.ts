// IpConnectionRateQuotas: the connection_creation_rate quota of `ip` entities (Kafka's
// ConnectionQuotas.recordIpConnectionMaybeThrottle, KIP-612): new connections per second from an
// address, limited by the quota of that ip entity or else of the default ip entity, over
// quota.window.num samples of quota.window.size.seconds. A connection over the rate is not
// counted and answers a throttle time ((rate - quota) / quota x window, at most the whole quota
// window); the SocketServer keeps it open unread for that long, then closes it, as Kafka's acceptor
// delays closing a throttled connection. Nothing is measured when no ip quota exists.
// Not done: the broker-wide and per-listener max.connection.creation.rate.
import type { ClientQuotasImage } from '@tributary/metadata';
import { SampledRate, throttleTimeMs } from './sampled-rate.ts';

const KEY = 'connection_creation_rate';

export class IpConnectionRateQuotas {
  private image: ClientQuotasImage | null = null;
  private any = false;
  private readonly rates = new Map<string, SampledRate>();

  constructor(
    private readonly numSamples: number,
    private readonly windowMs: number,
    private readonly quotas: () => ClientQuotasImage,
  ) {}

  /** Records a new connection from `ip` at `now`; answers how long to hold it before closing (0: accepted). */
  recordAndGetThrottleTimeMs(ip: string, now: number): number {
    const image = this.quotas();
    if (image !== this.image) {
      this.image = image;
      this.any = [...image.entries.values()].some((e) => 'ip' in e.entity && e.quotas.has(KEY));
    }
    if (!this.any) return 0;
    const bound = image.quotas({ ip }).get(KEY) ?? image.quotas({ ip: null }).get(KEY);
    if (bound === undefined) return 0;
    let rate = this.rates.get(ip);
    if (!rate) {
      rate = new SampledRate(this.numSamples, this.windowMs);
      this.rates.set(ip, rate);
    }
    rate.record(1, now);
    const measured = rate.measure(now);
    if (measured <= bound) return 0;
    rate.record(-1, now); // the connection is not accepted
    return Math.min(throttleTimeMs(measured, bound, rate.windowSize(now)), this.numSamples * this.windowMs);
  }
}
