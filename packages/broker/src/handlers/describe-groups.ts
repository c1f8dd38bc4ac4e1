// DescribeGroups (API key 15), versions 0-5.
//
// Behaviour: per group: state, protocol type, selected protocol and members (id, instance id v4+,
// client id, client host, metadata, assignment) — metadata and assignment only in Stable state, as
// in Kafka. An unknown group is answered as Dead with no members and NONE; a group coordinated
// elsewhere or still loading gets NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
// Not implemented: AuthorizedOperations (v3+, left at its "not requested" default).
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../server/handler-registry.ts';

export const describeGroupsHandler: ApiHandler<typeof ApiKey.DescribeGroups> = {
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const groups = await ctx.services.groupCoordinator.coordinator.describeGroups(request.groups);
    return { throttleTimeMs: 0, groups };
  },
  // Kafka's DescribeGroupsResponse.groupError: unknown state, protocol type and protocol, no members.
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => ({ groupId, errorCode, groupState: '', protocolType: '', protocolData: '', members: [] })),
  }),
};
