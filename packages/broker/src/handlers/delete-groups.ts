// DeleteGroups (API key 42), versions 0-2.
//
// Behaviour: deletes each listed group with its committed offsets (tombstones in
// __consumer_offsets). Only empty groups: NON_EMPTY_GROUP while it has members; GROUP_ID_NOT_FOUND
// for an unknown group; NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS by coordinator partition.
// Authorization: DELETE on each group, else GROUP_AUTHORIZATION_FAILED for it.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const deleteGroupsHandler: ApiHandler<typeof ApiKey.DeleteGroups> = {
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const allowed = request.groupsNames.map((groupId) => ctx.authorize(AclOperation.DELETE, ResourceType.GROUP, groupId));
    const deleted = await ctx.services.groupCoordinator.coordinator.deleteGroups(request.groupsNames.filter((_, i) => allowed[i]));
    let next = 0;
    const results = request.groupsNames.map((groupId, i) =>
      allowed[i] ? deleted[next++]! : { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
    );
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
};
