// DescribeAcls (API key 29).
//
// Versions: 0-3 (v0 has no pattern type filter: LITERAL).
//
// Behaviour (Kafka's AclApis.handleDescribeAcls over the StandardAuthorizer):
// * No authorizer configured: SECURITY_DISABLED ("No Authorizer is configured.").
// * DESCRIBE on the CLUSTER is required, else CLUSTER_AUTHORIZATION_FAILED.
// * A filter with an UNKNOWN element (resource type, pattern type, operation, permission) is
//   INVALID_REQUEST.
// * Answers the ACLs of this broker's metadata image the filter matches (ANY, MATCH, LITERAL,
//   PREFIXED; null name, principal or host match any), grouped by resource pattern (type, name,
//   pattern type) in the order first met.
import { aclMatchesFilter, invalidAclFilter, type StandardAcl } from '@tributary/metadata';
import { ApiKey, ErrorCode, type DescribeAclsResponseDescribeAclsResource } from '@tributary/protocol';
import { authorizerConfigured } from '../security/authorizer/authorizer-config.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { SECURITY_DISABLED_MESSAGE } from './create-acls.ts';

const error = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });

export const describeAclsHandler: ApiHandler<typeof ApiKey.DescribeAcls> = {
  apiKey: ApiKey.DescribeAcls,
  name: 'DescribeAcls',
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    if (!authorizerConfigured(ctx.services.config)) return error(ErrorCode.SECURITY_DISABLED, SECURITY_DISABLED_MESSAGE);
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME))
      return error(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    };
    const invalid = invalidAclFilter(filter);
    if (invalid !== null) return error(ErrorCode.INVALID_REQUEST, invalid);
    const byPattern = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const acl of ctx.services.metadata.image.acls.acls.values()) {
      if (!aclMatchesFilter(acl, filter)) continue;
      resourceOf(byPattern, acl).acls.push({
        principal: acl.principal,
        host: acl.host,
        operation: acl.operation,
        permissionType: acl.permissionType,
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...byPattern.values()] };
  },
  errorResponse: (_request, errorCode) => error(errorCode, null),
};

function resourceOf(m: Map<string, DescribeAclsResponseDescribeAclsResource>, acl: StandardAcl): DescribeAclsResponseDescribeAclsResource {
  const key = `${acl.resourceType}:${acl.patternType}:${acl.resourceName}`;
  let r = m.get(key);
  if (!r) {
    r = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: [] };
    m.set(key, r);
  }
  return r;
}
