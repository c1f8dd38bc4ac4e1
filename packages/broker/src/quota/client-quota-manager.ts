// ClientQuotaManager: one kind of client quota (producer_byte_rate, consumer_byte_rate,
// request_percentage) enforced as Kafka's kafka.server.ClientQuotaManager with its
// DefaultQuotaCallback:
//
// * Which quota applies to a request of (user, client id), by Kafka's precedence, from the client
//   quotas of the cluster metadata (entity `user` = the connection principal's name,
//   User:ANONYMOUS on PLAINTEXT):
//     user + client-id, user + default client-id, user,
//     default user + client-id, default user + default client-id, default user,
//     client-id, default client-id.
//   The first entity with the key set wins; none: the request is not limited.
// * Who shares the rate: the quota's entity, with defaults standing for each actual name (Kafka's
//   metric tags): a quota on client-id X is shared by every user with client id X; the default
//   user quota gives every user their own rate.
// * The rate (sampled-rate.ts) over quota.window.num samples of quota.window.size.seconds; after
//   recording, a rate above the quota answers Kafka's throttle time ((rate - quota) / quota x the
//   measured window), else 0. `unrecord` takes bytes back (a throttled Fetch answered empty).
// * Zero cost when no quota of this kind exists: `enabled` is a reference comparison on the image
//   plus a flag; handlers skip everything else.
// Rates unused for an hour are dropped (Kafka expires its quota sensors after an hour).
// Not done: custom client.quota.callback.class.
import type { ClientQuotasImage } from '@tributary/metadata';
import { SampledRate, throttleTimeMs } from './sampled-rate.ts';

export interface ClientQuotaManagerOptions {
  /** The quota key this manager enforces, e.g. producer_byte_rate. */
  quotaKey: string;
  /** quota.window.num */
  numSamples: number;
  /** quota.window.size.seconds, in milliseconds. */
  windowMs: number;
  /** The client quotas of the current metadata image. */
  quotas: () => ClientQuotasImage;
  /** Longest throttle answered (ClientRequestQuotaManager: one quota window); default none. */
  maxThrottleMs?: number;
}

/** The quota that applies to a (user, client id), and whose rate it is measured on. */
export interface AppliedQuota {
  bound: number;
  /** The rate's key: the user / client id tags of Kafka's quota metric ('' = not part of it). */
  sensor: string;
}

const EXPIRE_MS = 3_600_000;

export class ClientQuotaManager {
  private image: ClientQuotasImage | null = null;
  private any = false;
  /** `${user}\0${clientId}` -> the quota applying (null: none); cleared when the quotas change. */
  private readonly resolved = new Map<string, AppliedQuota | null>();
  private readonly rates = new Map<string, SampledRate>();
  private lastExpiry = 0;

  constructor(private readonly opts: ClientQuotaManagerOptions) {}

  /** Whether any quota of this kind is configured (Kafka's quotasEnabled). */
  get enabled(): boolean {
    const image = this.opts.quotas();
    if (image !== this.image) this.refresh(image);
    return this.any;
  }

  /** The quota applying to `user` / `clientId`, or null. */
  quotaFor(user: string, clientId: string): AppliedQuota | null {
    if (!this.enabled) return null;
    const k = `${user}\0${clientId}`;
    let q = this.resolved.get(k);
    if (q === undefined) {
      q = this.lookup(user, clientId);
      this.resolved.set(k, q);
    }
    return q;
  }

  /**
   * The most a client may take in one go: its quota over (samples - 1) windows (Kafka's
   * getMaxValueInQuotaWindow, which caps a consumer's fetch size); Infinity without a quota.
   */
  maxValueInQuotaWindow(user: string, clientId: string): number {
    const q = this.quotaFor(user, clientId);
    return q ? Math.round((q.bound * (this.opts.numSamples - 1) * this.opts.windowMs) / 1000) : Infinity;
  }

  /** Records `value` (bytes) at `now` and answers the throttle time in ms (0: within the quota). */
  recordAndGetThrottleTimeMs(user: string, clientId: string, value: number, now: number): number {
    const q = this.quotaFor(user, clientId);
    if (!q) return 0;
    const rate = this.rateOf(q.sensor, now);
    rate.record(value, now);
    const measured = rate.measure(now);
    if (measured <= q.bound) return 0;
    const ms = throttleTimeMs(measured, q.bound, rate.windowSize(now));
    return this.opts.maxThrottleMs === undefined ? ms : Math.min(ms, this.opts.maxThrottleMs);
  }

  /** Takes back bytes recorded for a response that was not sent (Kafka's unrecordQuotaSensor). */
  unrecord(user: string, clientId: string, value: number, now: number): void {
    const q = this.quotaFor(user, clientId);
    if (q) this.rateOf(q.sensor, now).record(-value, now);
  }

  private rateOf(sensor: string, now: number): SampledRate {
    let rate = this.rates.get(sensor);
    if (!rate) {
      if (now - this.lastExpiry > EXPIRE_MS) this.expire(now);
      rate = new SampledRate(this.opts.numSamples, this.opts.windowMs);
      this.rates.set(sensor, rate);
    }
    return rate;
  }

  private expire(now: number): void {
    this.lastExpiry = now;
    for (const [k, r] of this.rates) if (r.idleMs(now) > EXPIRE_MS) this.rates.delete(k);
  }

  private refresh(image: ClientQuotasImage): void {
    this.image = image;
    this.resolved.clear();
    this.any = false;
    for (const e of image.entries.values()) {
      if (e.quotas.has(this.opts.quotaKey) && !('ip' in e.entity)) {
        this.any = true;
        break;
      }
    }
  }

  /** Kafka's DefaultQuotaCallback.quotaMetricTags + quotaLimit. */
  private lookup(user: string, clientId: string): AppliedQuota | null {
    const image = this.image!;
    const key = this.opts.quotaKey;
    const candidates: Array<[Record<string, string | null>, string, string]> = [
      [{ user, 'client-id': clientId }, user, clientId],
      [{ user, 'client-id': null }, user, clientId],
      [{ user }, user, ''],
      [{ user: null, 'client-id': clientId }, user, clientId],
      [{ user: null, 'client-id': null }, user, clientId],
      [{ user: null }, user, ''],
      [{ 'client-id': clientId }, '', clientId],
      [{ 'client-id': null }, '', clientId],
    ];
    for (const [entity, userTag, clientTag] of candidates) {
      const bound = image.quotas(entity).get(key);
      if (bound !== undefined) return { bound, sensor: `${userTag}\0${clientTag}` };
    }
    return null;
  }
}
