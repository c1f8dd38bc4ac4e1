// ClientQuotasImage: the client quota configuration of the cluster (Kafka's
// org.apache.kafka.image.ClientQuotasImage), replayed from ClientQuotaRecords: per entity (a set of
// (entity type, entity name) pairs: `user`, `client-id`, `ip`; a null name is that type's default
// entity) the quota keys set (producer_byte_rate, consumer_byte_rate, request_percentage,
// connection_creation_rate, ...) with their values. A record with `remove` drops a key; an entity
// with no key left disappears.
//
// describe(): Kafka's DescribeClientQuotas filter (ClientQuotasImage.describe): components of
// match type EXACT (0, a name), DEFAULT (1, the default entity) or SPECIFIED (2, any entity having
// that type, the default included, as KRaft's image answers), and `strict` (only entities with
// exactly the filtered types; no component and strict = nothing). Bad filters are answered as Kafka throws them: INVALID_REQUEST, or
// UNSUPPORTED_VERSION for an unknown entity type.
import { ErrorCode, type ClientQuotaRecord } from '@tributary/protocol';

/** An entity: entity type -> name (null = the default entity of that type). */
export type ClientQuotaEntity = Readonly<Record<string, string | null>>;

export const ClientQuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

/** DescribeClientQuotas match types (Kafka's DescribeClientQuotasRequest.MATCH_TYPE_*). */
export const QuotaMatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface QuotaFilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export interface ClientQuotaEntry {
  entity: ClientQuotaEntity;
  quotas: ReadonlyMap<string, number>;
}

export type DescribeClientQuotasResult =
  | { errorCode: typeof ErrorCode.NONE; entries: ClientQuotaEntry[] }
  | { errorCode: number; errorMessage: string };

/** The canonical key of an entity: its pairs sorted by type (names may be null). */
export function entityKey(entity: ClientQuotaEntity): string {
  return JSON.stringify(
    Object.keys(entity)
      .sort()
      .map((t) => [t, entity[t]]),
  );
}

/** An entity from the entity list of a record or a request. */
export function entityOf(list: ReadonlyArray<{ entityType: string; entityName: string | null }>): ClientQuotaEntity {
  const e: Record<string, string | null> = {};
  for (const x of list) e[x.entityType] = x.entityName;
  return e;
}

/** An entity as a list of (entityType, entityName), types sorted. */
export function entityList(entity: ClientQuotaEntity): Array<{ entityType: string; entityName: string | null }> {
  return Object.keys(entity)
    .sort()
    .map((entityType) => ({ entityType, entityName: entity[entityType] ?? null }));
}

const EMPTY_QUOTAS: ReadonlyMap<string, number> = new Map();

export class ClientQuotasImage {
  static readonly EMPTY = new ClientQuotasImage(new Map());

  /** entityKey -> entry. */
  constructor(readonly entries: ReadonlyMap<string, ClientQuotaEntry>) {}

  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** The quotas set on exactly this entity. */
  quotas(entity: ClientQuotaEntity): ReadonlyMap<string, number> {
    return this.entries.get(entityKey(entity))?.quotas ?? EMPTY_QUOTAS;
  }

  describe(components: readonly QuotaFilterComponent[], strict: boolean): DescribeClientQuotasResult {
    const exact = new Map<string, string | null>();
    const typed = new Set<string>();
    const invalid = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
    for (const c of components) {
      if (c.entityType === '') return invalid('Invalid empty entity type.');
      if (exact.has(c.entityType) || typed.has(c.entityType))
        return invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
      if (!Object.values(ClientQuotaEntityType).includes(c.entityType as 'user'))
        return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: `Unsupported entity type ${c.entityType}` };
      switch (c.matchType) {
        case QuotaMatchType.EXACT:
          if (c.match === null) return invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
          exact.set(c.entityType, c.match);
          break;
        case QuotaMatchType.DEFAULT:
          if (c.match !== null) return invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
          exact.set(c.entityType, null);
          break;
        case QuotaMatchType.SPECIFIED:
          if (c.match !== null) return invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
          typed.add(c.entityType);
          break;
        default:
          return invalid(`Unknown match type ${c.matchType}`);
      }
    }
    const has = (t: string) => exact.has(t) || typed.has(t);
    if (has(ClientQuotaEntityType.IP) && (has(ClientQuotaEntityType.USER) || has(ClientQuotaEntityType.CLIENT_ID))) {
      return invalid(
        'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
      );
    }
    if (exact.size === 0 && typed.size === 0 && strict) return { errorCode: ErrorCode.NONE, entries: [] };
    const entries: ClientQuotaEntry[] = [];
    for (const e of this.entries.values()) {
      const types = Object.keys(e.entity);
      let ok = true;
      for (const [t, name] of exact) if (!(t in e.entity) || e.entity[t] !== name) ok = false;
      for (const t of typed) if (!(t in e.entity)) ok = false;
      if (ok && strict && types.length !== exact.size + typed.size) ok = false;
      if (ok) entries.push(e);
    }
    return { errorCode: ErrorCode.NONE, entries };
  }
}

export class ClientQuotasDelta {
  /** entityKey -> (entity, key -> new value or null for removed). */
  private readonly changes = new Map<string, { entity: ClientQuotaEntity; ops: Map<string, number | null> }>();

  constructor(readonly image: ClientQuotasImage) {}

  replay(r: ClientQuotaRecord): void {
    const entity = entityOf(r.entity);
    const k = entityKey(entity);
    let c = this.changes.get(k);
    if (!c) {
      c = { entity, ops: new Map() };
      this.changes.set(k, c);
    }
    c.ops.set(r.key, r.remove ? null : r.value);
  }

  /** Entities touched by this delta. */
  changedEntities(): ClientQuotaEntity[] {
    return [...this.changes.values()].map((c) => c.entity);
  }

  apply(): ClientQuotasImage {
    if (this.changes.size === 0) return this.image;
    const entries = new Map(this.image.entries);
    for (const [k, { entity, ops }] of this.changes) {
      const quotas = new Map(entries.get(k)?.quotas ?? EMPTY_QUOTAS);
      for (const [key, value] of ops) {
        if (value === null) quotas.delete(key);
        else quotas.set(key, value);
      }
      if (quotas.size === 0) entries.delete(k);
      else entries.set(k, { entity, quotas });
    }
    return new ClientQuotasImage(entries);
  }
}
