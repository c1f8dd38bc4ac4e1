// The default handler set: every API the broker serves, one module per API key. New handler
// modules are added to `defaultHandlers`.
import { apiVersionsHandler } from './api-versions.ts';
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
import { fetchHandler } from './fetch.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { produceHandler } from './produce.ts';
import { HandlerRegistry, type ApiHandler } from './registry.ts';

export const defaultHandlers: readonly ApiHandler[] = [
  produceHandler, fetchHandler, listOffsetsHandler, apiVersionsHandler, metadataHandler, createTopicsHandler,
  // Group coordinator APIs
  findCoordinatorHandler, joinGroupHandler, syncGroupHandler, heartbeatHandler, leaveGroupHandler, offsetCommitHandler, offsetFetchHandler, listGroupsHandler, describeGroupsHandler, deleteGroupsHandler, offsetDeleteHandler,
];

export function createDefaultRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of defaultHandlers) registry.register(h);
  return registry;
}
