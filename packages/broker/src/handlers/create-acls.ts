// CreateAcls (API key 30).
//
// Versions: 0-3 (v0 has no pattern type: LITERAL).
//
// Behaviour (Kafka's AclApis.handleCreateAcls over the StandardAuthorizer):
// * No authorizer configured (authorizer.class.name empty): every result SECURITY_DISABLED
//   ("No Authorizer is configured.").
// * ALTER on the CLUSTER is required, else every result CLUSTER_AUTHORIZATION_FAILED.
// * The bindings go to the controller, which validates each (INVALID_REQUEST with Kafka's message:
//   pattern type must be LITERAL or PREFIXED, no ANY/UNKNOWN operation, permission or resource
//   type, a non-empty name, "kafka-cluster" for CLUSTER, a "Type:name" principal) and writes the
//   new ones as AccessControlEntryRecords (an existing binding succeeds unchanged). The response
//   is sent once the records are committed. Results in request order.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { authorizerConfigured } from '../security/authorizer/authorizer-config.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const SECURITY_DISABLED_MESSAGE = 'No Authorizer is configured.';

export const createAclsHandler: ApiHandler<typeof ApiKey.CreateAcls> = {
  apiKey: ApiKey.CreateAcls,
  name: 'CreateAcls',
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const fail = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      results: request.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!authorizerConfigured(ctx.services.config)) return fail(ErrorCode.SECURITY_DISABLED, SECURITY_DISABLED_MESSAGE);
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const results = await ctx.services.controller.createAcls(
      request.creations.map((c) => ({
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: c.resourcePatternType,
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      })),
    );
    const created = request.creations.filter((_, i) => results[i]?.errorCode === ErrorCode.NONE);
    if (created.length > 0) ctx.services.log.info('ACLs created', { count: created.length });
    return { throttleTimeMs: 0, results: results.map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage })) };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.creations.map(() => ({ errorCode, errorMessage: null })),
  }),
};
