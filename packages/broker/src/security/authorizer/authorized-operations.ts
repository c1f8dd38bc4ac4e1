// Kafka's AuthHelper.authorizedOperations: the operations a resource type supports
// (AclEntry.supportedOperations) that the request's principal may perform on one resource, as a
// 32-bit field with bit `operation id` set for each (Metadata's Topic/ClusterAuthorizedOperations,
// DescribeGroups' AuthorizedOperations, DescribeCluster's). Without an authorizer every supported
// operation is allowed.
import { AclOperation as Op, ResourceType, type AclOperation } from '../../server/authorizer.ts';
import type { RequestContext } from '../../server/request-context.ts';

export const SUPPORTED_OPERATIONS: Readonly<Partial<Record<ResourceType, readonly AclOperation[]>>> = {
  [ResourceType.TOPIC]: [Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  [ResourceType.GROUP]: [Op.READ, Op.DESCRIBE, Op.DELETE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  [ResourceType.CLUSTER]: [Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [Op.DESCRIBE, Op.WRITE],
};

export function authorizedOperations(ctx: RequestContext, resourceType: ResourceType, name: string): number {
  let bits = 0;
  for (const op of SUPPORTED_OPERATIONS[resourceType] ?? []) if (ctx.authorize(op, resourceType, name)) bits |= 1 << op;
  return bits;
}
