// `tributary topics list|create|describe|delete|alter-config`: topic administration through
// @tributary/client's admin, with kafka-topics.sh's option names and output layout
// (`Topic: x<TAB>TopicId: ...<TAB>PartitionCount: 3 ...`, then one line per partition).
// `describe`'s Configs are those not from Kafka's defaults (the topic's overrides and the broker
// settings it inherits), as kafka-topics.sh lists them. `alter-config` takes kafka-configs.sh's
// `--add-config k=v,...` (a list value in brackets: `cleanup.policy=[compact,delete]`) and
// `--delete-config k,...`; `create --config` also takes kafka-topics.sh's `cleanup.policy=compact,delete`.
// `describe --under-replicated-partitions` and the other reports: partition-reports.ts.
// `alter <topic> --partitions N` adds partitions (kafka-topics.sh --alter; never fewer);
// `offsets [<topic> ...]` prints each partition's earliest and latest offset (kafka-get-offsets.sh
// with --time -2 and -1 at once; rpk's LOG-START-OFFSET and HIGH-WATERMARK). `list`, `describe`
// and `offsets` take `--output json`.
import type { Admin } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { configValues, intOption, names, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, table, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';
import { REPORT_FLAGS, partitionReported, reportOf } from './partition-reports.ts';

const USAGE = `Usage: tributary topics <list|create|describe|delete|alter|alter-config|offsets> [options]

  topics list [--exclude-internal]
  topics create <topic> [--partitions N] [--replication-factor N] [--config k=v ...] [--if-not-exists]
  topics describe [<topic> ...] [--exclude-internal]   (every topic when none is named)
                  [--under-replicated-partitions | --under-min-isr-partitions | --at-min-isr-partitions
                   | --unavailable-partitions | --topics-with-overrides]
  topics delete <topic> [...] [--if-exists]
  topics alter <topic> --partitions N           (adds partitions: N is the new total, more than now)
  topics alter-config <topic> [--add-config k=v,...] [--delete-config k,...]
  topics offsets [<topic> ...] [--exclude-internal]   earliest and latest offset of each partition

A topic may also be given as --topic <name> (repeatable, comma-separated).
list, describe and offsets take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = {
  values: ['partitions', 'replication-factor', OUTPUT_OPTION],
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
  const json = isJsonOutput(p);
  const topics = await admin.listTopics({ includeInternal: !p.flags.has('exclude-internal') });
  if (json) await writeJson(topics);
  else await writeOut(topics.map((t) => t + '\n').join(''));
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
  const json = isJsonOutput(p);
  let topics = topicsOf(p);
  if (topics.length === 0) topics = await admin.listTopics({ includeInternal: !p.flags.has('exclude-internal') });
  if (topics.length === 0) {
    if (json) await writeJson([]);
    return 0;
  }
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
  const docs: unknown[] = [];
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
      if (json) {
        docs.push({
          name: d.name,
          topicId: d.topicId,
          internal: d.internal,
          partitionCount: d.partitions.length,
          replicationFactor: rf,
          configs: overrides ?? topicConfigs,
          partitions: report === 'topics-with-overrides' ? undefined : d.partitions.map(partitionJson),
        });
        continue;
      }
      out += `Topic: ${d.name}\tTopicId: ${d.topicId}\tPartitionCount: ${d.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${cfg}\n`;
      if (report === 'topics-with-overrides') continue;
    }
    const minIsrValue = topicConfigs['min.insync.replicas'];
    const minIsr = minIsrValue === undefined ? undefined : Number(minIsrValue);
    for (const x of d.partitions) {
      if (partitionReport && !partitionReported(partitionReport, x, minIsr, live)) continue;
      if (json) {
        docs.push({ topic: d.name, ...partitionJson(x) });
        continue;
      }
      out += `\tTopic: ${d.name}\tPartition: ${x.partition}\tLeader: ${x.leader < 0 ? 'none' : x.leader}\tReplicas: ${x.replicas.join(',')}\tIsr: ${x.isr.join(',')}\n`;
    }
  }
  if (json) await writeJson(docs);
  else await writeOut(out);
  return 0;
}

function partitionJson(x: { partition: number; leader: number; replicas: number[]; isr: number[] }) {
  return { partition: x.partition, leader: x.leader < 0 ? null : x.leader, replicas: x.replicas, isr: x.isr };
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

/** kafka-topics.sh --alter --partitions: CreatePartitions to the new total. */
async function alter(admin: Admin, p: ParsedArgs): Promise<number> {
  const name = oneTopic(p, 'alter');
  const partitions = intOption(p, 'partitions');
  if (partitions === undefined) throw new UsageError('topics alter needs --partitions N (the new partition count)');
  if (partitions < 1) throw new UsageError('--partitions must be at least 1');
  const [d] = await admin.describeTopics([name]);
  const current = d!.partitions.length;
  if (partitions <= current) {
    throw new Error(
      `topic ${name} has ${current} partitions; the number of partitions for a topic can only be increased (INVALID_PARTITIONS)`,
    );
  }
  await admin.createPartitions(name, partitions);
  await writeOut(`Increased the partition count of topic ${name} from ${current} to ${partitions}.\n`);
  return 0;
}

/** Each partition's earliest (log start) and latest (high watermark) offset. */
async function offsets(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  let topics = topicsOf(p);
  if (topics.length === 0) topics = await admin.listTopics({ includeInternal: !p.flags.has('exclude-internal') });
  const rows: Array<{ topic: string; partition: number; earliest: bigint; latest: bigint }> = [];
  for (const topic of topics.sort()) {
    const earliest = await admin.listOffsets(topic, 'earliest');
    const latest = new Map((await admin.listOffsets(topic, 'latest')).map((o) => [o.partition, o.offset]));
    for (const e of earliest) rows.push({ topic, partition: e.partition, earliest: e.offset, latest: latest.get(e.partition) ?? e.offset });
  }
  if (json) {
    await writeJson(rows.map((r) => ({ ...r, records: r.latest - r.earliest })));
    return 0;
  }
  await writeOut(
    table(
      ['TOPIC', 'PARTITION', 'EARLIEST-OFFSET', 'LATEST-OFFSET', 'RECORDS'],
      rows.map((r) => [r.topic, String(r.partition), String(r.earliest), String(r.latest), String(r.latest - r.earliest)]),
    ),
  );
  return 0;
}

const run = adminSubcommands('topics', USAGE, SPEC, {
  list,
  create,
  describe,
  delete: remove,
  alter,
  'alter-config': alterConfig,
  offsets,
});

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'list, create, describe, delete topics, add partitions, alter their configs, show their offsets',
  usage: USAGE,
  run,
};
