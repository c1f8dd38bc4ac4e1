// The admin client's ACL operations (Kafka's AdminClient createAcls / describeAcls / deleteAcls),
// sent to any broker (the least loaded node, as Kafka's AdminClient does; brokers forward the
// changes to the controller). Enums travel as Kafka's ids and are given by name here:
// resource types TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN, USER; pattern types
// LITERAL, PREFIXED (filters also ANY, MATCH); operations ALL, READ, WRITE, ...; permissions
// ALLOW, DENY. A filter field left out matches anything. A binding or filter answered with an
// error (SECURITY_DISABLED, CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST) is thrown as a
// KafkaClientError naming it.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { AclBinding, AclBindingFilter, AclOperationName, AclPatternTypeName, AclResourceTypeName } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';

const RESOURCE_TYPES = ['UNKNOWN', 'ANY', 'TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'] as const;
const PATTERN_TYPES = ['UNKNOWN', 'ANY', 'MATCH', 'LITERAL', 'PREFIXED'] as const;
/** Kafka's AclOperation names, indexed by id (UNKNOWN 0, ANY 1, ALL 2, ...). */
export const ACL_OPERATIONS = [
  'UNKNOWN',
  'ANY',
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
  'CREATE_TOKENS',
  'DESCRIBE_TOKENS',
] as const;
const PERMISSIONS = ['UNKNOWN', 'ANY', 'DENY', 'ALLOW'] as const;

function idOf(names: readonly string[], name: string, what: string): number {
  const i = names.indexOf(name.toUpperCase());
  if (i < 0) throw new TypeError(`unknown ACL ${what} ${name}`);
  return i;
}
const nameOf = <T extends string>(names: readonly T[], id: number): T => names[id] ?? names[0]!;

function check(code: number, what: string, message: string | null): void {
  if (code === ErrorCode.NONE) return;
  const info = errorInfo(code);
  throw new KafkaClientError(`${what}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, { code });
}

const describeBinding = (b: AclBinding) =>
  `ACL (${b.resourceType}:${b.patternType}:${b.resourceName}, ${b.principal} ${b.permissionType} ${b.operation} from ${b.host})`;

function filterFields(f: AclBindingFilter) {
  return {
    resourceTypeFilter: idOf(RESOURCE_TYPES, f.resourceType ?? 'ANY', 'resource type'),
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: idOf(PATTERN_TYPES, f.patternType ?? 'ANY', 'pattern type'),
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: idOf(ACL_OPERATIONS, f.operation ?? 'ANY', 'operation'),
    permissionType: idOf(PERMISSIONS, f.permissionType ?? 'ANY', 'permission type'),
  };
}

function binding(
  resourceType: number,
  resourceName: string,
  patternType: number,
  a: { principal: string; host: string; operation: number; permissionType: number },
): Required<AclBinding> {
  return {
    resourceType: nameOf(RESOURCE_TYPES, resourceType) as AclResourceTypeName,
    resourceName,
    patternType: nameOf(PATTERN_TYPES, patternType) as AclPatternTypeName,
    principal: a.principal,
    host: a.host,
    operation: nameOf(ACL_OPERATIONS, a.operation) as AclOperationName,
    permissionType: nameOf(PERMISSIONS, a.permissionType) as 'ALLOW' | 'DENY',
  };
}

export async function createAcls(cluster: Cluster, bindings: AclBinding[]): Promise<void> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.CreateAcls, {
    creations: bindings.map((b) => ({
      resourceType: idOf(RESOURCE_TYPES, b.resourceType, 'resource type'),
      resourceName: b.resourceName,
      resourcePatternType: idOf(PATTERN_TYPES, b.patternType ?? 'LITERAL', 'pattern type'),
      principal: b.principal,
      host: b.host ?? '*',
      operation: idOf(ACL_OPERATIONS, b.operation, 'operation'),
      permissionType: idOf(PERMISSIONS, b.permissionType ?? 'ALLOW', 'permission type'),
    })),
  });
  for (const [i, x] of r.results.entries()) check(x.errorCode, `create ${describeBinding(bindings[i]!)}`, x.errorMessage);
}

export async function describeAcls(cluster: Cluster, filter: AclBindingFilter): Promise<Array<Required<AclBinding>>> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.DescribeAcls, filterFields(filter));
  check(r.errorCode, 'describe ACLs', r.errorMessage);
  return r.resources.flatMap((res) => res.acls.map((a) => binding(res.resourceType, res.resourceName, res.patternType, a)));
}

export async function deleteAcls(cluster: Cluster, filters: AclBindingFilter[]): Promise<Array<Required<AclBinding>>> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.DeleteAcls, { filters: filters.map(filterFields) });
  const out: Array<Required<AclBinding>> = [];
  for (const fr of r.filterResults) {
    check(fr.errorCode, 'delete ACLs', fr.errorMessage);
    for (const m of fr.matchingAcls) {
      check(m.errorCode, 'delete ACL', m.errorMessage);
      out.push(binding(m.resourceType, m.resourceName, m.patternType, m));
    }
  }
  return out;
}
