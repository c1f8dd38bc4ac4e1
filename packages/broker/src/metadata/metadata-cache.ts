// MetadataCache: the broker's view of the cluster metadata (Kafka's KRaftMetadataCache): the latest
// MetadataImage the controller published (topics with their partitions' leader, leader epoch,
// replicas and ISR; registered brokers with their endpoints; config overrides), replaced as a
// whole on every change, plus the queries handlers ask of it. A broker is live when it is
// registered and not fenced. Nothing here changes metadata: the controller does, by records.
import {
  MetadataImage,
  hasOnlineDir,
  partitionsInOrder,
  replicaDirectory,
  type BrokerRegistration,
  type PartitionRegistration,
  type TopicImage,
} from '@tributary/metadata';
import type { ListenerEndpoint } from '../config/listeners.ts';
import { isInternalTopic } from '@tributary/metadata';

/** A partition as handlers see it: its index and its registration. */
export interface PartitionView extends PartitionRegistration {
  readonly partition: number;
}

/** A topic as handlers see it: partitions in index order. */
export interface TopicView {
  readonly name: string;
  readonly topicId: string;
  readonly internal: boolean;
  readonly partitions: readonly PartitionView[];
}

const views = new WeakMap<TopicImage, TopicView>();

function topicView(t: TopicImage): TopicView {
  let v = views.get(t);
  if (!v) {
    v = {
      name: t.name,
      topicId: t.topicId,
      internal: isInternalTopic(t.name),
      partitions: partitionsInOrder(t).map(([partition, reg]) => ({ ...reg, partition })),
    };
    views.set(t, v);
  }
  return v;
}

export class MetadataCache {
  private current: MetadataImage = MetadataImage.EMPTY;

  get image(): MetadataImage {
    return this.current;
  }

  /** Called by the metadata publisher with each new image. */
  update(image: MetadataImage): void {
    this.current = image;
  }

  // ---- topics ----

  topics(): TopicView[] {
    return this.current.topics.topics().map(topicView);
  }

  topic(name: string): TopicView | undefined {
    const t = this.current.topic(name);
    return t ? topicView(t) : undefined;
  }

  topicById(id: string): TopicView | undefined {
    const t = this.current.topicById(id);
    return t ? topicView(t) : undefined;
  }

  partition(topic: string, partition: number): PartitionRegistration | undefined {
    return this.current.partition(topic, partition);
  }

  /** The topic's config overrides (name -> value). */
  topicConfigs(topic: string): Record<string, string> {
    return this.current.topicConfigs(topic);
  }

  /** The dynamic configs of a BROKER resource ("" = the cluster-wide default, else a broker id). */
  brokerConfigs(name: string): Record<string, string> {
    return Object.fromEntries(this.current.configs.configs(4, name));
  }

  /** The configs of a GROUP resource (Kafka 4's group configs, resource type 32). */
  groupConfigs(group: string): Record<string, string> {
    return Object.fromEntries(this.current.configs.configs(32, group));
  }

  // ---- brokers ----

  broker(id: number): BrokerRegistration | undefined {
    return this.current.cluster.broker(id);
  }

  isLive(id: number): boolean {
    return this.current.cluster.isUnfenced(id);
  }

  /**
   * Whether broker `brokerId`'s replica of `p` is in a log dir its registration does not list
   * online (JBOD, KIP-858; Kafka's KRaftMetadataCache.isReplicaInOfflineDir).
   */
  isReplicaInOfflineDir(p: PartitionRegistration, brokerId: number): boolean {
    const b = this.current.cluster.broker(brokerId);
    return b !== undefined && !hasOnlineDir(b, replicaDirectory(p, brokerId));
  }

  /** Registered broker ids, ascending. */
  brokerIds(): number[] {
    return this.current.cluster.brokerIds();
  }

  /** Live brokers, ascending by id. */
  liveBrokers(): BrokerRegistration[] {
    return this.current.cluster.unfencedBrokerIds().map((id) => this.current.cluster.broker(id)!);
  }

  /**
   * The endpoint of a live broker for the listener a request came in on (Kafka answers with the
   * endpoints of the same listener), else its first endpoint; undefined when it is not live.
   */
  endpoint(id: number, listenerName: string): ListenerEndpoint | undefined {
    const b = this.current.cluster.broker(id);
    if (!b || b.fenced) return undefined;
    const e = b.endpoints.find((x) => x.name === listenerName) ?? b.endpoints[0];
    return e ? { name: e.name, host: e.host, port: e.port } : undefined;
  }

  /** Live brokers with their endpoint of `listenerName`, as Metadata and DescribeCluster list them. */
  liveEndpoints(listenerName: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
    const out = [];
    for (const b of this.liveBrokers()) {
      const e = b.endpoints.find((x) => x.name === listenerName) ?? b.endpoints[0];
      if (e) out.push({ nodeId: b.id, host: e.host, port: e.port, rack: b.rack });
    }
    return out;
  }

  /**
   * The controller id clients are told: the lowest live broker id (the in-process controller has
   * no node of its own; a KRaft quorum will answer its leader). -1 when no broker is live.
   */
  get controllerId(): number {
    return this.current.cluster.unfencedBrokerIds()[0] ?? -1;
  }
}
