// ReplicationQuotaManager: one replication throttle of a broker (Kafka's ReplicationQuotaManager),
// the leader's (leader.replication.throttled.rate: what it sends to followers of its throttled
// replicas) or the follower's (follower.replication.throttled.rate: what it fetches for its
// throttled replicas).
//
// * The bound: bytes per second, Long.MAX_VALUE (no limit) until the rate is set.
// * The throttled partitions, per topic: the partition ids whose `partition:broker` entry in the
//   topic's *.replication.throttled.replicas names this broker, or every partition (`*`).
// * The rate: every byte of a throttled partition replicated, in sync or not, over
//   replication.quota.window.num samples of replication.quota.window.size.seconds, as Kafka's
//   SimpleRate (the time since the oldest sample started, at least one window).
//   isQuotaExceeded: the rate is above the bound (Kafka's Sensor.checkQuotas on an upper bound).
// Who is held back is the caller's rule (Kafka's): a leader answers a follower's fetch of a
// throttled partition with no records while the follower is out of the ISR and the quota is
// exceeded; a follower leaves a throttled partition out of its fetch while it lags the leader's HW
// and its quota is exceeded.
import { SampledRate } from './sampled-rate.ts';

/** Kafka's ReplicaQuota. */
export interface ReplicaQuota {
  record(bytes: number): void;
  isThrottled(topic: string, partition: number): boolean;
  isQuotaExceeded(): boolean;
}

/** Kafka's AllReplicas: `*`, every partition of the topic. */
export const ALL_REPLICAS = '*';
export type ThrottledPartitions = readonly number[] | typeof ALL_REPLICAS;

export interface ReplicationQuotaManagerOptions {
  /** replication.quota.window.num */
  numSamples: number;
  /** replication.quota.window.size.seconds, in milliseconds. */
  windowMs: number;
  now: () => number;
}

export class ReplicationQuotaManager implements ReplicaQuota {
  private bound = Number.POSITIVE_INFINITY;
  private readonly throttled = new Map<string, ThrottledPartitions>();
  private readonly rate: SampledRate;

  constructor(private readonly o: ReplicationQuotaManagerOptions) {
    this.rate = new SampledRate(o.numSamples, o.windowMs, true);
  }

  /** Bytes per second; Infinity (Kafka's Long.MAX_VALUE) removes the limit. */
  updateQuota(bytesPerSecond: number): void {
    this.bound = bytesPerSecond;
  }

  get upperBound(): number {
    return this.bound;
  }

  /** Bytes per second replicated for throttled partitions, as measured now. */
  measure(): number {
    return this.rate.measure(this.o.now());
  }

  isQuotaExceeded(): boolean {
    if (this.bound === Number.POSITIVE_INFINITY) return false;
    return this.measure() > this.bound;
  }

  isThrottled(topic: string, partition: number): boolean {
    const t = this.throttled.get(topic);
    return t !== undefined && (t === ALL_REPLICAS || t.includes(partition));
  }

  /** Adds bytes to the rate, whether or not the quota is exceeded. */
  record(bytes: number): void {
    this.rate.record(bytes, this.o.now());
  }

  /** Replaces the throttled partitions of `topic`. */
  markThrottled(topic: string, partitions: ThrottledPartitions): void {
    this.throttled.set(topic, partitions);
  }

  removeThrottle(topic: string): void {
    this.throttled.delete(topic);
  }
}

/**
 * Kafka's TopicConfigHandler.parseThrottledPartitions: the partitions of a
 * *.replication.throttled.replicas value (already validated) throttled on broker `brokerId`.
 */
export function parseThrottledPartitions(value: string, brokerId: number): ThrottledPartitions {
  const v = value.trim();
  if (v === ALL_REPLICAS) return ALL_REPLICAS;
  const out: number[] = [];
  for (const item of v.split(',')) {
    const [partition, broker] = item.trim().split(':');
    if (partition !== undefined && broker !== undefined && Number(broker) === brokerId) out.push(Number(partition));
  }
  return out;
}

/** Kafka's ThrottledReplicaListValidator: null when valid, else the reason. */
export function throttledReplicasProblem(name: string, value: string): string | null {
  const items = value.split(',').map((x) => x.trim());
  if (items.every((x) => /^(\d+:\d+)?$/.test(x)) || items.join('') === ALL_REPLICAS) return null;
  return `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`;
}
