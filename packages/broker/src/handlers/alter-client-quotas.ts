// AlterClientQuotas (API key 49), versions 0-1.
//
// Behaviour (Kafka's ControllerApis.handleAlterClientQuotas over ClientQuotaControlManager): each
// entry names an entity (`user`, `client-id`, both, or `ip`; a null name is that type's default
// entity) and ops: set a key to a value, or remove it (`remove`). The controller writes
// ClientQuotaRecords for what changes, so quotas are durable, replicated with the cluster metadata
// and reach every broker (enforcement: quota/). Per entry INVALID_REQUEST with Kafka's messages:
// unknown entity type, empty name, a bad combination, an unknown key ("Invalid configuration key
// x"), a fractional byte rate ("Configuration producer_byte_rate must be a Long value"), a key or
// an entity given twice (packages/metadata controller/client-quota-control.ts). ValidateOnly
// checks and writes nothing. Results in request order, each with its entity as given.
// Authorization: ALTER_CONFIGS on the cluster, else every entry CLUSTER_AUTHORIZATION_FAILED.
import { ApiKey, ErrorCode, errorInfo, type AlterClientQuotasRequest } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

function everyEntry(request: AlterClientQuotasRequest, errorCode: number) {
  return {
    throttleTimeMs: 0,
    entries: request.entries.map((e) => ({ errorCode, errorMessage: errorInfo(errorCode).message, entity: e.entity })),
  };
}

export const alterClientQuotasHandler: ApiHandler<typeof ApiKey.AlterClientQuotas> = {
  apiKey: ApiKey.AlterClientQuotas,
  name: 'AlterClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return everyEntry(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    const s = ctx.services;
    const alterations = request.entries.map((e) => ({
      entity: e.entity,
      ops: e.ops.map((o) => ({ key: o.key, value: o.remove ? null : o.value })),
    }));
    const results = await s.controller.alterClientQuotas(alterations, { validateOnly: request.validateOnly });
    if (!request.validateOnly && results.some((r) => r.errorCode === ErrorCode.NONE)) {
      s.log.info('client quotas altered', { entries: alterations.filter((_, i) => results[i]?.errorCode === ErrorCode.NONE) });
    }
    return {
      throttleTimeMs: 0,
      entries: results.map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage, entity: r.entity })),
    };
  },
  errorResponse: (request, errorCode) => everyEntry(request, errorCode),
};
