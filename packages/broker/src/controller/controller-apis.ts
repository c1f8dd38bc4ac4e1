// The controller listener's APIs (Kafka's ControllerApis): what brokers send to the controller —
// BrokerRegistration, BrokerHeartbeat, AlterPartition, AllocateProducerIds, AssignReplicasToDirs,
// Fetch of the metadata log —, DescribeQuorum (admin tools and what brokers forward), and the admin writes a broker forwards as they came (CreateTopics, DeleteTopics,
// CreatePartitions, AlterConfigs, IncrementalAlterConfigs, CreateAcls, DeleteAcls, AlterClientQuotas, AlterUserScramCredentials,
// UpdateFeatures, ElectLeaders, UnregisterBroker, AlterPartitionReassignments, ListPartitionReassignments), answered by the broker's own handlers
// over the controller (same checks, same answers), plus ApiVersions. Any other API key closes the
// connection, as an unknown one does on a broker listener.
import { alterConfigsHandler } from '../handlers/alter-configs.ts';
import { createAclsHandler } from '../handlers/create-acls.ts';
import { deleteAclsHandler } from '../handlers/delete-acls.ts';
import { apiVersionsHandler } from '../handlers/api-versions.ts';
import { createPartitionsHandler } from '../handlers/create-partitions.ts';
import { electLeadersHandler } from '../handlers/elect-leaders.ts';
import { unregisterBrokerHandler } from '../handlers/unregister-broker.ts';
import { createTopicsHandler } from '../handlers/create-topics.ts';
import { deleteTopicsHandler } from '../handlers/delete-topics.ts';
import { incrementalAlterConfigsHandler } from '../handlers/incremental-alter-configs.ts';
import { alterPartitionReassignmentsHandler } from '../handlers/alter-partition-reassignments.ts';
import { listPartitionReassignmentsHandler } from '../handlers/list-partition-reassignments.ts';
import { alterClientQuotasHandler } from '../handlers/alter-client-quotas.ts';
import { updateFeaturesHandler } from '../handlers/update-features.ts';
import { alterUserScramCredentialsHandler } from '../handlers/alter-user-scram-credentials.ts';
import { saslAuthenticateHandler } from '../handlers/sasl-authenticate.ts';
import { saslHandshakeHandler } from '../handlers/sasl-handshake.ts';
import { HandlerRegistry, type AnyApiHandler } from '../server/handler-registry.ts';
import { requireClusterAction } from './cluster-action.ts';
import type { ControllerBackend } from './controller-backend.ts';
import { allocateProducerIdsHandler } from './handlers/allocate-producer-ids.ts';
import { assignReplicasToDirsHandler } from './handlers/assign-replicas-to-dirs.ts';
import { alterPartitionHandler } from './handlers/alter-partition.ts';
import { brokerHeartbeatHandler } from './handlers/broker-heartbeat.ts';
import { brokerRegistrationHandler } from './handlers/broker-registration.ts';
import { controllerDescribeQuorumHandler } from './handlers/describe-quorum.ts';
import { metadataFetchHandler } from './handlers/metadata-fetch.ts';
import type { RaftEndpoint } from './raft/raft-endpoint.ts';
import { raftHandlers } from './raft/raft-handlers.ts';

/**
 * The controller listener's handlers; with `raft` (a voter of a multi-controller quorum), Fetch is
 * the Raft client's and Vote, BeginQuorumEpoch and EndQuorumEpoch are served too.
 */
export function controllerHandlers(controller: ControllerBackend, raft?: RaftEndpoint): AnyApiHandler[] {
  const quorum = (raft ? raftHandlers(raft) : [metadataFetchHandler(controller)]).map(requireClusterAction);
  return [
    ...quorum, // 1 (52, 53, 54)
    saslHandshakeHandler, // 17 (served by the SASL gate on SASL_* listeners)
    apiVersionsHandler, // 18
    createTopicsHandler, // 19
    deleteTopicsHandler, // 20
    createAclsHandler, // 30
    deleteAclsHandler, // 31
    alterConfigsHandler, // 33
    saslAuthenticateHandler, // 36
    createPartitionsHandler, // 37
    electLeadersHandler, // 43
    incrementalAlterConfigsHandler, // 44
    alterPartitionReassignmentsHandler, // 45
    listPartitionReassignmentsHandler, // 46
    alterClientQuotasHandler, // 49
    alterUserScramCredentialsHandler, // 51
    controllerDescribeQuorumHandler(controller), // 55
    requireClusterAction(alterPartitionHandler(controller)), // 56
    updateFeaturesHandler, // 57
    requireClusterAction(brokerRegistrationHandler(controller)), // 62
    requireClusterAction(brokerHeartbeatHandler(controller)), // 63
    unregisterBrokerHandler, // 64
    requireClusterAction(allocateProducerIdsHandler(controller)), // 67
    requireClusterAction(assignReplicasToDirsHandler(controller)), // 73
  ];
}

export function createControllerRegistry(controller: ControllerBackend, raft?: RaftEndpoint): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of controllerHandlers(controller, raft)) registry.register(h);
  return registry;
}
