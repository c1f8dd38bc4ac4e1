// DeleteGroups (API key 42), versions 0-2.
//
// Behaviour: deletes each listed group with its committed offsets (tombstones in
// __consumer_offsets). Only empty groups: NON_EMPTY_GROUP while it has members; GROUP_ID_NOT_FOUND
// for an unknown group; NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS by coordinator partition.
// Not implemented: authorization.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../server/handler-registry.ts';

export const deleteGroupsHandler: ApiHandler<typeof ApiKey.DeleteGroups> = {
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const results = await ctx.services.groupCoordinator.coordinator.deleteGroups(request.groupsNames);
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
};
