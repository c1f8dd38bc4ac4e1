// SyncGroup (API key 14), versions 0-5.
//
// Behaviour: delegates to the group coordinator. The leader's SyncGroup carries the assignment of
// every member; followers' requests are parked until it arrives, then each member gets its own
// assignment. GroupInstanceId from v3; ProtocolType/ProtocolName checked against the group from v5
// (INCONSISTENT_GROUP_PROTOCOL on mismatch) and answered from v5.
// Ordering: after the connection's earlier group membership requests answered (group-connection-order.ts).
// Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED.
// Not implemented: quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { inGroupRequestOrder } from './group-connection-order.ts';

const syncGroupError = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) });

export const syncGroupHandler: ApiHandler<typeof ApiKey.SyncGroup> = {
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    return inGroupRequestOrder(ctx.connection, async () => {
      if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, request.groupId))
        return syncGroupError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      const version = ctx.header.apiVersion;
      const result = await ctx.services.groupCoordinator.coordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: version >= 3 ? request.groupInstanceId : null,
        protocolType: version >= 5 ? request.protocolType : null,
        protocolName: version >= 5 ? request.protocolName : null,
        assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      });
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        protocolType: result.protocolType,
        protocolName: result.protocolName,
        assignment: result.assignment,
      };
    });
  },
  errorResponse: (_request, errorCode) => syncGroupError(errorCode),
};
