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
import type { Logger } from './logger.ts';
import type { TopicManager } from './partitions/topic-manager.ts';
import type { ReplicaManager } from './replica/replica-manager.ts';
import type { ProducerIdManager } from './coordinator/transaction/producer-id-manager.ts';
import type { Time } from '@tributary/storage';
import type { MetadataView } from './metadata/metadata-view.ts';

export { systemTime, type Time } from '@tributary/storage';
export type { MetadataView, PartitionState, TopicState } from './metadata/metadata-view.ts';

/** The registered APIs as ApiVersions advertises them (the HandlerRegistry). */
export interface AdvertisedApis {
  advertised(): Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
}

export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly time: Time;
  readonly log: Logger;
  /** This node: the one the request was sent to. */
  readonly nodeId: number;
  /** From meta.properties in the first log dir (created on first start). */
  readonly clusterId: string;
  /** Advertised endpoints, with bound ports filled in (valid once the broker has started). */
  readonly advertisedListeners: readonly ListenerEndpoint[];
  /** The cluster's brokers: endpoints, liveness, controller. */
  readonly cluster: ClusterView;
  readonly registry: AdvertisedApis;
  readonly metadata: MetadataView;
  /** Topics and their partitions' replica state (the local metadata); topic operations. */
  readonly topics: TopicManager;
  /** The partitions this broker hosts: logs, append (Produce) and fetch (Fetch), the purgatory. */
  readonly replicas: ReplicaManager;
  /** Producer ids for InitProducerId (blocks persisted in the first log dir). */
  readonly producerIds: ProducerIdManager;
  /** The group coordinator (FindCoordinator, JoinGroup, OffsetCommit, ...). */
  readonly groupCoordinator: GroupCoordinatorService;
  /** Aborted when the broker begins stopping. */
  readonly shutdownSignal: AbortSignal;
}
