// DescribeClientQuotas (API key 48), versions 0-1.
//
// Behaviour (Kafka's KafkaApis.handleDescribeClientQuotas over ClientQuotasImage.describe): the
// client quotas of the cluster metadata matching the filter: components per entity type (`user`,
// `client-id`, `ip`) with match type EXACT (0, the entity named `match`), DEFAULT (1, the default
// entity) or SPECIFIED (2, any entity of that type); `strict` keeps only entities with exactly the
// filtered types. Each entry: the entity (type, name; null = default) and its quota values.
// A bad filter is a top-level error with Kafka's message: INVALID_REQUEST, or UNSUPPORTED_VERSION
// for an unknown entity type (entries null).
// Authorization: DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
// The image is this broker's: a quota altered through another broker shows once its metadata arrived.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import { entityList } from '@tributary/metadata';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const describeClientQuotasHandler: ApiHandler<typeof ApiKey.DescribeClientQuotas> = {
  apiKey: ApiKey.DescribeClientQuotas,
  name: 'DescribeClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode: code, errorMessage: errorInfo(code).message, entries: null };
    }
    const result = ctx.services.metadata.image.clientQuotas.describe(request.components, request.strict);
    if (!('entries' in result)) return { throttleTimeMs: 0, errorCode: result.errorCode, errorMessage: result.errorMessage, entries: null };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      entries: result.entries.map((e) => ({
        entity: entityList(e.entity),
        values: [...e.quotas].map(([key, value]) => ({ key, value })),
      })),
    };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: errorInfo(errorCode).message, entries: null }),
};
