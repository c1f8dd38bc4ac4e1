// @tributary/metadata: cluster metadata as KRaft keeps it — the metadata records and their
// `__cluster_metadata` framing, the MetadataImage built only by replaying them (MetadataDelta),
// the controller as a pure state machine (image x request -> records + response), the metadata
// log, and LocalController, the single-node backend the broker runs today.
// Layer order: protocol < storage < metadata < broker.

// records
export {
  BrokerControlledShutdownChange,
  BrokerFencingChange,
  ConfigResourceType,
  LeaderRecoveryState,
  NO_LEADER,
  NO_LEADER_CHANGE,
  clientQuotaRecord,
  type MetadataRecord,
  type MetadataRecordType,
  type MetadataRecordTypes,
  type RecordOf,
} from './records/metadata-record.ts';
export { UpgradeType, updateFailedMessage, updateFailedReason, type FeatureUpdate } from './controller/feature-control.ts';
export {
  KRAFT_METADATA_VERSIONS,
  METADATA_VERSION,
  METADATA_VERSION_FEATURE,
  MINIMUM_BOOTSTRAP_METADATA_VERSION,
  MetadataVersion,
  SUPPORTED_FEATURES,
  SUPPORTED_METADATA_VERSIONS,
  isDirectoryAssignmentSupported,
  metadataChangedBetween,
  metadataVersionName,
  parseMetadataVersion,
} from './records/metadata-version.ts';
export {
  MetadataParseError,
  decodeMetadataBatches,
  decodeMetadataRecord,
  encodeMetadataBatch,
  encodeMetadataRecord,
  type MetadataBatch,
} from './records/record-serde.ts';

// image
export { MetadataImage, EMPTY_PROVENANCE, type MetadataProvenance } from './image/metadata-image.ts';
export { MetadataDelta, applyRecords } from './image/metadata-delta.ts';
export { snapshotDelta } from './image/snapshot-delta.ts';
export { imageRecords } from './image/image-records.ts';
export { TopicsImage, partitionsInOrder, type TopicImage } from './image/topics-image.ts';
export {
  TopicDelta,
  TopicsDelta,
  type LocalPartitionChange,
  type LocalPartitionDelete,
  type LocalReplicaChanges,
} from './image/topics-delta.ts';
export { hasLeader, preferredReplica, replicaDirectory, type PartitionRegistration } from './image/partition-registration.ts';
export {
  ClusterDelta,
  ClusterImage,
  SecurityProtocol,
  hasOnlineDir,
  type BrokerEndpoint,
  type BrokerRegistration,
} from './image/cluster-image.ts';
export { DirectoryId, isDirectoryOnline } from './records/directory-id.ts';
export { replicaInOnlineDir } from './controller/leader-acceptor.ts';
export { defaultDir } from './controller/replica-directories.ts';
export { ConfigsDelta, ConfigsImage } from './image/configs-image.ts';
export {
  ClientQuotaEntityType,
  ClientQuotasDelta,
  ClientQuotasImage,
  QuotaMatchType,
  entityKey,
  entityList,
  entityOf,
  type ClientQuotaEntity,
  type ClientQuotaEntry,
  type DescribeClientQuotasResult,
  type QuotaFilterComponent,
} from './image/client-quotas-image.ts';
export { ScramDelta, ScramImage, type ScramCredentialData } from './image/scram-image.ts';
export { FeaturesImage, ProducerIdsImage } from './image/features-image.ts';

export { AclsDelta, AclsImage } from './acl/acls-image.ts';
export {
  ACL_ANY,
  ACL_UNKNOWN,
  AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  aclMatchesFilter,
  invalidAclFilter,
  invalidNewAcl,
  parsePrincipal,
  sameBinding,
  type AclBinding,
  type AclBindingFilter,
  type StandardAcl,
} from './acl/acl-binding.ts';
export type { DeleteAclsFilterResult } from './controller/acl-control.ts';

// snapshots
export {
  SNAPSHOT_RECORDS_PER_BATCH,
  imageFromSnapshot,
  readImageSnapshot,
  snapshotBatchesOf,
  snapshotIdOf,
  writeImageSnapshot,
  type WriteImageSnapshotOptions,
} from './snapshot/metadata-snapshot.ts';

// controller
export { Controller, type ValidateOnly } from './controller/controller.ts';
export { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, type AlterScramResult } from './controller/scram-control.ts';
export {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
  DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
  DEFAULT_SESSION_TIMEOUT_MS,
  newTopicId,
  type ControllerOptions,
  type TopicConfigPolicy,
  type GroupConfigPolicy,
} from './controller/controller-options.ts';
export {
  BrokerControlState,
  BrokerHeartbeatManager,
  isFencedState,
  leadsAnyPartition,
  type HeartbeatIntent,
} from './controller/broker-heartbeat-manager.ts';
export type { BrokerHeartbeatReply, BrokerHeartbeatRequest } from './controller/broker-heartbeat.ts';
export type { ApiError, ControllerResult } from './controller/results.ts';
export type {
  CreatableTopic,
  CreatedTopic,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicResult,
  DeletableTopic,
  DeleteTopicResult,
} from './controller/topic-control.ts';
export type {
  AlterConfigOp,
  AlterConfigOpType,
  AlterConfigsResource,
  AlterConfigsResult,
  IncrementalAlterConfigsResource,
} from './controller/configuration-control.ts';
export {
  CLIENT_QUOTA_KEYS,
  IP_QUOTA_KEYS,
  type AlterClientQuotasResult,
  type ClientQuotaAlteration,
  type ClientQuotaOp,
} from './controller/client-quota-control.ts';
export {
  PRODUCER_ID_BLOCK_SIZE,
  type BrokerRegistrationRequest,
  type BrokerRegistrationResult,
  type ProducerIdsBlockResult,
} from './controller/cluster-control.ts';
export type { PartitionChangeRequest, PartitionChangeResult } from './controller/partition-change.ts';
export {
  ElectionType,
  electLeaders,
  electPartitionLeader,
  type ElectLeadersRequestData,
  type ElectLeadersResult,
  type PartitionElection,
} from './controller/elect-leaders.ts';
export {
  MAX_ELECTIONS_PER_IMBALANCE,
  arePartitionLeadersImbalanced,
  maybeBalancePartitionLeaders,
  type LeaderImbalanceOptions,
} from './controller/leader-imbalance.ts';
export { ALTER_PARTITION_MAX_VERSION } from './controller/alter-partition.ts';
export type { ListReassignmentsTopic, ReassignablePartition, ReassignableTopic } from './controller/reassignment.ts';
export { usableBrokerIds } from './controller/replica-placement.ts';
export { placeReplicas, type BrokerLoad, type PlacementBroker } from './controller/striped-placer.ts';
export {
  CLUSTER_METADATA_TOPIC,
  GROUP_METADATA_TOPIC,
  INTERNAL_TOPICS,
  MAX_TOPIC_NAME_LENGTH,
  TRANSACTION_STATE_TOPIC,
  isInternalTopic,
  topicNameProblem,
} from './controller/topic-names.ts';

// log and the single-node backend
export type { AppendResult, MetadataLog } from './log/metadata-log.ts';
export { LocalMetadataLog, METADATA_PARTITION_DIR, type LocalMetadataLogOptions } from './log/local-metadata-log.ts';
export { RaftMetadataLog, type RaftMetadataLogOptions } from './log/raft-metadata-log.ts';
export { ObserverImageLog, type CommittedBatchesListener } from './log/observer-image-log.ts';
export {
  LocalController,
  type LocalControllerOptions,
  type LocalControllerStartup,
  type MetadataListener,
  type MetadataLogger,
} from './local/local-controller.ts';
export { ControllerStats, type OperationTimingListener } from './local/controller-stats.ts';
export { MIGRATED_TOPIC_STORE_DIR, TOPIC_STORE_DIR } from './local/topic-store-migration.ts';
export { IMMEDIATE_PASS_DELAY_MS, LeaderRebalance, type LeaderRebalanceOptions } from './local/leader-rebalance.ts';
