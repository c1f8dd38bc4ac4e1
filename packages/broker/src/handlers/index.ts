// The default handler set: every API the broker serves, one module per API key. New handler
// modules are added to `defaultHandlers`.
import { alterConfigsHandler } from './alter-configs.ts';
import { apiVersionsHandler } from './api-versions.ts';
import { createPartitionsHandler } from './create-partitions.ts';
import { findCoordinatorHandler } from './find-coordinator.ts';
import { joinGroupHandler } from './join-group.ts';
import { syncGroupHandler } from './sync-group.ts';
import { heartbeatHandler } from './heartbeat.ts';
import { leaveGroupHandler } from './leave-group.ts';
import { offsetCommitHandler } from './offset-commit.ts';
import { offsetFetchHandler } from './offset-fetch.ts';
import { listGroupsHandler } from './list-groups.ts';
import { describeGroupsHandler } from './describe-groups.ts';
import { deleteGroupsHandler } from './delete-groups.ts';
import { offsetDeleteHandler } from './offset-delete.ts';
import { createTopicsHandler } from './create-topics.ts';
import { deleteRecordsHandler } from './delete-records.ts';
import { deleteTopicsHandler } from './delete-topics.ts';
import { describeClusterHandler } from './describe-cluster.ts';
import { describeConfigsHandler } from './describe-configs.ts';
import { describeLogDirsHandler } from './describe-log-dirs.ts';
import { fetchHandler } from './fetch.ts';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.ts';
import { initProducerIdHandler } from './init-producer-id.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.ts';
import { produceHandler } from './produce.ts';
import { HandlerRegistry, type ApiHandler } from '../server/handler-registry.ts';

export const defaultHandlers: readonly ApiHandler[] = [
  produceHandler, fetchHandler, listOffsetsHandler, apiVersionsHandler, metadataHandler, createTopicsHandler, initProducerIdHandler,
  offsetForLeaderEpochHandler,
  // Group coordinator APIs
  findCoordinatorHandler, joinGroupHandler, syncGroupHandler, heartbeatHandler, leaveGroupHandler, offsetCommitHandler, offsetFetchHandler, listGroupsHandler, describeGroupsHandler, deleteGroupsHandler, offsetDeleteHandler,
];

/** The admin APIs (issue 4): topic deletion and growth, configs, records deletion, cluster and log dirs. */
export const adminHandlers: readonly ApiHandler[] = [
  deleteTopicsHandler, deleteRecordsHandler, describeConfigsHandler, alterConfigsHandler, describeLogDirsHandler,
  createPartitionsHandler, incrementalAlterConfigsHandler, describeClusterHandler,
];

export function createDefaultRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of [...defaultHandlers, ...adminHandlers]) registry.register(h);
  return registry;
}
