// ReplicaFetcherManager: which ReplicaFetcher copies each followed partition (Kafka's
// ReplicaFetcherManager / AbstractFetcherManager). A partition this broker follows is fetched from
// its leader's broker on the inter-broker listener (inter.broker.listener.name, else PLAINTEXT,
// else the leader's first endpoint); one fetcher, with one connection, per source broker. The
// ReplicaManager calls `follow` and `unfollow` as the metadata moves leaders; a fetcher with no
// partitions left stops and closes its connection.
import { interBrokerSaslLogin } from '../../server/sasl/broker-login.ts';
import { BrokerConnection } from '@tributary/client';
import type { MetadataImage } from '@tributary/metadata';
import type { BrokerConfig } from '../../config/broker-config.ts';
import type { Logger } from '../../logger.ts';
import { interBrokerApiRange } from '../../server/inter-broker-versions.ts';
import type { Partition } from '../partition.ts';
import type { ReplicaQuota } from '../../quota/replication-quota.ts';
import { ReplicaFetcher } from './replica-fetcher.ts';
import { outboundTls } from '../../server/tls/outbound-tls.ts';

export interface ReplicaFetcherManagerOptions {
  nodeId: number;
  config: BrokerConfig;
  log: Logger;
  image: () => MetadataImage;
  /** Whether `p` is still the hosted partition of its key. */
  current: (p: Partition) => boolean;
  /** Told of the bytes every fetcher appends (ReplicationBytesInPerSec). */
  onReplicationBytesIn?: (bytes: number) => void;
  /** The follower's replication throttle (follower.replication.throttled.rate); none: unthrottled. */
  quota?: ReplicaQuota;
}

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  /** Which fetcher (by `<broker>@<host>:<port>`) serves each partition key. */
  private readonly assigned = new Map<string, string>();

  constructor(private readonly o: ReplicaFetcherManagerOptions) {}

  /** Fetches `p` from its current leader (moving it off any previous fetcher). */
  follow(p: Partition): void {
    const endpoint = this.leaderEndpoint(p.leader);
    this.unfollow(p);
    if (!endpoint) {
      this.o.log.warn('no endpoint for the leader of a followed partition', { partition: p.key, leader: p.leader });
      return;
    }
    const id = `${p.leader}@${endpoint.host}:${endpoint.port}`;
    let f = this.fetchers.get(id);
    if (!f) {
      const c = this.o.config;
      f = new ReplicaFetcher({
        nodeId: this.o.nodeId,
        sourceBrokerId: p.leader,
        connect: () =>
          new BrokerConnection({
            host: endpoint.host,
            port: endpoint.port,
            clientId: `broker-${this.o.nodeId}-fetcher-0`,
            apiRange: interBrokerApiRange,
            requestTimeoutMs: c.get('replica.fetch.wait.max.ms') + 30_000,
            sasl: interBrokerSaslLogin(c),
            tls: outboundTls(c, endpoint.name, this.o.log),
          }),
        log: this.o.log,
        maxWaitMs: c.get('replica.fetch.wait.max.ms'),
        minBytes: c.get('replica.fetch.min.bytes'),
        maxBytes: c.get('replica.fetch.response.max.bytes'),
        partitionMaxBytes: c.get('replica.fetch.max.bytes'),
        backoffMs: c.get('replica.fetch.backoff.ms'),
        current: this.o.current,
        onAppend: this.o.onReplicationBytesIn,
        quota: this.o.quota,
      });
      this.fetchers.set(id, f);
    }
    f.addPartition(p);
    this.assigned.set(p.key, id);
  }

  /** Stops fetching `p` (it leads now, or it is gone). */
  unfollow(p: Partition): void {
    const id = this.assigned.get(p.key);
    if (id === undefined) return;
    this.assigned.delete(p.key);
    const f = this.fetchers.get(id);
    if (!f) return;
    f.removePartition(p);
    if (f.partitionCount === 0) {
      this.fetchers.delete(id);
      void f.shutdown();
    }
  }

  /** The fetcher source of a partition (tests, DescribeReplicaLogDirs-like views); -1 when none. */
  sourceOf(p: Partition): number {
    const id = this.assigned.get(p.key);
    return id === undefined ? -1 : (this.fetchers.get(id)?.sourceBrokerId ?? -1);
  }

  async shutdown(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.assigned.clear();
    await Promise.all(all.map((f) => f.shutdown()));
  }

  private leaderEndpoint(leader: number): { name: string; host: string; port: number } | undefined {
    const b = this.o.image().cluster.broker(leader);
    if (!b || b.endpoints.length === 0) return undefined;
    const wanted = this.o.config.interBrokerListenerName;
    return b.endpoints.find((e) => e.name === wanted) ?? b.endpoints[0];
  }
}
