// Client quotas in the controller (Kafka's ClientQuotaControlManager.alterClientQuotas): each
// entry (an entity and its ops) becomes ClientQuotaRecords for what changes, nothing for what does
// not (a value equal to the current one, or the removal of a key not set). Checks, with Kafka's
// INVALID_REQUEST messages:
//   - the entity: not empty ("Invalid empty client quota entity"), each type once ("..., duplicate
//     entity entry user"), types `user`, `client-id`, `ip` only ("Unhandled client quota entity
//     type: x"), no empty name ("Empty user not supported"; null is the default entity);
//   - the combination: user, client-id, user+client-id, or ip alone (else "Invalid empty client
//     quota entity"); an ip entity must be an IP address;
//   - the keys: user and client-id entities take producer_byte_rate and consumer_byte_rate (whole
//     numbers: "Configuration x must be a Long value"), request_percentage and
//     controller_mutation_rate (doubles); ip entities take connection_creation_rate (a whole number);
//     anything else "Invalid configuration key x"; a key given twice in one entry ("Duplicate quota
//     key x not updating quota for this entity ..."), an entity given twice ("Ignoring duplicate
//     entity ...").
// An entry with an error changes nothing (Kafka would still write its valid keys); the others
// apply. `validateOnly` checks and writes nothing.
import { isIP } from 'node:net';
import { ErrorCode } from '@tributary/protocol';
import { ClientQuotaEntityType, entityKey, type ClientQuotaEntity } from '../image/client-quotas-image.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { clientQuotaRecord, type MetadataRecord } from '../records/metadata-record.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';

/** One op: `value` null removes the key. */
export interface ClientQuotaOp {
  key: string;
  value: number | null;
}

export interface ClientQuotaAlteration {
  /** As the request lists it (a type may appear twice: an error). */
  entity: ReadonlyArray<{ entityType: string; entityName: string | null }>;
  ops: readonly ClientQuotaOp[];
}

export interface AlterClientQuotasResult extends ApiError {
  entity: ReadonlyArray<{ entityType: string; entityName: string | null }>;
}

type KeyType = 'long' | 'double' | 'int';

/** Kafka's QuotaConfigs.userConfigs() / clientConfigs() (the same keys). */
export const CLIENT_QUOTA_KEYS: ReadonlyMap<string, KeyType> = new Map<string, KeyType>([
  ['producer_byte_rate', 'long'],
  ['consumer_byte_rate', 'long'],
  ['request_percentage', 'double'],
  ['controller_mutation_rate', 'double'],
]);
/** Kafka's QuotaConfigs.ipConfigs(). */
export const IP_QUOTA_KEYS: ReadonlyMap<string, KeyType> = new Map<string, KeyType>([['connection_creation_rate', 'int']]);

export function alterClientQuotas(
  image: MetadataImage,
  alterations: readonly ClientQuotaAlteration[],
  validateOnly: boolean,
): ControllerResult<AlterClientQuotasResult[]> {
  const records: MetadataRecord[] = [];
  const seen = new Set<string>();
  const response = alterations.map((a) => {
    const res = alterEntity(image, a, seen);
    if (res.records.length > 0 && !validateOnly) records.push(...res.records);
    return { entity: a.entity, ...res.response };
  });
  return { records, response };
}

function alterEntity(image: MetadataImage, a: ClientQuotaAlteration, seen: Set<string>): ControllerResult<ApiError> {
  const fail = (message: string) => ({ records: [], response: apiError(ErrorCode.INVALID_REQUEST, message) });
  const described = describeEntity(a.entity);
  const ops = new Map<string, number | null>();
  for (const op of a.ops) {
    if (ops.has(op.key)) return fail(`Duplicate quota key ${op.key} not updating quota for this entity ${described}`);
    ops.set(op.key, op.value);
  }
  const checked = validateEntity(a.entity);
  if (typeof checked === 'string') return fail(checked);
  const k = entityKey(checked);
  if (seen.has(k)) return fail(`Ignoring duplicate entity ${described}`);
  seen.add(k);
  const keys = keysFor(checked);
  if (typeof keys === 'string') return fail(keys);

  const current = image.clientQuotas.quotas(checked);
  const records: MetadataRecord[] = [];
  for (const [key, value] of ops) {
    if (value === null) {
      if (current.has(key)) records.push(clientQuotaRecord(checked, key, null));
      continue;
    }
    const problem = validateValue(keys, key, value);
    if (problem) return fail(problem);
    if (current.get(key) !== value) records.push(clientQuotaRecord(checked, key, value));
  }
  return { records, response: NONE };
}

/** The entity as a map, or Kafka's message for what is wrong with it. */
function validateEntity(list: ClientQuotaAlteration['entity']): ClientQuotaEntity | string {
  if (list.length === 0) return 'Invalid empty client quota entity';
  const entity: Record<string, string | null> = {};
  for (const { entityType, entityName } of list) {
    if (entityType in entity) return `Invalid empty client quota entity, duplicate entity entry ${entityType}`;
    if (!Object.values(ClientQuotaEntityType).includes(entityType as 'user')) return `Unhandled client quota entity type: ${entityType}`;
    entity[entityType] = entityName;
    if (entityName === '') return `Empty ${entityType} not supported`;
  }
  return entity;
}

function keysFor(entity: ClientQuotaEntity): ReadonlyMap<string, KeyType> | string {
  const user = ClientQuotaEntityType.USER in entity;
  const client = ClientQuotaEntityType.CLIENT_ID in entity;
  const ip = ClientQuotaEntityType.IP in entity;
  if ((user || client) && !ip) return CLIENT_QUOTA_KEYS;
  if (ip && !user && !client) {
    const name = entity[ClientQuotaEntityType.IP] ?? null;
    return name === null || isIP(name) !== 0 ? IP_QUOTA_KEYS : `${name} is not a valid IP or resolvable host.`;
  }
  return 'Invalid empty client quota entity';
}

function validateValue(keys: ReadonlyMap<string, KeyType>, key: string, value: number): string | null {
  const type = keys.get(key);
  if (!type) return `Invalid configuration key ${key}`;
  if (type === 'double') return null;
  const epsilon = 1e-6;
  const whole = Math.trunc(value + epsilon);
  if (!Number.isFinite(value) || Math.abs(whole - value) > epsilon) {
    return type === 'long' ? `Configuration ${key} must be a Long value` : `Configuration ${key} must be an Integer value`;
  }
  return null;
}

/** Kafka's ClientQuotaEntity.toString: `ClientQuotaEntity(entries={user=alice, client-id=null})`. */
function describeEntity(list: ClientQuotaAlteration['entity']): string {
  return `ClientQuotaEntity(entries={${list.map((e) => `${e.entityType}=${e.entityName}`).join(', ')}})`;
}
