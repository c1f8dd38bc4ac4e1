// ACLs in the controller (Kafka's AclControlManager): CreateAcls and DeleteAcls become
// AccessControlEntryRecords and RemoveAccessControlEntryRecords.
//   createAcls: each binding is validated (INVALID_REQUEST with Kafka's message: pattern type
//     LITERAL or PREFIXED only, no ANY/UNKNOWN operation, permission, resource type, a non-empty
//     name, "kafka-cluster" for CLUSTER, a "Type:name" principal); a binding that already exists
//     (or repeats one earlier in the request) succeeds without a record; otherwise a record under a
//     new Uuid. Results in request order.
//   deleteAcls: each filter is validated (INVALID_REQUEST); every stored ACL it matches is removed
//     and reported; an ACL matched by several filters is removed once and reported by each.
// Authorization and SECURITY_DISABLED are the broker's business (the handlers).
import { ErrorCode } from '@tributary/protocol';
import {
  aclMatchesFilter,
  invalidAclFilter,
  invalidNewAcl,
  sameBinding,
  type AclBinding,
  type AclBindingFilter,
  type StandardAcl,
} from '../acl/acl-binding.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { accessControlEntryRecord, removeAccessControlEntryRecord, type MetadataRecord } from '../records/metadata-record.ts';
import { newTopicId } from './controller-options.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';

export interface DeleteAclsFilterResult extends ApiError {
  /** The ACLs this filter removed. */
  matchingAcls: StandardAcl[];
}

export function createAcls(
  image: MetadataImage,
  bindings: readonly AclBinding[],
  newId: () => string = newTopicId,
): ControllerResult<ApiError[]> {
  const records: MetadataRecord[] = [];
  const added: StandardAcl[] = [];
  const response = bindings.map((b): ApiError => {
    const invalid = invalidNewAcl(b);
    if (invalid !== null) return apiError(ErrorCode.INVALID_REQUEST, invalid);
    const exists = (a: AclBinding) => sameBinding(a, b);
    if ([...image.acls.acls.values()].some(exists) || added.some(exists)) return NONE;
    let id = newId();
    while (image.acls.acls.has(id) || added.some((a) => a.id === id)) id = newId();
    const acl: StandardAcl = { id, ...pick(b) };
    added.push(acl);
    records.push(accessControlEntryRecord(acl));
    return NONE;
  });
  return { records, response };
}

export function deleteAcls(image: MetadataImage, filters: readonly AclBindingFilter[]): ControllerResult<DeleteAclsFilterResult[]> {
  const records: MetadataRecord[] = [];
  const removed = new Set<string>();
  const response = filters.map((f): DeleteAclsFilterResult => {
    const invalid = invalidAclFilter(f);
    if (invalid !== null) return { ...apiError(ErrorCode.INVALID_REQUEST, invalid), matchingAcls: [] };
    const matchingAcls = [...image.acls.acls.values()].filter((a) => aclMatchesFilter(a, f));
    for (const a of matchingAcls) {
      if (removed.has(a.id)) continue;
      removed.add(a.id);
      records.push(removeAccessControlEntryRecord(a.id));
    }
    return { ...NONE, matchingAcls };
  });
  return { records, response };
}

function pick(b: AclBinding): AclBinding {
  return {
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permissionType: b.permissionType,
  };
}
