// DescribeGroups (API key 15), versions 0-5.
//
// Behaviour: per group: state, protocol type, selected protocol and members (id, instance id v4+,
// client id, client host, metadata, assignment) — metadata and assignment only in Stable state, as
// in Kafka. An unknown group is answered as Dead with no members and NONE; a group coordinated
// elsewhere or still loading gets NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
// Authorization: DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it.
// IncludeAuthorizedOperations (v3+): each group described without error (an unknown, Dead group
// included) gets its allowed operations as a bit field (Kafka's AuthHelper.authorizedOperations:
// READ, DESCRIBE, DELETE); groups with an error, and requests that do not ask, keep -2147483648.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import { authorizedOperations } from '../security/authorizer/authorized-operations.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** Kafka's DescribeGroupsResponse.groupError: unknown state, protocol type and protocol, no members. */
const groupError = (groupId: string, errorCode: number) => ({
  groupId,
  errorCode,
  groupState: '',
  protocolType: '',
  protocolData: '',
  members: [],
});

export const describeGroupsHandler: ApiHandler<typeof ApiKey.DescribeGroups> = {
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const allowed = request.groups.map((groupId) => ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, groupId));
    const described = await ctx.services.groupCoordinator.coordinator.describeGroups(request.groups.filter((_, i) => allowed[i]));
    let next = 0;
    const groups = request.groups.map((groupId, i) => {
      if (!allowed[i]) return groupError(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED);
      const g = described[next++]!;
      return ctx.header.apiVersion >= 3 && request.includeAuthorizedOperations && g.errorCode === ErrorCode.NONE
        ? { ...g, authorizedOperations: authorizedOperations(ctx, ResourceType.GROUP, groupId) }
        : g;
    });
    return { throttleTimeMs: 0, groups };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((groupId) => groupError(groupId, errorCode)) }),
};
