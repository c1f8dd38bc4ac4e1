// Kafka's ACL model (org.apache.kafka.common.acl / .resource): an AclBinding is a resource pattern
// (resource type, name, pattern type LITERAL or PREFIXED) with an access control entry (principal
// "Type:name", host, operation, permission ALLOW or DENY); a StandardAcl is one stored in the
// cluster metadata under a Uuid (AccessControlEntryRecord). A filter (AclBindingFilter) selects
// bindings for DescribeAcls / DeleteAcls: ANY matches every value of a field, a null string any
// name/principal/host, and pattern type MATCH selects the patterns that would apply to a resource
// of that name (the literal name, the literal wildcard "*", every prefix) — Kafka's
// ResourcePatternFilter.matches and AccessControlEntryFilter.matches.
//
// Ids are Kafka's: UNKNOWN 0 and ANY 1 in every enum. Operation and resource type ids are those of
// the broker's authorizer.ts (AclOperation, ResourceType); only the values this layer checks are
// named here.

/** Kafka's PatternType. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

/** Kafka's AclPermissionType. */
export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type AclPermissionType = (typeof AclPermissionType)[keyof typeof AclPermissionType];

/** ResourceType / AclOperation ids this layer needs (UNKNOWN and ANY are 0 and 1 in every enum). */
export const ACL_UNKNOWN = 0;
export const ACL_ANY = 1;
const RESOURCE_TYPE_CLUSTER = 4;
/** The highest ResourceType (USER 7) and AclOperation (DESCRIBE_TOKENS 14) ids Kafka knows. */
const MAX_RESOURCE_TYPE = 7;
const MAX_OPERATION = 14;

/** The resource name matching every resource of its type (Kafka's ResourcePattern.WILDCARD_RESOURCE). */
export const WILDCARD_RESOURCE = '*';
/** The principal matching every user (Kafka's Acl.WILDCARD_PRINCIPAL_STRING). */
export const WILDCARD_PRINCIPAL = 'User:*';
/** The host matching every host (Kafka's Acl.WILDCARD_HOST). */
export const WILDCARD_HOST = '*';
/** The one CLUSTER resource's name. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** An ACL as stored in the metadata (Kafka's StandardAcl with its id: StandardAclWithId). */
export interface StandardAcl extends AclBinding {
  readonly id: string;
}

export interface AclBindingFilter {
  resourceType: number;
  /** null: any name. */
  resourceName: string | null;
  patternType: number;
  /** null: any principal. */
  principal: string | null;
  /** null: any host. */
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Whether `acl` is selected by `filter` (Kafka's AclBindingFilter.matches). */
export function aclMatchesFilter(acl: AclBinding, filter: AclBindingFilter): boolean {
  return patternMatchesFilter(acl, filter) && entryMatchesFilter(acl, filter);
}

function patternMatchesFilter(acl: AclBinding, f: AclBindingFilter): boolean {
  if (f.resourceType !== ACL_ANY && f.resourceType !== acl.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== acl.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType === PatternType.ANY || f.patternType === acl.patternType) return f.resourceName === acl.resourceName;
  // MATCH: the patterns that apply to a resource named f.resourceName
  if (acl.patternType === PatternType.LITERAL) return acl.resourceName === f.resourceName || acl.resourceName === WILDCARD_RESOURCE;
  if (acl.patternType === PatternType.PREFIXED) return f.resourceName.startsWith(acl.resourceName);
  return false;
}

function entryMatchesFilter(acl: AclBinding, f: AclBindingFilter): boolean {
  if (f.principal !== null && f.principal !== acl.principal) return false;
  if (f.host !== null && f.host !== acl.host) return false;
  if (f.operation !== ACL_ANY && f.operation !== acl.operation) return false;
  return f.permissionType === AclPermissionType.ANY || f.permissionType === acl.permissionType;
}

/** Whether two bindings are the same ACL (ids aside). */
export function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}

/** Kafka's KafkaPrincipal parsing: "Type:name"; null when there is no colon. */
export function parsePrincipal(s: string): { type: string; name: string } | null {
  const i = s.indexOf(':');
  if (i < 0) return null;
  return { type: s.slice(0, i), name: s.slice(i + 1) };
}

/**
 * Why a binding cannot be created, or null (Kafka's AclControlManager.validateNewAcl with the
 * broker's checks of AclApis.createAcls); the caller answers INVALID_REQUEST with it.
 */
export function invalidNewAcl(b: AclBinding): string | null {
  if (b.resourceType <= ACL_ANY || b.resourceType > MAX_RESOURCE_TYPE) return `Invalid resourceType ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid patternType ${b.patternType}`;
  if (b.operation <= ACL_ANY || b.operation > MAX_OPERATION) return `Invalid operation ${b.operation}`;
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY)
    return `Invalid permissionType ${b.permissionType}`;
  if (b.resourceName === '') return 'Invalid empty resource name specified';
  if (b.resourceType === RESOURCE_TYPE_CLUSTER && b.resourceName !== CLUSTER_RESOURCE_NAME)
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  if (parsePrincipal(b.principal) === null)
    return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  return null;
}

/** Why a filter cannot select ACLs to delete, or null (Kafka's AclControlManager.validateFilter). */
export function invalidAclFilter(f: AclBindingFilter): string | null {
  if (f.patternType === PatternType.UNKNOWN) return 'Unknown patternFilter.';
  if (f.resourceType === ACL_UNKNOWN) return 'Unknown resourceFilter.';
  if (f.operation === ACL_UNKNOWN) return 'Unknown operation type.';
  if (f.permissionType === AclPermissionType.UNKNOWN) return 'Unknown permission type.';
  return null;
}
