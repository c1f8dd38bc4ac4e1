// BrokerServices: what every handler can reach through `ctx.services` — configuration, time,
// logging, identity (`nodeId`: the node the request was sent to), the cluster's brokers
// (`cluster`), the handler registry, producer ids, and the partition layer (`topics`: the
// TopicManager, which owns the LogManager; `metadata` is the same object seen as a read-only
// MetadataView, with each partition's leader, leader epoch, replicas and ISR). Built once per
// BrokerNode; handlers never import singletons.
import type { BrokerConfig } from './config/broker-config.ts';
import type { ClusterView } from './cluster/cluster-view.ts';
import type { GroupCoordinatorService } from './coordinator/group-coordinator-service.ts';
import type { ListenerEndpoint } from './config/listeners.ts';
import type { HandlerRegistry } from './handlers/registry.ts';
import type { Logger } from './logger.ts';
import type { TopicManager } from './partitions/topic-manager.ts';
import type { ProducerIdManager } from './coordinator/transaction/producer-id-manager.ts';

/** Wall-clock time in milliseconds; tests pass a fake. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** One partition as Metadata/Produce/Fetch see it; replication-ready even on a single broker. */
export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicState {
  name: string;
  /** Kafka's Uuid.toString form (base64url, 22 chars). */
  topicId: string;
  internal: boolean;
  partitions: PartitionState[];
}

/** Read view of cluster metadata (implemented by the TopicManager). */
export interface MetadataView {
  topics(): Iterable<TopicState>;
  topic(name: string): TopicState | undefined;
}

export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** This node: the one the request was sent to. */
  readonly nodeId: number;
  /** From meta.properties in the first log dir (created on first start). */
  readonly clusterId: string;
  /** Advertised endpoints, with bound ports filled in (valid once the broker has started). */
  readonly advertisedListeners: readonly ListenerEndpoint[];
  /** The cluster's brokers: endpoints, liveness, controller. */
  readonly cluster: ClusterView;
  readonly registry: HandlerRegistry;
  readonly metadata: MetadataView;
  /** The partition layer: topics, partitions, logs, the fetch purgatory. */
  readonly topics: TopicManager;
  /** Producer ids for InitProducerId (blocks persisted in the first log dir). */
  readonly producerIds: ProducerIdManager;
  /** The group coordinator (FindCoordinator, JoinGroup, OffsetCommit, ...). */
  readonly groupCoordinator: GroupCoordinatorService;
  /** Aborted when the broker begins stopping. */
  readonly shutdownSignal: AbortSignal;
}
