// `tributary topics list|create|describe|delete|alter-config`: topic administration through
// @tributary/client's admin, with kafka-topics.sh's option names and output layout
// (`Topic: x<TAB>TopicId: ...<TAB>PartitionCount: 3 ...`, then one line per partition).
// `describe`'s Configs are those not from Kafka's defaults (the topic's overrides and the broker
// settings it inherits), as kafka-topics.sh lists them. `alter-config` takes kafka-configs.sh's
// `--add-config k=v,...` (a list value in brackets: `cleanup.policy=[compact,delete]`) and
// `--delete-config k,...`; `create --config` also takes kafka-topics.sh's `cleanup.policy=compact,delete`.
// `describe --under-replicated-partitions` and the other reports: partition-reports.ts.
import type { Admin } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { configValues, intOption, names, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { REPORT_FLAGS, partitionReported, reportOf } from './partition-reports.ts';

const USAGE = `Usage: tributary topics <list|create|describe|delete|alter-config> [options]

  topics list [--exclude-internal]
  topics create <topic> [--partitions N] [--replication-factor N] [--config k=v ...] [--if-not-exists]
  topics describe [<topic> ...] [--exclude-internal]   (every topic when none is named)
                  [--under-replicated-partitions | --under-min-isr-partitions | --at-min-isr-partitions
                   | --unavailable-partitions | --topics-with-overrides]
  topics delete <topic> [...] [--if-exists]
  topics alter-config <topic> [--add-config k=v,...] [--delete-config k,...]

A topic may also be given as --topic <name> (repeatable, comma-separated).
${COMMON_USAGE}`;

const SPEC = {
  values: ['partitions', 'replication-factor'],
  repeated: ['topic', 'config', 'add-config', 'delete-config'],
  flags: ['exclude-internal', 'if-not-exists', 'if-exists', ...REPORT_FLAGS],
} as const;

function topicsOf(p: ParsedArgs): string[] {
  return [...p.positional.slice(1), ...names(p.repeated.get('topic') ?? [])];
}

function oneTopic(p: ParsedArgs, sub: string): string {
  const t = topicsOf(p);
  if (t.length !== 1) throw new UsageError(`topics ${sub} needs exactly one topic`);
  return t[0]!;
}

async function list(admin: Admin, p: ParsedArgs): Promise<number> {
  const topics = await admin.listTopics({ includeInternal: !p.flags.has('exclude-internal') });
  await writeOut(topics.map((t) => t + '\n').join(''));
  return 0;
}

async function create(admin: Admin, p: ParsedArgs): Promise<number> {
  const name = oneTopic(p, 'create');
  const partitions = intOption(p, 'partitions');
  const replicationFactor = intOption(p, 'replication-factor');
  if (partitions !== undefined && partitions < 1) throw new UsageError('--partitions must be at least 1');
  const configs = configValues(p.repeated.get('config') ?? [], 'config');
  try {
    await admin.createTopics([{ name, partitions, replicationFactor, configs }]);
  } catch (err) {
    if (p.flags.has('if-not-exists') && (err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return 0;
    throw err;
  }
  await writeOut(`Created topic ${name}.\n`);
  return 0;
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const report = reportOf(p);
  let topics = topicsOf(p);
  if (topics.length === 0) topics = await admin.listTopics({ includeInternal: !p.flags.has('exclude-internal') });
  if (topics.length === 0) return 0;
  const descriptions = await admin.describeTopics(topics);
  const partitionReport = report === 'topics-with-overrides' ? undefined : report;
  // every config not from Kafka's defaults, as kafka-topics.sh prints them; a partition report needs min.insync.replicas
  let configs = new Map<string, Record<string, string>>();
  try {
    configs = await admin.describeConfigs(
      topics.map((name) => ({ type: 'topic' as const, name })),
      { excludeDefaults: partitionReport === undefined },
    );
  } catch {
    // a broker without DescribeConfigs: describe without configs
  }
  const live = partitionReport ? new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId)) : new Set<number>();
  let out = '';
  for (const d of descriptions) {
    const topicConfigs = configs.get(`topic:${d.name}`) ?? {};
    if (partitionReport === undefined) {
      const overrides = report === 'topics-with-overrides' ? await topicOverrides(admin, d.name) : undefined;
      if (overrides && Object.keys(overrides).length === 0) continue;
      const rf = d.partitions[0]?.replicas.length ?? 0;
      const cfg = Object.entries(overrides ?? topicConfigs)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      out += `Topic: ${d.name}\tTopicId: ${d.topicId}\tPartitionCount: ${d.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${cfg}\n`;
      if (report === 'topics-with-overrides') continue;
    }
    const minIsrValue = topicConfigs['min.insync.replicas'];
    const minIsr = minIsrValue === undefined ? undefined : Number(minIsrValue);
    for (const x of d.partitions) {
      if (partitionReport && !partitionReported(partitionReport, x, minIsr, live)) continue;
      out += `\tTopic: ${d.name}\tPartition: ${x.partition}\tLeader: ${x.leader < 0 ? 'none' : x.leader}\tReplicas: ${x.replicas.join(',')}\tIsr: ${x.isr.join(',')}\n`;
    }
  }
  await writeOut(out);
  return 0;
}

/** The topic's own overrides (DYNAMIC_TOPIC_CONFIG), as kafka-topics.sh's --topics-with-overrides. */
async function topicOverrides(admin: Admin, topic: string): Promise<Record<string, string>> {
  return (await admin.describeConfigs([{ type: 'topic', name: topic }], { overridesOnly: true })).get(`topic:${topic}`) ?? {};
}

async function remove(admin: Admin, p: ParsedArgs): Promise<number> {
  const topics = topicsOf(p);
  if (topics.length === 0) throw new UsageError('topics delete needs a topic');
  const existing = new Set(await admin.listTopics({ includeInternal: true }));
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0 && !p.flags.has('if-exists')) {
    throw new Error(`topic ${missing.join(', ')} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`);
  }
  const present = topics.filter((t) => existing.has(t));
  if (present.length > 0) await admin.deleteTopics(present);
  await writeOut(present.map((t) => `Deleted topic ${t}.\n`).join(''));
  return 0;
}

async function alterConfig(admin: Admin, p: ParsedArgs): Promise<number> {
  const name = oneTopic(p, 'alter-config');
  const changes: Record<string, string | null> = configValues(p.repeated.get('add-config') ?? [], 'add-config');
  for (const k of names(p.repeated.get('delete-config') ?? [])) changes[k] = null;
  if (Object.keys(changes).length === 0) throw new UsageError('topics alter-config needs --add-config or --delete-config');
  await admin.alterConfigs({ type: 'topic', name }, changes);
  await writeOut(`Completed updating config for topic ${name}.\n`);
  return 0;
}

const run = adminSubcommands('topics', USAGE, SPEC, {
  list,
  create,
  describe,
  delete: remove,
  'alter-config': alterConfig,
});

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'list, create, describe, delete topics and alter their configs',
  usage: USAGE,
  run,
};
