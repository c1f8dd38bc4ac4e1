// AclIndex: the ACLs of an AclsImage arranged for the authorizer's per-request lookups (Kafka's
// StandardAuthorizerData keeps them sorted by resource pattern for the same reason): per resource
// type, LITERAL ACLs by exact name (the wildcard "*" is one of those names) and PREFIXED ACLs by
// prefix. `matching(type, name)` yields every ACL whose pattern applies to the resource: literal
// name, literal "*", and each prefixed pattern the name starts with — looking each prefix of the
// name up when that is cheaper than walking the prefixed patterns. Built once per image change.
import { PatternType, WILDCARD_RESOURCE, type AclsImage, type StandardAcl } from '@tributary/metadata';

interface TypeIndex {
  literal: Map<string, StandardAcl[]>;
  prefixed: Map<string, StandardAcl[]>;
}

const NONE: readonly StandardAcl[] = [];

export class AclIndex {
  private readonly byType = new Map<number, TypeIndex>();

  constructor(readonly image: AclsImage) {
    for (const acl of image.acls.values()) {
      let t = this.byType.get(acl.resourceType);
      if (!t) {
        t = { literal: new Map(), prefixed: new Map() };
        this.byType.set(acl.resourceType, t);
      }
      const m = acl.patternType === PatternType.PREFIXED ? t.prefixed : t.literal;
      const list = m.get(acl.resourceName);
      if (list) list.push(acl);
      else m.set(acl.resourceName, [acl]);
    }
  }

  /** Whether any ACL exists for this resource type. */
  hasType(resourceType: number): boolean {
    return this.byType.has(resourceType);
  }

  /** Every ACL of the type (for authorizeByResourceType). */
  *ofType(resourceType: number): Generator<StandardAcl> {
    const t = this.byType.get(resourceType);
    if (!t) return;
    for (const list of t.literal.values()) yield* list;
    for (const list of t.prefixed.values()) yield* list;
  }

  /** The ACLs whose resource pattern applies to the resource `name` of `resourceType`. */
  *matching(resourceType: number, name: string): Generator<StandardAcl> {
    const t = this.byType.get(resourceType);
    if (!t) return;
    yield* t.literal.get(name) ?? NONE;
    if (name !== WILDCARD_RESOURCE) yield* t.literal.get(WILDCARD_RESOURCE) ?? NONE;
    if (t.prefixed.size === 0) return;
    if (t.prefixed.size <= name.length) {
      for (const [prefix, list] of t.prefixed) if (name.startsWith(prefix)) yield* list;
    } else {
      for (let i = 1; i <= name.length; i++) yield* t.prefixed.get(name.slice(0, i)) ?? NONE;
    }
  }
}
