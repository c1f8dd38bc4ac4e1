// Heartbeat (API key 12), versions 0-4.
//
// Behaviour: delegates to the group coordinator: keeps the member's session alive and tells it
// about a rebalance (REBALANCE_IN_PROGRESS), a stale generation (ILLEGAL_GENERATION), an unknown
// member (UNKNOWN_MEMBER_ID) or a fenced static member (FENCED_INSTANCE_ID, v3+). While the
// coordinator partition is loading the answer is NONE, as in Kafka.
// Ordering: after the connection's earlier group membership requests answered (group-connection-order.ts).
// Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED.
// Not implemented: quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { inGroupRequestOrder } from './group-connection-order.ts';

const heartbeatError = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });

export const heartbeatHandler: ApiHandler<typeof ApiKey.Heartbeat> = {
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    return inGroupRequestOrder(ctx.connection, async () => {
      if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, request.groupId))
        return heartbeatError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      const result = await ctx.services.groupCoordinator.coordinator.heartbeat({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: ctx.header.apiVersion >= 3 ? request.groupInstanceId : null,
      });
      return { throttleTimeMs: 0, errorCode: result.errorCode };
    });
  },
  errorResponse: (_request, errorCode) => heartbeatError(errorCode),
};
