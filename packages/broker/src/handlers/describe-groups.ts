// DescribeGroups (API key 15), versions 0-5.
//
// Behaviour: per group: state, protocol type, selected protocol and members (id, instance id v4+,
// client id, client host, metadata, assignment) — metadata and assignment only in Stable state, as
// in Kafka. An unknown group is answered as Dead with no members and NONE; a group coordinated
// elsewhere or still loading gets NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
// Authorization: DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it.
// Not implemented: AuthorizedOperations (v3+, left at its "not requested" default).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
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
    const groups = request.groups.map((groupId, i) =>
      allowed[i] ? described[next++]! : groupError(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED),
    );
    return { throttleTimeMs: 0, groups };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((groupId) => groupError(groupId, errorCode)) }),
};
