// ReplicationQuotas: a broker's two replication throttles (Kafka's QuotaManagers.leader and
// .follower, replication-quota.ts) and how the cluster metadata configures them (Kafka's
// BrokerConfigHandler and TopicConfigHandler):
//   - the rates: leader.replication.throttled.rate / follower.replication.throttled.rate, dynamic
//     broker configs (ConfigRecords), this broker's own value, else the cluster default's (broker
//     ""), else no limit; they can only be set dynamically, as in Kafka;
//   - the throttled replicas: a topic's leader.replication.throttled.replicas /
//     follower.replication.throttled.replicas (`partition:broker,...` or `*`), the entries naming
//     this broker; an empty or absent value removes the topic's throttle.
// Applied from every metadata delta whose configs changed, to the running broker.
// A third one, `alterLogDirs` (Kafka's QuotaManagers.alterLogDirs), bounds the copy of replicas
// moving between this broker's log dirs (replica.alter.log.dirs.io.max.bytes.per.second, dynamic
// only too; every moving replica counts, see replica/replica-alter-log-dirs.ts).
//
// The leader's rule (Kafka's ReplicaManager.shouldLeaderThrottle): a follower's fetch of a
// throttled partition gets no records while that follower is not in the ISR and the leader's quota
// is exceeded (an in-sync follower is never held back, so the ISR does not thrash). Every follower
// fetch records the bytes it returns for throttled partitions (recordLeaderFetch).
import type { MetadataDelta, MetadataImage } from '@tributary/metadata';
import { ConfigResourceType } from '@tributary/metadata';
import type { BrokerConfig } from '../config/broker-config.ts';
import { atLeast, def, type ConfigDef } from '../config/config-def.ts';
import { ReplicationQuotaManager, parseThrottledPartitions } from './replication-quota.ts';

export const LEADER_REPLICATION_THROTTLED_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_REPLICATION_THROTTLED_RATE = 'follower.replication.throttled.rate';
export const LEADER_REPLICATION_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas';
export const FOLLOWER_REPLICATION_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';
export const REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND = 'replica.alter.log.dirs.io.max.bytes.per.second';

const LONG_MAX = 9223372036854775807n;

/** Kafka's DynamicConfig.Broker quota settings: dynamic only, LONG, at least 0, default Long.MAX_VALUE. */
export const REPLICATION_QUOTA_BROKER_CONFIG_DEFS: Readonly<Record<string, ConfigDef>> = {
  [LEADER_REPLICATION_THROTTLED_RATE]: def(
    'long',
    Number.MAX_SAFE_INTEGER,
    'Upper bound (bytes/s) on what this broker sends to followers of the replicas in leader.replication.throttled.replicas. Dynamic only.',
    atLeast(0),
  ),
  [FOLLOWER_REPLICATION_THROTTLED_RATE]: def(
    'long',
    Number.MAX_SAFE_INTEGER,
    'Upper bound (bytes/s) on what this broker fetches for the replicas in follower.replication.throttled.replicas. Dynamic only.',
    atLeast(0),
  ),
  [REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND]: def(
    'long',
    Number.MAX_SAFE_INTEGER,
    "Upper bound (bytes/s) on copying replicas moving between this broker's log dirs (AlterReplicaLogDirs). Dynamic only.",
    atLeast(0),
  ),
};

/** The partitions of a follower fetch's answer: what recordLeaderFetch measures. */
interface FetchedTopic {
  topic: string;
  partitions: ReadonlyArray<{ partitionIndex: number; records: { readonly length: number } | null }>;
}

export class ReplicationQuotas {
  readonly leader: ReplicationQuotaManager;
  readonly follower: ReplicationQuotaManager;
  /** Bounds the copy of replicas moving between log dirs (every moving replica is throttled). */
  readonly alterLogDirs: ReplicationQuotaManager;

  constructor(
    config: BrokerConfig,
    private readonly brokerId: number,
    now: () => number,
  ) {
    const o = {
      numSamples: config.get('replication.quota.window.num'),
      windowMs: config.get('replication.quota.window.size.seconds') * 1000,
      now,
    };
    this.leader = new ReplicationQuotaManager(o);
    this.follower = new ReplicationQuotaManager(o);
    this.alterLogDirs = new ReplicationQuotaManager(o);
  }

  /** Follows the metadata (see the header): the rates, and the throttled replicas of the topics whose configs changed. */
  applyDelta(delta: MetadataDelta, image: MetadataImage): void {
    const changed = delta.configs?.changedResources();
    if (!changed || changed.length === 0) return;
    const broker = (name: string, key: string) => image.configs.configs(ConfigResourceType.BROKER, name).get(key);
    const rate = (key: string) => {
      const v = broker(String(this.brokerId), key) ?? broker('', key);
      return v === undefined || BigInt(v) >= LONG_MAX ? Number.POSITIVE_INFINITY : Number(v);
    };
    this.leader.updateQuota(rate(LEADER_REPLICATION_THROTTLED_RATE));
    this.follower.updateQuota(rate(FOLLOWER_REPLICATION_THROTTLED_RATE));
    this.alterLogDirs.updateQuota(rate(REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND));
    for (const key of changed) {
      const i = key.indexOf(':');
      if (Number(key.slice(0, i)) !== ConfigResourceType.TOPIC) continue;
      const topic = key.slice(i + 1);
      const configs = image.configs.configs(ConfigResourceType.TOPIC, topic);
      this.updateThrottledList(topic, configs.get(LEADER_REPLICATION_THROTTLED_REPLICAS), this.leader);
      this.updateThrottledList(topic, configs.get(FOLLOWER_REPLICATION_THROTTLED_REPLICAS), this.follower);
    }
  }

  private updateThrottledList(topic: string, value: string | undefined, quota: ReplicationQuotaManager): void {
    if (value === undefined || value.trim() === '') quota.removeThrottle(topic);
    else quota.markThrottled(topic, parseThrottledPartitions(value, this.brokerId));
  }

  /** Kafka's shouldLeaderThrottle: a fetch by follower `replicaId` of a partition whose ISR is `isr` gets no records. */
  shouldLeaderThrottle(topic: string, partition: number, isr: readonly number[], replicaId: number): boolean {
    return !isr.includes(replicaId) && this.leader.isThrottled(topic, partition) && this.leader.isQuotaExceeded();
  }

  /** Records the bytes a follower fetch returns for the leader's throttled partitions (Kafka's sizeOfThrottledPartitions). */
  recordLeaderFetch(response: readonly FetchedTopic[]): void {
    let bytes = 0;
    for (const t of response) {
      for (const p of t.partitions) {
        if (p.records && p.records.length > 0 && this.leader.isThrottled(t.topic, p.partitionIndex)) bytes += p.records.length;
      }
    }
    if (bytes > 0) this.leader.record(bytes);
  }
}
