// ListGroups (API key 16), versions 0-5.
//
// Behaviour: every group of every __consumer_offsets partition this broker coordinates, with its
// ProtocolType, state (v4+) and type (v5+, 'classic'). v4+ StatesFilter and v5+ TypesFilter
// (case-insensitive, empty = all). COORDINATOR_LOAD_IN_PROGRESS while a partition is loading.
// Authorization: DESCRIBE on the cluster lists every group; otherwise only the groups with DESCRIBE.
// Not implemented: consumer/share group types.
import { ApiKey } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const listGroupsHandler: ApiHandler<typeof ApiKey.ListGroups> = {
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const result = await ctx.services.groupCoordinator.coordinator.listGroups({
      statesFilter: version >= 4 ? request.statesFilter : [],
      typesFilter: version >= 5 ? request.typesFilter : [],
    });
    // DESCRIBE on the cluster lists every group; otherwise only the groups the principal may describe.
    const groups = ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)
      ? result.groups
      : result.groups.filter((g) => ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId));
    return { throttleTimeMs: 0, errorCode: result.errorCode, groups };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
};
