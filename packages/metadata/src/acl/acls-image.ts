// AclsImage: the ACLs of the cluster metadata by id (Kafka's org.apache.kafka.image.AclsImage),
// replayed from AccessControlEntryRecord (adds, or replaces the ACL with that id) and
// RemoveAccessControlEntryRecord (removes it; an unknown id is an error, as Kafka's AclsDelta
// throws). Immutable: a delta applies into a new image, and an unchanged image stays the same
// object (the authorizer rebuilds its index only when the object changes).
import type { AccessControlEntryRecord, RemoveAccessControlEntryRecord } from '@tributary/protocol';
import type { StandardAcl } from './acl-binding.ts';

export class AclsImage {
  static readonly EMPTY = new AclsImage(new Map());

  constructor(readonly acls: ReadonlyMap<string, StandardAcl>) {}

  get isEmpty(): boolean {
    return this.acls.size === 0;
  }
}

export class AclsDelta {
  /** id -> the ACL added, or null when removed. */
  readonly changes = new Map<string, StandardAcl | null>();

  constructor(readonly image: AclsImage) {}

  replay(r: AccessControlEntryRecord): void {
    this.changes.set(r.id, { ...r });
  }

  replayRemove(r: RemoveAccessControlEntryRecord): void {
    const known = this.changes.has(r.id) ? this.changes.get(r.id) !== null : this.image.acls.has(r.id);
    if (!known) throw new Error(`Failed to remove ACL ${r.id}: no such ACL`);
    this.changes.set(r.id, null);
  }

  apply(): AclsImage {
    if (this.changes.size === 0) return this.image;
    const acls = new Map(this.image.acls);
    for (const [id, acl] of this.changes) {
      if (acl === null) acls.delete(id);
      else acls.set(id, acl);
    }
    return new AclsImage(acls);
  }
}
