// BrokerServices: what every handler can reach through `ctx.services`: configuration, time,
// logging (and the loggers' levels), identity (`nodeId`: the node the request was sent to), the cluster metadata
// (`metadata`: topics, partitions' leaders and ISRs, brokers), the controller (admin operations
// become metadata records there), the partitions this broker hosts (`replicas`: logs, produce,
// fetch), the handler registry, producer ids, the group coordinator and the transaction
// coordinator. Built once per
// BrokerNode; handlers never import singletons.
import type { Time } from '@tributary/storage';
import type { BrokerConfig } from './config/broker-config.ts';
import type { ListenerEndpoint } from './config/listeners.ts';
import type { GroupCoordinatorService } from './coordinator/group-coordinator-service.ts';
import type { ProducerIdManager } from './coordinator/transaction/producer-id-manager.ts';
import type { TransactionCoordinatorService } from './coordinator/transaction-coordinator-service.ts';
import type { Log4jController } from './log4j-controller.ts';
import type { Logger } from './logger.ts';
import type { ControllerChannel } from './metadata/controller-channel.ts';
import type { DescribeQuorumChannel } from './controller/describe-quorum-channel.ts';
import type { MetadataCache } from './metadata/metadata-cache.ts';
import type { QuotaManagers } from './quota/quota-managers.ts';
import type { ReplicaManager } from './replica/replica-manager.ts';

export { systemTime, type Time } from '@tributary/storage';

/** The registered APIs as ApiVersions advertises them (the HandlerRegistry). */
export interface AdvertisedApis {
  advertised(): Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
}

export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly time: Time;
  readonly log: Logger;
  /** The broker's loggers and their levels (BROKER_LOGGER config resources). */
  readonly loggers: Log4jController;
  /** This node: the one the request was sent to. */
  readonly nodeId: number;
  /** From meta.properties in the first log dir (created on first start). */
  readonly clusterId: string;
  /** Advertised endpoints, with bound ports filled in (valid once the broker has started). */
  readonly advertisedListeners: readonly ListenerEndpoint[];
  readonly registry: AdvertisedApis;
  /** The cluster metadata as the controller last published it (read only). */
  readonly metadata: MetadataCache;
  /** Where topic operations go: they become metadata records, then reach `metadata`. */
  readonly controller: ControllerChannel;
  /** Where DescribeQuorum goes: the active controller (forwarded to a remote one, or answered by this process's). */
  readonly quorum: DescribeQuorumChannel;
  /** The partitions this broker hosts: logs, append (Produce) and fetch (Fetch), the purgatory. */
  readonly replicas: ReplicaManager;
  /** Producer ids for InitProducerId (blocks persisted in the first log dir). */
  readonly producerIds: ProducerIdManager;
  /** The group coordinator (FindCoordinator, JoinGroup, OffsetCommit, ...). */
  readonly groupCoordinator: GroupCoordinatorService;
  /** The transaction coordinator (FindCoordinator key type 1, InitProducerId, AddPartitionsToTxn, EndTxn, ...). */
  readonly txnCoordinator: TransactionCoordinatorService;
  /** Client quotas (producer/consumer byte rates) of this node: quota/. */
  readonly quotas: QuotaManagers;
  /** Aborted when the broker begins stopping. */
  readonly shutdownSignal: AbortSignal;
}
