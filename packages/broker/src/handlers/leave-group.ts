// LeaveGroup (API key 13), versions 0-5.
//
// Behaviour: delegates to the group coordinator, which removes the members and rebalances the
// group. v0-2 name one member (MemberId) and its result is the top-level ErrorCode; v3+ batch
// members by MemberId or GroupInstanceId (static members) with a result per member; v5 a Reason
// per member.
// Ordering: after the connection's earlier group membership requests answered (group-connection-order.ts).
// Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED (top level).
// Not implemented: quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { inGroupRequestOrder } from './group-connection-order.ts';

const leaveGroupError = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, members: [] });

export const leaveGroupHandler: ApiHandler<typeof ApiKey.LeaveGroup> = {
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    return inGroupRequestOrder(ctx.connection, async () => {
      if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, request.groupId)) {
        return leaveGroupError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }
      const batched = ctx.header.apiVersion >= 3;
      const members = batched
        ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
        : [{ memberId: request.memberId, groupInstanceId: null }];
      const result = await ctx.services.groupCoordinator.coordinator.leaveGroup({ groupId: request.groupId, members });
      if (batched) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
      return { throttleTimeMs: 0, errorCode: result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0) };
    });
  },
  errorResponse: (_request, errorCode) => leaveGroupError(errorCode),
};
