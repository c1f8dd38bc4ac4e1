// JoinGroup (API key 11), versions 0-9.
//
// Behaviour: delegates to the group coordinator, which parks the request until the group's
// rebalance completes (or answers at once with an error). v0 has no RebalanceTimeoutMs (the
// session timeout is used); GroupInstanceId (static membership) from v5; v4+ a first join without
// a member id gets MEMBER_ID_REQUIRED with the assigned id; v9 SkipAssignment. The member's client
// host is recorded in Kafka's "/<ip>" form. Below v7 ProtocolName is not nullable: a null name
// (error responses) is written as ''.
// Ordering: after the connection's earlier group membership requests answered (group-connection-order.ts).
// Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED.
// Not implemented: the new consumer group protocol (ConsumerGroupHeartbeat), quotas.
import { ApiKey, ErrorCode, type JoinGroupRequest } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ConnectionInfo } from '../server/connection.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { inGroupRequestOrder } from './group-connection-order.ts';

/** Kafka's form of a member's client host: InetAddress.toString() of the peer, e.g. "/127.0.0.1". */
function clientHostOf(connection: ConnectionInfo): string {
  const addr = connection.remoteAddress.startsWith('::ffff:') ? connection.remoteAddress.slice(7) : connection.remoteAddress;
  return `/${addr}`;
}

/** Kafka's JoinGroupRequest.getErrorResponse: unknown generation and member, no protocol ('' below v7). */
function joinGroupError(_request: JoinGroupRequest, errorCode: number, version: number) {
  return { throttleTimeMs: 0, errorCode, generationId: -1, protocolName: version >= 7 ? null : '', leader: '', memberId: '', members: [] };
}

export const joinGroupHandler: ApiHandler<typeof ApiKey.JoinGroup> = {
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request) {
    return inGroupRequestOrder(ctx.connection, async () => {
      const version = ctx.header.apiVersion;
      if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, request.groupId)) {
        return joinGroupError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED, version);
      }
      const result = await ctx.services.groupCoordinator.coordinator.joinGroup({
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: version >= 5 ? request.groupInstanceId : null,
        protocolType: request.protocolType,
        protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : -1,
        clientId: ctx.header.clientId ?? '',
        clientHost: clientHostOf(ctx.connection),
        apiVersion: version,
        reason: request.reason,
      });
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        generationId: result.generationId,
        protocolType: result.protocolType,
        protocolName: version < 7 ? (result.protocolName ?? '') : result.protocolName,
        leader: result.leader,
        skipAssignment: result.skipAssignment,
        memberId: result.memberId,
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
      };
    });
  },
  errorResponse: joinGroupError,
};
