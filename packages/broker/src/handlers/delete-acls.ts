// DeleteAcls (API key 31).
//
// Versions: 0-3 (v0 filters have no pattern type: LITERAL).
//
// Behaviour (Kafka's AclApis.handleDeleteAcls over the StandardAuthorizer):
// * No authorizer configured: every filter result SECURITY_DISABLED ("No Authorizer is configured.").
// * ALTER on the CLUSTER is required, else every filter result CLUSTER_AUTHORIZATION_FAILED.
// * The filters go to the controller: each is validated (an UNKNOWN pattern type, resource type,
//   operation or permission is INVALID_REQUEST), and every stored ACL it matches (ANY, MATCH,
//   LITERAL, PREFIXED; null name, principal or host match any) is removed with a
//   RemoveAccessControlEntryRecord and listed in that filter's result. Answered once committed.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { authorizerConfigured } from '../security/authorizer/authorizer-config.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { SECURITY_DISABLED_MESSAGE } from './create-acls.ts';

export const deleteAclsHandler: ApiHandler<typeof ApiKey.DeleteAcls> = {
  apiKey: ApiKey.DeleteAcls,
  name: 'DeleteAcls',
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const fail = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!authorizerConfigured(ctx.services.config)) return fail(ErrorCode.SECURITY_DISABLED, SECURITY_DISABLED_MESSAGE);
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const results = await ctx.services.controller.deleteAcls(
      request.filters.map((f) => ({
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: f.patternTypeFilter,
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      })),
    );
    const removed = results.reduce((n, r) => n + r.matchingAcls.length, 0);
    if (removed > 0) ctx.services.log.info('ACLs deleted', { count: removed });
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        matchingAcls: r.matchingAcls.map((a) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: a.resourceType,
          resourceName: a.resourceName,
          patternType: a.patternType,
          principal: a.principal,
          host: a.host,
          operation: a.operation,
          permissionType: a.permissionType,
        })),
      })),
    };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    filterResults: request.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })),
  }),
};
