// StandardAuthorizer: Kafka's ACL authorizer (org.apache.kafka.metadata.authorizer.StandardAuthorizer,
// the KRaft successor of kafka.security.authorizer.AclAuthorizer) over the ACLs of the cluster
// metadata image. A request is allowed when:
//   - its principal is one of `super.users` (exact "Type:name" strings); else
//   - no ACL that applies to it DENYs, and one ALLOWs. An ACL applies when its resource pattern
//     covers the resource (LITERAL name, LITERAL "*", or a PREFIXED pattern the name starts with),
//     its principal is the request's or the wildcard "User:*", its host is the client's address or
//     "*", and its operation is the one asked, or ALL, or — for ALLOW ACLs only — one implying it:
//     READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS;
//   - when no ACL at all exists for the resource (whoever it names), `allow.everyone.if.no.acl.found`
//     decides (default false: denied).
// authorizeByResourceType (Kafka's Authorizer.authorizeByResourceType, used for InitProducerId
// without a transactional id): allowed when some ALLOW ACL of that resource type for the principal
// (operation or ALL) is not covered by a DENY (a DENY on literal "*" denies all; a DENY literal of
// the same name or a DENY prefix of the allowed name covers it); with no ACL of that type at all,
// `allow.everyone.if.no.acl.found` decides.
//
// Not done: Kafka's authorizer-specific audit log lines; `allow.everyone.if.no.acl.found` is not
// consulted by authorizeByResourceType in every Kafka version (here it is, as AclAuthorizer did).
import {
  AclPermissionType,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AclsImage,
  type StandardAcl,
} from '@tributary/metadata';
import { AclOperation, type AuthorizableRequestContext, type Authorizer, type ResourceType } from '../../server/authorizer.ts';
import { AclIndex } from './acl-index.ts';

export interface StandardAuthorizerOptions {
  /** super.users: principals ("User:alice") allowed everything. */
  superUsers: readonly string[];
  /** allow.everyone.if.no.acl.found. */
  allowEveryoneIfNoAclFound: boolean;
  /** The current ACLs (the metadata image's). */
  acls: () => AclsImage;
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

/** The client's address as Kafka compares it with an ACL's host (an IPv4-mapped IPv6 address as IPv4). */
export function hostOf(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
}

export class StandardAuthorizer implements Authorizer {
  private readonly superUsers: ReadonlySet<string>;
  private index: AclIndex | null = null;

  constructor(private readonly options: StandardAuthorizerOptions) {
    this.superUsers = new Set(options.superUsers);
  }

  private currentIndex(): AclIndex {
    const image = this.options.acls();
    if (this.index?.image !== image) this.index = new AclIndex(image);
    return this.index;
  }

  authorize(request: AuthorizableRequestContext, operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean {
    const p = request.connection.principal;
    const principal = `${p.type}:${p.name}`;
    if (this.superUsers.has(principal)) return true;
    const host = hostOf(request.connection.remoteAddress);
    let found = false;
    let allowed = false;
    for (const acl of this.currentIndex().matching(resourceType, resourceName)) {
      found = true;
      if (!appliesTo(acl, principal, host)) continue;
      if (!operationMatches(acl, operation)) continue;
      if (acl.permissionType === AclPermissionType.DENY) return false;
      allowed = true;
    }
    return allowed || (!found && this.options.allowEveryoneIfNoAclFound);
  }

  authorizeByResourceType(request: AuthorizableRequestContext, operation: AclOperation, resourceType: ResourceType): boolean {
    const p = request.connection.principal;
    const principal = `${p.type}:${p.name}`;
    if (this.superUsers.has(principal)) return true;
    const host = hostOf(request.connection.remoteAddress);
    const index = this.currentIndex();
    if (!index.hasType(resourceType)) return this.options.allowEveryoneIfNoAclFound;
    const deny = { literal: new Set<string>(), prefixed: [] as string[] };
    const allow: StandardAcl[] = [];
    for (const acl of index.ofType(resourceType)) {
      if (!appliesTo(acl, principal, host)) continue;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) continue;
      if (acl.permissionType === AclPermissionType.ALLOW) allow.push(acl);
      else if (acl.patternType === PatternType.PREFIXED) deny.prefixed.push(acl.resourceName);
      else deny.literal.add(acl.resourceName);
    }
    if (deny.literal.has(WILDCARD_RESOURCE)) return false;
    return allow.some(
      (a) =>
        !deny.prefixed.some((d) => a.resourceName.startsWith(d)) &&
        !(a.patternType === PatternType.LITERAL && deny.literal.has(a.resourceName)),
    );
  }
}

function appliesTo(acl: StandardAcl, principal: string, host: string): boolean {
  if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return false;
  return acl.host === WILDCARD_HOST || acl.host === host;
}

function operationMatches(acl: StandardAcl, operation: number): boolean {
  if (acl.operation === AclOperation.ALL || acl.operation === operation) return true;
  if (acl.permissionType !== AclPermissionType.ALLOW) return false;
  if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}
