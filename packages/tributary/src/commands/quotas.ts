// `tributary quotas describe|alter`: client quotas through @tributary/client's admin
// (DescribeClientQuotas / AlterClientQuotas), with kafka-configs.sh's quota options:
//   --user <u> | --user-defaults, --client <id> | --client-defaults (either or both), --ip <addr> |
//   --ip-defaults; alter takes --add-config 'k=v,k=v' and --delete-config 'k,k' (repeatable).
// describe with entity options lists the quotas of exactly that entity kind (Kafka's
// ClientQuotaFilter.containsOnly); without any, every quota. Each entity prints as kafka-configs.sh
// prints it: "Quota configs for user-principal 'alice', client-id 'app' are producer_byte_rate=1024.0".
import type { Admin, ClientQuotaEntity, ClientQuotaEntry, ClientQuotaFilterComponent } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { keyValues, names, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary quotas <describe|alter> [entity] [options]

  quotas describe [entity]                 quotas of that kind of entity (all without one)
  quotas alter <entity> [--add-config k=v[,k=v]] [--delete-config k[,k]]

Entity (as kafka-configs.sh):
  --user <user> | --user-defaults          a user principal's name (User:ANONYMOUS on PLAINTEXT: ANONYMOUS)
  --client <client-id> | --client-defaults a client id (may be combined with a user)
  --ip <address> | --ip-defaults           connection_creation_rate of an IP
Keys: producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate,
connection_creation_rate.
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = {
  values: ['user', 'client', 'ip', OUTPUT_OPTION],
  repeated: ['add-config', 'delete-config'],
  flags: ['user-defaults', 'client-defaults', 'ip-defaults'],
} as const;

const TYPES = [
  ['user', 'user'],
  ['client', 'client-id'],
  ['ip', 'ip'],
] as const;

/** The entity the options name (a type given with a name or as its defaults). */
function entityOf(p: ParsedArgs): ClientQuotaEntity {
  const entity: ClientQuotaEntity = {};
  for (const [option, type] of TYPES) {
    const name = p.values.get(option);
    const defaults = p.flags.has(`${option}-defaults`);
    if (name !== undefined && defaults) throw new UsageError(`give --${option} or --${option}-defaults, not both`);
    if (name !== undefined) entity[type] = name;
    else if (defaults) entity[type] = null;
  }
  return entity;
}

const ENTITY_NAMES: Record<string, string> = { user: 'user-principal', 'client-id': 'client-id', ip: 'ip' };

/** Kafka's ConfigCommand entity description: "user-principal 'alice', the default client-id". */
export function entityDescription(entity: ClientQuotaEntity): string {
  const order = ['user', 'client-id', 'ip'];
  return Object.keys(entity)
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((t) => (entity[t] === null ? `the default ${ENTITY_NAMES[t] ?? t}` : `${ENTITY_NAMES[t] ?? t} '${entity[t]}'`))
    .join(', ');
}

/** A quota value as Java prints a double: 1024.0, 12.5. */
const double = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));

export function quotasText(entries: readonly ClientQuotaEntry[]): string {
  return entries
    .map(
      (e) =>
        `Quota configs for ${entityDescription(e.entity)} are ${Object.entries(e.quotas)
          .map(([k, v]) => `${k}=${double(v)}`)
          .join(', ')}\n`,
    )
    .join('');
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  const entity = entityOf(p);
  const components: ClientQuotaFilterComponent[] = Object.entries(entity).map(([entityType, name]) =>
    name === null ? { entityType, matchType: 'default' } : { entityType, matchType: 'exact', match: name },
  );
  const entries = await admin.describeClientQuotas(components, { strict: components.length > 0 });
  if (json) await writeJson(entries);
  else await writeOut(quotasText(entries));
  return 0;
}

async function alter(admin: Admin, p: ParsedArgs): Promise<number> {
  const entity = entityOf(p);
  if (Object.keys(entity).length === 0) throw new UsageError('alter needs an entity: --user, --client, --ip or their -defaults');
  const ops: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(keyValues(p.repeated.get('add-config') ?? [], 'add-config'))) {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--add-config ${k} needs a number, got "${v}"`);
    ops[k] = n;
  }
  for (const k of names(p.repeated.get('delete-config') ?? [])) ops[k] = null;
  if (Object.keys(ops).length === 0) throw new UsageError('alter needs --add-config or --delete-config');
  await admin.alterClientQuotas([{ entity, ops }]);
  await writeOut(`Completed updating config for ${entityDescription(entity)}.\n`);
  return 0;
}

export const quotasCommand: Command = {
  name: 'quotas',
  summary: 'describe and alter client quotas (as kafka-configs.sh --entity-type users/clients)',
  usage: USAGE,
  run: adminSubcommands('quotas', USAGE, SPEC, { describe, alter }),
};
