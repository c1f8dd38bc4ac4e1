// `tributary acls add|list|remove`: ACL administration through @tributary/client's admin, like
// kafka-acls.sh (Kafka's AclCommand) with its options:
//   resources   --topic <t> / --group <g> / --transactional-id <id> (repeatable), --cluster;
//               --resource-pattern-type literal|prefixed (add), also any|match (list, remove);
//               default literal, as Kafka
//   entries     --allow-principal / --deny-principal <Type:name> (repeatable), --allow-host /
//               --deny-host <host> (default "*"), --operation <op> (repeatable, default All)
//   shortcuts   --producer (Write, Describe, Create on topics; with --idempotent IdempotentWrite on
//               the cluster; with --transactional-id Write and Describe on it), --consumer (Read
//               and Describe on topics, Read on --group)
//   list        every ACL, or those of the given resources (and --principal), printed as Kafka does:
//               "Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`:"
//   remove      the given entries of the given resources, or all their ACLs when no principal is
//               given; no confirmation prompt (Kafka's --force is accepted and implied).
import {
  ACL_OPERATIONS,
  type AclBinding,
  type AclBindingFilter,
  type AclOperationName,
  type AclResourceTypeName,
  type Admin,
} from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary acls <add|list|remove> [options]

  acls add    (--allow-principal <p> | --deny-principal <p>) ... [--allow-host <h>] [--deny-host <h>]
              [--operation <op>] ... <resources> [--resource-pattern-type literal|prefixed]
              or --producer [--idempotent] / --consumer --group <g> with --topic ...
  acls list   [<resources>] [--resource-pattern-type literal|prefixed|any|match] [--principal <p>]
  acls remove [principals, hosts, operations as for add] <resources> [--resource-pattern-type ...] [--force]

Resources: --topic <t>, --group <g>, --transactional-id <id> (each repeatable), --cluster.
Principals are Type:name (User:alice, User:* for everyone); hosts default to *.
Operations: All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs,
AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens.
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = {
  values: ['resource-pattern-type', OUTPUT_OPTION],
  repeated: [
    'topic',
    'group',
    'transactional-id',
    'allow-principal',
    'deny-principal',
    'allow-host',
    'deny-host',
    'operation',
    'principal',
  ],
  flags: ['cluster', 'producer', 'consumer', 'idempotent', 'force'],
} as const;

/** The operations an ACL can name (Kafka's, without UNKNOWN and ANY). */
const OPERATIONS = ACL_OPERATIONS.filter((o) => o !== 'UNKNOWN' && o !== 'ANY') as AclOperationName[];

/** "DescribeConfigs" / "describe-configs" / "DESCRIBE_CONFIGS" -> DESCRIBE_CONFIGS. */
function operationOf(s: string): AclOperationName {
  const norm = s.replace(/[-_]/g, '').toUpperCase();
  const op = OPERATIONS.find((o) => o.replace(/_/g, '') === norm);
  if (!op) throw new UsageError(`unknown operation "${s}"`);
  return op;
}

/** Kafka's display names: CLUSTER_ACTION -> ClusterAction. */
const display = (s: string) =>
  s
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

type PatternArg = 'LITERAL' | 'PREFIXED' | 'ANY' | 'MATCH';

function patternOf(p: ParsedArgs, allowed: readonly PatternArg[]): PatternArg {
  const raw = (p.values.get('resource-pattern-type') ?? 'literal').toUpperCase();
  if (!(allowed as readonly string[]).includes(raw))
    throw new UsageError(`--resource-pattern-type must be one of ${allowed.map((a) => a.toLowerCase()).join(', ')}`);
  return raw as PatternArg;
}

interface Resource {
  resourceType: AclResourceTypeName;
  resourceName: string;
}

function resourcesOf(p: ParsedArgs): Resource[] {
  const out: Resource[] = [];
  for (const name of p.repeated.get('topic') ?? []) out.push({ resourceType: 'TOPIC', resourceName: name });
  for (const name of p.repeated.get('group') ?? []) out.push({ resourceType: 'GROUP', resourceName: name });
  for (const name of p.repeated.get('transactional-id') ?? []) out.push({ resourceType: 'TRANSACTIONAL_ID', resourceName: name });
  if (p.flags.has('cluster')) out.push({ resourceType: 'CLUSTER', resourceName: 'kafka-cluster' });
  return out;
}

function checkPrincipal(s: string): string {
  if (!s.includes(':')) throw new UsageError(`principal "${s}" must be Type:name (e.g. User:alice)`);
  return s;
}

/** Resource -> entries, for add and for remove with principals (Kafka's AclCommand.getResourceToAcls). */
function bindingsOf(
  p: ParsedArgs,
  resources: Resource[],
): Array<Omit<AclBinding, 'resourceType' | 'resourceName' | 'patternType'> & Resource> {
  const entries = (principals: string[], hosts: string[], ops: AclOperationName[], permissionType: 'ALLOW' | 'DENY') =>
    principals.flatMap((principal) =>
      hosts.flatMap((host) => ops.map((operation) => ({ principal: checkPrincipal(principal), host, operation, permissionType }))),
    );
  const allow = p.repeated.get('allow-principal') ?? [];
  const deny = p.repeated.get('deny-principal') ?? [];
  const allowHosts = p.repeated.get('allow-host') ?? ['*'];
  const denyHosts = p.repeated.get('deny-host') ?? ['*'];
  const out: Array<Omit<AclBinding, 'resourceType' | 'resourceName' | 'patternType'> & Resource> = [];
  const add = (rs: Resource[], ops: AclOperationName[]) => {
    for (const r of rs) {
      for (const e of [...entries(allow, allowHosts, ops, 'ALLOW'), ...entries(deny, denyHosts, ops, 'DENY')]) out.push({ ...r, ...e });
    }
  };
  const topics = resources.filter((r) => r.resourceType === 'TOPIC');
  if (p.flags.has('producer') || p.flags.has('consumer')) {
    if (p.flags.has('producer')) {
      if (topics.length === 0) throw new UsageError('--producer needs --topic');
      add(topics, ['WRITE', 'DESCRIBE', 'CREATE']);
      const txn = resources.filter((r) => r.resourceType === 'TRANSACTIONAL_ID');
      add(txn, ['WRITE', 'DESCRIBE']);
      if (p.flags.has('idempotent')) add([{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster' }], ['IDEMPOTENT_WRITE']);
    }
    if (p.flags.has('consumer')) {
      const groups = resources.filter((r) => r.resourceType === 'GROUP');
      if (topics.length === 0 || groups.length === 0) throw new UsageError('--consumer needs --topic and --group');
      add(topics, ['READ', 'DESCRIBE']);
      add(groups, ['READ']);
    }
    return out;
  }
  add(resources, (p.repeated.get('operation') ?? ['All']).map(operationOf));
  return out;
}

const patternLine = (b: { resourceType: string; resourceName: string; patternType: string }) =>
  `ResourcePattern(resourceType=${b.resourceType}, name=${b.resourceName}, patternType=${b.patternType})`;
const entryLine = (b: Required<AclBinding>) =>
  `\t(principal=${b.principal}, host=${b.host}, operation=${display(b.operation)}, permissionType=${display(b.permissionType)})`;

function printByResource(acls: Array<Required<AclBinding>>, heading: string): string {
  const byPattern = new Map<string, Array<Required<AclBinding>>>();
  for (const a of acls) {
    const k = patternLine(a);
    byPattern.set(k, [...(byPattern.get(k) ?? []), a]);
  }
  return [...byPattern].map(([k, list]) => `${heading} \`${k}\`: \n ${list.map(entryLine).join(' \n ')} \n\n`).join('');
}

async function add(admin: Admin, p: ParsedArgs): Promise<number> {
  const resources = resourcesOf(p);
  if (resources.length === 0) throw new UsageError('acls add needs a resource (--topic, --group, --transactional-id or --cluster)');
  if (!p.repeated.has('allow-principal') && !p.repeated.has('deny-principal'))
    throw new UsageError('acls add needs --allow-principal or --deny-principal');
  const patternType = patternOf(p, ['LITERAL', 'PREFIXED']) as 'LITERAL' | 'PREFIXED';
  const bindings = bindingsOf(p, resources).map((b) => ({ ...b, patternType }));
  await admin.createAcls(bindings);
  await writeOut(printByResource(bindings as Array<Required<AclBinding>>, 'Adding ACLs for resource'));
  return 0;
}

function filtersOf(p: ParsedArgs, patterns: readonly PatternArg[]): AclBindingFilter[] {
  const patternType = patternOf(p, patterns);
  const resources = resourcesOf(p);
  const principals = p.repeated.get('principal') ?? [null];
  if (resources.length === 0)
    return principals.map((principal) => ({ patternType: p.values.has('resource-pattern-type') ? patternType : 'ANY', principal }));
  return resources.flatMap((r) => principals.map((principal) => ({ ...r, patternType, principal })));
}

async function list(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  const seen = new Set<string>();
  const acls: Array<Required<AclBinding>> = [];
  for (const f of filtersOf(p, ['LITERAL', 'PREFIXED', 'ANY', 'MATCH'])) {
    for (const a of await admin.describeAcls(f)) {
      const k = JSON.stringify(a);
      if (!seen.has(k)) {
        seen.add(k);
        acls.push(a);
      }
    }
  }
  if (json) await writeJson(acls);
  else await writeOut(printByResource(acls, 'Current ACLs for resource'));
  return 0;
}

async function remove(admin: Admin, p: ParsedArgs): Promise<number> {
  const resources = resourcesOf(p);
  if (resources.length === 0) throw new UsageError('acls remove needs a resource (--topic, --group, --transactional-id or --cluster)');
  const patternType = patternOf(p, ['LITERAL', 'PREFIXED', 'ANY', 'MATCH']);
  const hasEntries = p.repeated.has('allow-principal') || p.repeated.has('deny-principal');
  const filters: AclBindingFilter[] = hasEntries
    ? bindingsOf(p, resources).map((b) => ({ ...b, patternType }))
    : resources.map((r) => ({ ...r, patternType }));
  const removed = await admin.deleteAcls(filters);
  await writeOut(printByResource(removed, 'Removed ACLs for resource'));
  return 0;
}

const run = adminSubcommands('acls', USAGE, SPEC, { add, list, remove });

export const aclsCommand: Command = {
  name: 'acls',
  summary: 'add, list and remove ACLs (as kafka-acls.sh)',
  usage: USAGE,
  run,
};
