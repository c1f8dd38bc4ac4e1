// Admin.describeClientQuotas / Admin.alterClientQuotas: DescribeClientQuotas (API key 48) and
// AlterClientQuotas (API key 49), sent to any broker (Kafka's AdminClient sends both to the least
// loaded node; a broker forwards the alteration to the controller). Entities are Kafka's: an object
// of entity type (`user`, `client-id`, `ip`) -> name, null for that type's default entity. Filter
// components are Kafka's ClientQuotaFilterComponent: `exact` (ofEntity), `default`
// (ofDefaultEntity), `specified` (ofEntityType); `strict` keeps only entities with exactly the
// filtered types. A top-level or per-entry error is thrown as a KafkaClientError naming the entity.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ClientQuotaAlteration, ClientQuotaEntry, ClientQuotaFilterComponent } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { failAdmin } from './admin-error.ts';

const MATCH_TYPE = { exact: 0, default: 1, specified: 2 } as const;

function entityText(entity: Readonly<Record<string, string | null>>): string {
  return Object.entries(entity)
    .map(([t, n]) => `${t}=${n ?? '<default>'}`)
    .join(',');
}

export async function describeClientQuotas(
  cluster: Cluster,
  components: readonly ClientQuotaFilterComponent[],
  options: { strict?: boolean } = {},
): Promise<ClientQuotaEntry[]> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.DescribeClientQuotas, {
    components: components.map((x) => ({
      entityType: x.entityType,
      matchType: MATCH_TYPE[x.matchType],
      match: x.matchType === 'exact' ? (x.match ?? null) : null,
    })),
    strict: options.strict ?? false,
  });
  if (r.errorCode !== ErrorCode.NONE) failAdmin('describe client quotas', r.errorCode, r.errorMessage);
  return (r.entries ?? []).map((e) => ({
    entity: Object.fromEntries(e.entity.map((x) => [x.entityType, x.entityName])),
    quotas: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

export async function alterClientQuotas(
  cluster: Cluster,
  alterations: readonly ClientQuotaAlteration[],
  options: { validateOnly?: boolean } = {},
): Promise<void> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.AlterClientQuotas, {
    entries: alterations.map((a) => ({
      entity: Object.entries(a.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
      ops: Object.entries(a.ops).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
    })),
    validateOnly: options.validateOnly ?? false,
  });
  for (const e of r.entries) {
    if (e.errorCode === ErrorCode.NONE) continue;
    const entity = Object.fromEntries(e.entity.map((x) => [x.entityType, x.entityName]));
    failAdmin(`alter client quotas of ${entityText(entity)}`, e.errorCode, e.errorMessage);
  }
}
