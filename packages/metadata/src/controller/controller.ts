// The controller as a pure state machine: `image x request -> { records, response }` (the logic of
// Kafka's QuorumController, whose control managers this delegates to: topic-control,
// configuration-control, client-quota-control, cluster-control, partition-change, elect-leaders,
// leader-imbalance, reassignment, acl-control, replica-directories). It reads the image, writes nothing
// and keeps no state of its own: a backend appends the records to the metadata log, replays them
// into the image, and only then hands out the response. The same records replayed by any node
// give the same image, so a single node, a Raft quorum or a ZooKeeper adapter can run it.
//
//   const controller = new Controller({ numPartitions: 1, defaultReplicationFactor: 1, ... });
//   const { records, response } = controller.createTopics(image, [{ name: 'orders', numPartitions: 3 }]);
import type {
  AssignReplicasToDirsRequest,
  AssignReplicasToDirsResponse,
  AlterPartitionReassignmentsResponse,
  AlterPartitionRequest,
  AlterPartitionResponse,
  AlterUserScramCredentialsRequest,
  ListPartitionReassignmentsResponse,
} from '@tributary/protocol';
import { alterUserScramCredentials, type AlterScramResult } from './scram-control.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { ConfigResourceType, featureLevelRecord, type MetadataRecord } from '../records/metadata-record.ts';
import { METADATA_VERSION, METADATA_VERSION_FEATURE } from '../records/metadata-version.ts';
import type { AclBinding, AclBindingFilter } from '../acl/acl-binding.ts';
import { createAcls, deleteAcls, type DeleteAclsFilterResult } from './acl-control.ts';
import { alterPartition } from './alter-partition.ts';
import { assignReplicasToDirs } from './replica-directories.ts';
import { updateFeatures, type FeatureUpdate } from './feature-control.ts';
import { alterClientQuotas, type AlterClientQuotasResult, type ClientQuotaAlteration } from './client-quota-control.ts';
import { processBrokerHeartbeat, type BrokerHeartbeatReply, type BrokerHeartbeatRequest } from './broker-heartbeat.ts';
import type { BrokerHeartbeatManager } from './broker-heartbeat-manager.ts';
import {
  allocateProducerIds,
  fenceBroker,
  registerBroker,
  unfenceBroker,
  unregisterBroker,
  type BrokerRegistrationRequest,
  type BrokerRegistrationResult,
  type ProducerIdsBlockResult,
} from './cluster-control.ts';
import {
  alterConfigs,
  incrementalAlterConfigs,
  type AlterConfigsResource,
  type AlterConfigsResult,
  type IncrementalAlterConfigsResource,
} from './configuration-control.ts';
import { DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, type ControllerOptions } from './controller-options.ts';
import { changePartition, type PartitionChangeRequest, type PartitionChangeResult } from './partition-change.ts';
import { electLeaders, type ElectLeadersRequestData, type ElectLeadersResult } from './elect-leaders.ts';
import { maybeBalancePartitionLeaders } from './leader-imbalance.ts';
import {
  alterPartitionReassignments,
  listPartitionReassignments,
  type ListReassignmentsTopic,
  type ReassignableTopic,
} from './reassignment.ts';
import type { ApiError, ControllerResult } from './results.ts';
import {
  createPartitions,
  createTopics,
  deleteTopics,
  type CreatableTopic,
  type CreatePartitionsResult,
  type CreatePartitionsTopic,
  type CreateTopicResult,
  type DeletableTopic,
  type DeleteTopicResult,
} from './topic-control.ts';

export interface ValidateOnly {
  /** Check and answer as if done, write nothing. */
  validateOnly?: boolean;
}

export class Controller {
  constructor(readonly options: ControllerOptions) {}

  /**
   * unclean.leader.election.enable for topics without an override, as Kafka's
   * ConfigurationControlManager resolves it: this controller's dynamic BROKER config, else the
   * cluster-wide dynamic default, else the static setting.
   */
  uncleanLeaderElectionDefault(image: MetadataImage): boolean {
    const names = this.options.nodeId === undefined ? [''] : [String(this.options.nodeId), ''];
    for (const name of names) {
      const v = image.configs.configs(ConfigResourceType.BROKER, name).get('unclean.leader.election.enable');
      if (v !== undefined) return v.trim().toLowerCase() === 'true';
    }
    return this.options.uncleanLeaderElectionEnable;
  }

  /**
   * The records that start an empty metadata log: metadata.version (Kafka's bootstrap metadata),
   * options.bootstrapMetadataVersion or METADATA_VERSION.
   */
  bootstrapRecords(): MetadataRecord[] {
    return [featureLevelRecord(METADATA_VERSION_FEATURE, this.options.bootstrapMetadataVersion ?? METADATA_VERSION)];
  }

  /** UpdateFeatures (feature-control.ts): one error fails them all; FeatureLevelRecords otherwise. */
  updateFeatures(image: MetadataImage, updates: readonly FeatureUpdate[], opts: ValidateOnly = {}): ControllerResult<ApiError> {
    return updateFeatures(image, updates, opts.validateOnly ?? false, this.options.nodeId ?? -1);
  }

  createTopics(image: MetadataImage, topics: readonly CreatableTopic[], opts: ValidateOnly = {}): ControllerResult<CreateTopicResult[]> {
    return createTopics(image, topics, opts.validateOnly ?? false, this.options);
  }

  createPartitions(
    image: MetadataImage,
    topics: readonly CreatePartitionsTopic[],
    opts: ValidateOnly = {},
  ): ControllerResult<CreatePartitionsResult[]> {
    return createPartitions(image, topics, opts.validateOnly ?? false);
  }

  deleteTopics(image: MetadataImage, topics: readonly DeletableTopic[]): ControllerResult<DeleteTopicResult[]> {
    return deleteTopics(image, topics, this.options);
  }

  alterConfigs(
    image: MetadataImage,
    resources: readonly AlterConfigsResource[],
    opts: ValidateOnly = {},
  ): ControllerResult<AlterConfigsResult[]> {
    return alterConfigs(image, resources, opts.validateOnly ?? false, this.options);
  }

  incrementalAlterConfigs(
    image: MetadataImage,
    resources: readonly IncrementalAlterConfigsResource[],
    opts: ValidateOnly = {},
  ): ControllerResult<AlterConfigsResult[]> {
    return incrementalAlterConfigs(image, resources, opts.validateOnly ?? false, this.options);
  }

  /** CreateAcls (API 30): one result per binding, in order (acl-control.ts). */
  createAcls(image: MetadataImage, bindings: readonly AclBinding[]): ControllerResult<ApiError[]> {
    return createAcls(image, bindings, this.options.newTopicId);
  }

  /** DeleteAcls (API 31): one result per filter, in order, with the ACLs removed (acl-control.ts). */
  deleteAcls(image: MetadataImage, filters: readonly AclBindingFilter[]): ControllerResult<DeleteAclsFilterResult[]> {
    return deleteAcls(image, filters);
  }

  /** AlterClientQuotas (API 49): client-quota-control.ts. */
  alterClientQuotas(
    image: MetadataImage,
    alterations: readonly ClientQuotaAlteration[],
    opts: ValidateOnly = {},
  ): ControllerResult<AlterClientQuotasResult[]> {
    return alterClientQuotas(image, alterations, opts.validateOnly ?? false);
  }

  /** `nextOffset`: the offset the first record will get in the log (it becomes the broker epoch). */
  registerBroker(image: MetadataImage, req: BrokerRegistrationRequest, nextOffset: number): ControllerResult<BrokerRegistrationResult> {
    return registerBroker(image, req, nextOffset, this.uncleanLeaderElectionDefault(image));
  }

  fenceBroker(image: MetadataImage, brokerId: number, brokerEpoch?: bigint): ControllerResult<ApiError> {
    return fenceBroker(image, brokerId, brokerEpoch, this.uncleanLeaderElectionDefault(image));
  }

  unfenceBroker(image: MetadataImage, brokerId: number, brokerEpoch?: bigint): ControllerResult<ApiError> {
    return unfenceBroker(image, brokerId, brokerEpoch, this.uncleanLeaderElectionDefault(image));
  }

  unregisterBroker(image: MetadataImage, brokerId: number): ControllerResult<ApiError> {
    return unregisterBroker(image, brokerId, this.uncleanLeaderElectionDefault(image));
  }

  changePartition(image: MetadataImage, req: PartitionChangeRequest): ControllerResult<PartitionChangeResult> {
    return changePartition(image, req);
  }

  /** ElectLeaders (API 43): PREFERRED or UNCLEAN elections (elect-leaders.ts). */
  electLeaders(image: MetadataImage, request: ElectLeadersRequestData): ControllerResult<ElectLeadersResult> {
    return electLeaders(image, request);
  }

  /**
   * One pass of the automatic leader rebalance (leader-imbalance.ts, with
   * leader.imbalance.per.broker.percentage); the response: whether elections may be left for another pass.
   */
  maybeBalancePartitionLeaders(image: MetadataImage, maxElections?: number): ControllerResult<boolean> {
    return maybeBalancePartitionLeaders(image, {
      imbalancePerBrokerPercentage: this.options.leaderImbalancePerBrokerPercentage ?? DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
      maxElections,
    });
  }

  /**
   * BrokerHeartbeat (API 63): the broker's next state (fencing, unfencing, controlled shutdown) from
   * the heartbeat manager's soft state, which this only reads (broker-heartbeat.ts).
   */
  brokerHeartbeat(
    image: MetadataImage,
    req: BrokerHeartbeatRequest,
    heartbeats: BrokerHeartbeatManager,
  ): ControllerResult<BrokerHeartbeatReply> {
    return processBrokerHeartbeat(image, req, heartbeats, this.uncleanLeaderElectionDefault(image));
  }

  /** AlterPartition (API 56) at request `version` 0-3 (alter-partition.ts). */
  alterPartition(image: MetadataImage, request: AlterPartitionRequest, version: number): ControllerResult<AlterPartitionResponse> {
    return alterPartition(image, request, version, this.options.uncleanLeaderElectionEnable);
  }

  /** AssignReplicasToDirs (API 73): the log dir of a broker's replicas (replica-directories.ts; JBOD, KIP-858). */
  assignReplicasToDirs(image: MetadataImage, request: AssignReplicasToDirsRequest): ControllerResult<AssignReplicasToDirsResponse> {
    return assignReplicasToDirs(image, request, this.uncleanLeaderElectionDefault(image));
  }

  /** AlterPartitionReassignments (API 45): start, change or cancel reassignments (reassignment.ts). */
  alterPartitionReassignments(
    image: MetadataImage,
    topics: readonly ReassignableTopic[],
  ): ControllerResult<AlterPartitionReassignmentsResponse> {
    return alterPartitionReassignments(image, topics, this.options.uncleanLeaderElectionEnable);
  }

  /** ListPartitionReassignments (API 46): the reassignments in progress (all of them: `topics` null). */
  listPartitionReassignments(
    image: MetadataImage,
    topics: readonly ListReassignmentsTopic[] | null = null,
  ): ListPartitionReassignmentsResponse {
    return listPartitionReassignments(image, topics);
  }

  /** AlterUserScramCredentials (API 51): one result per user (scram-control.ts). */
  alterUserScramCredentials(image: MetadataImage, request: AlterUserScramCredentialsRequest): ControllerResult<AlterScramResult[]> {
    return alterUserScramCredentials(image, request);
  }

  allocateProducerIds(image: MetadataImage, brokerId: number, brokerEpoch?: bigint): ControllerResult<ProducerIdsBlockResult> {
    return allocateProducerIds(image, brokerId, brokerEpoch);
  }
}
