// JoinGroup (API key 11), versions 0-9.
//
// Behaviour: delegates to the group coordinator, which parks the request until the group's
// rebalance completes (or answers at once with an error). v0 has no RebalanceTimeoutMs (the
// session timeout is used); GroupInstanceId (static membership) from v5; v4+ a first join without
// a member id gets MEMBER_ID_REQUIRED with the assigned id; v9 SkipAssignment. The member's client
// host is recorded in Kafka's "/<ip>" form. Below v7 ProtocolName is not nullable: a null name
// (error responses) is written as ''.
// Not implemented: the new consumer group protocol (ConsumerGroupHeartbeat), authorization, quotas.
import { ApiKey } from '@tributary/protocol';
import { clientHostOf } from './group-common.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const joinGroupHandler: ApiHandler<typeof ApiKey.JoinGroup> = {
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
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
  },
};
