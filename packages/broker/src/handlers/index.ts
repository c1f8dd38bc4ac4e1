// The default handler set: every API the broker serves, one module per API key, listed in API key
// order. A new handler module is added to `defaultHandlers` at its key.
import { produceHandler } from './produce.ts';
import { fetchHandler } from './fetch.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { offsetCommitHandler } from './offset-commit.ts';
import { offsetFetchHandler } from './offset-fetch.ts';
import { findCoordinatorHandler } from './find-coordinator.ts';
import { joinGroupHandler } from './join-group.ts';
import { heartbeatHandler } from './heartbeat.ts';
import { leaveGroupHandler } from './leave-group.ts';
import { syncGroupHandler } from './sync-group.ts';
import { describeGroupsHandler } from './describe-groups.ts';
import { listGroupsHandler } from './list-groups.ts';
import { apiVersionsHandler } from './api-versions.ts';
import { createTopicsHandler } from './create-topics.ts';
import { deleteTopicsHandler } from './delete-topics.ts';
import { deleteRecordsHandler } from './delete-records.ts';
import { initProducerIdHandler } from './init-producer-id.ts';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.ts';
import { addPartitionsToTxnHandler } from './add-partitions-to-txn.ts';
import { addOffsetsToTxnHandler } from './add-offsets-to-txn.ts';
import { endTxnHandler } from './end-txn.ts';
import { txnOffsetCommitHandler } from './txn-offset-commit.ts';
import { writeTxnMarkersHandler } from './write-txn-markers.ts';
import { describeConfigsHandler } from './describe-configs.ts';
import { alterConfigsHandler } from './alter-configs.ts';
import { createAclsHandler } from './create-acls.ts';
import { deleteAclsHandler } from './delete-acls.ts';
import { describeAclsHandler } from './describe-acls.ts';
import { alterReplicaLogDirsHandler } from './alter-replica-log-dirs.ts';
import { describeLogDirsHandler } from './describe-log-dirs.ts';
import { createPartitionsHandler } from './create-partitions.ts';
import { deleteGroupsHandler } from './delete-groups.ts';
import { electLeadersHandler } from './elect-leaders.ts';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.ts';
import { alterPartitionReassignmentsHandler } from './alter-partition-reassignments.ts';
import { listPartitionReassignmentsHandler } from './list-partition-reassignments.ts';
import { offsetDeleteHandler } from './offset-delete.ts';
import { describeClientQuotasHandler } from './describe-client-quotas.ts';
import { alterClientQuotasHandler } from './alter-client-quotas.ts';
import { updateFeaturesHandler } from './update-features.ts';
import { describeQuorumHandler } from './describe-quorum.ts';
import { describeClusterHandler } from './describe-cluster.ts';
import { describeTransactionsHandler } from './describe-transactions.ts';
import { unregisterBrokerHandler } from './unregister-broker.ts';
import { listTransactionsHandler } from './list-transactions.ts';
import { describeProducersHandler } from './describe-producers.ts';
import { saslHandshakeHandler } from './sasl-handshake.ts';
import { saslAuthenticateHandler } from './sasl-authenticate.ts';
import { describeUserScramCredentialsHandler } from './describe-user-scram-credentials.ts';
import { alterUserScramCredentialsHandler } from './alter-user-scram-credentials.ts';
import { HandlerRegistry, type ApiHandler } from '../server/handler-registry.ts';

export const defaultHandlers: readonly ApiHandler[] = [
  produceHandler, // 0
  fetchHandler, // 1
  listOffsetsHandler, // 2
  metadataHandler, // 3
  offsetCommitHandler, // 8
  offsetFetchHandler, // 9
  findCoordinatorHandler, // 10
  joinGroupHandler, // 11
  heartbeatHandler, // 12
  leaveGroupHandler, // 13
  syncGroupHandler, // 14
  describeGroupsHandler, // 15
  listGroupsHandler, // 16
  saslHandshakeHandler, // 17
  apiVersionsHandler, // 18
  createTopicsHandler, // 19
  deleteTopicsHandler, // 20
  deleteRecordsHandler, // 21
  initProducerIdHandler, // 22
  offsetForLeaderEpochHandler, // 23
  addPartitionsToTxnHandler, // 24
  addOffsetsToTxnHandler, // 25
  endTxnHandler, // 26
  writeTxnMarkersHandler, // 27
  txnOffsetCommitHandler, // 28
  describeAclsHandler, // 29
  createAclsHandler, // 30
  deleteAclsHandler, // 31
  describeConfigsHandler, // 32
  alterConfigsHandler, // 33
  alterReplicaLogDirsHandler, // 34
  describeLogDirsHandler, // 35
  saslAuthenticateHandler, // 36
  createPartitionsHandler, // 37
  deleteGroupsHandler, // 42
  electLeadersHandler, // 43
  incrementalAlterConfigsHandler, // 44
  alterPartitionReassignmentsHandler, // 45
  listPartitionReassignmentsHandler, // 46
  offsetDeleteHandler, // 47
  describeClientQuotasHandler, // 48
  alterClientQuotasHandler, // 49
  describeUserScramCredentialsHandler, // 50
  alterUserScramCredentialsHandler, // 51
  describeQuorumHandler, // 55
  updateFeaturesHandler, // 57
  describeClusterHandler, // 60
  describeProducersHandler, // 61
  unregisterBrokerHandler, // 64
  describeTransactionsHandler, // 65
  listTransactionsHandler, // 66
];

export function createDefaultRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of defaultHandlers) registry.register(h);
  return registry;
}
