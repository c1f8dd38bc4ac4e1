// Kafka's AuthHelper.authorizedOperations: the operations a resource type supports
// (AclEntry.supportedOperations) that the request's principal may perform on one resource, as a
// 32-bit field with bit `operation id` set for each (Metadata's Topic/ClusterAuthorizedOperations,
// DescribeGroups' AuthorizedOperations, DescribeCluster's). Without an authorizer every supported
// operation is allowed. The authorizer decides implications (READ, WRITE, DELETE and ALTER imply
// DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS), so a bit is set for an implied operation too.
// Groups support READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS and ALTER_CONFIGS, as in Kafka 4.0 (its
// group configs: GROUP config resources, config-resources/group-config.ts).
import { AclOperation as Op, CLUSTER_NAME, ResourceType, type AclOperation } from '../../server/authorizer.ts';
import type { RequestContext } from '../../server/request-context.ts';

export const SUPPORTED_OPERATIONS: Readonly<Partial<Record<ResourceType, readonly AclOperation[]>>> = {
  [ResourceType.TOPIC]: [Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  [ResourceType.GROUP]: [Op.READ, Op.DESCRIBE, Op.DELETE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  [ResourceType.CLUSTER]: [Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [Op.DESCRIBE, Op.WRITE],
};

/** Kafka's "not requested" value of every AuthorizedOperations field (the schemas' default, Int.MinValue). */
export const AUTHORIZED_OPERATIONS_NOT_REQUESTED = -2147483648;

export function authorizedOperations(ctx: RequestContext, resourceType: ResourceType, name: string): number {
  let bits = 0;
  for (const op of SUPPORTED_OPERATIONS[resourceType] ?? []) if (ctx.authorize(op, resourceType, name)) bits |= 1 << op;
  return bits;
}

/**
 * The cluster's field as Metadata (v8-10) and DescribeCluster answer it: 0 unless the principal may
 * DESCRIBE the cluster (KafkaApis asks that first), else the cluster's authorized operations.
 */
export function clusterAuthorizedOperations(ctx: RequestContext): number {
  if (!ctx.authorize(Op.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return 0;
  return authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME);
}
