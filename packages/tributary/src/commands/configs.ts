// `tributary configs describe`: a topic's or a broker's configs with where each value comes from,
// as `kafka-configs.sh --describe` prints them (`name=value sensitive=false synonyms={SOURCE:name=value, ...}`,
// the first synonym being the value's own source). Without --all only the resource's own dynamic
// configs (a topic's overrides; a broker's, or the cluster-wide default's with --entity-default),
// with --all every config. `--topic t` / `--broker id` are short for --entity-type/--entity-name.
// `--output json` gives [{name, value, source, isSensitive, readOnly, synonyms}].
import type { Admin, ConfigEntry, ConfigResource, ConfigSourceName } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary configs describe (--entity-type topics|brokers (--entity-name <name> | --entity-default)
                                  | --topic <name> | --broker <id> | --broker-defaults) [--all]

Prints a topic's or broker's configs as kafka-configs.sh --describe: each with its value, whether
it is sensitive, and its synonyms (the value from each source, its own first): DYNAMIC_TOPIC_CONFIG,
DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG (server.properties),
DEFAULT_CONFIG. Without --all only the dynamic ones set on that topic or broker.
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = {
  values: ['entity-type', 'entity-name', 'topic', 'broker', OUTPUT_OPTION],
  flags: ['all', 'entity-default', 'broker-defaults', 'describe'],
} as const;

interface Target {
  resource: ConfigResource;
  /** Kafka's words for the header: "topic orders", "broker 1", "default broker". */
  label: string;
}

function targetOf(p: ParsedArgs): Target {
  const topic = p.values.get('topic');
  const broker = p.values.get('broker');
  const type = p.values.get('entity-type');
  const name = p.values.get('entity-name');
  const isDefault = p.flags.has('entity-default') || p.flags.has('broker-defaults');
  const given = [topic !== undefined, broker !== undefined, type !== undefined || p.flags.has('broker-defaults')].filter(Boolean).length;
  if (given !== 1) throw new UsageError('configs describe needs one of --entity-type, --topic, --broker, --broker-defaults');
  if (topic !== undefined) return { resource: { type: 'topic', name: topic }, label: `topic ${topic}` };
  if (broker !== undefined) return brokerTarget(broker);
  if (p.flags.has('broker-defaults')) return { resource: { type: 'broker', name: '' }, label: 'default broker' };
  if (type !== 'topics' && type !== 'brokers') throw new UsageError(`--entity-type must be topics or brokers, got "${type}"`);
  if ((name !== undefined) === isDefault)
    throw new UsageError('--entity-type needs --entity-name <name> or --entity-default (one of them)');
  if (type === 'topics') {
    if (isDefault) throw new UsageError('topics have no --entity-default (the broker defaults are --entity-type brokers --entity-default)');
    return { resource: { type: 'topic', name: name! }, label: `topic ${name}` };
  }
  if (isDefault) return { resource: { type: 'broker', name: '' }, label: 'default broker' };
  return brokerTarget(name!);
}

function brokerTarget(id: string): Target {
  if (!/^\d+$/.test(id)) throw new UsageError(`a broker is named by its id, got "${id}"`);
  return { resource: { type: 'broker', name: id }, label: `broker ${id}` };
}

/** The source of the resource's own dynamic configs (Kafka's filter without --all). */
function ownSource(resource: ConfigResource): ConfigSourceName {
  if (resource.type === 'topic') return 'DYNAMIC_TOPIC_CONFIG';
  return resource.name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG';
}

export function configLine(e: ConfigEntry): string {
  const value = e.isSensitive ? null : e.value;
  const synonyms = e.synonyms.map((s) => `${s.source}:${s.name}=${e.isSensitive ? null : s.value}`).join(', ');
  return `  ${e.name}=${value} sensitive=${e.isSensitive} synonyms={${synonyms}}\n`;
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  const { resource, label } = targetOf(p);
  const all = p.flags.has('all');
  if (resource.type === 'topic') {
    // DescribeConfigs answers an unknown topic with UNKNOWN_TOPIC_OR_PARTITION; say it as Kafka's tool does
    const topics = await admin.listTopics({ includeInternal: true });
    if (!topics.includes(resource.name)) throw new Error(`topic ${resource.name} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`);
  }
  const own = ownSource(resource);
  const entries = (await admin.describeConfigEntries(resource)).filter((e) => all || e.source === own);
  if (json) {
    await writeJson(entries.map((e) => (e.isSensitive ? { ...e, value: null } : e)));
    return 0;
  }
  await writeOut(`${all ? 'All' : 'Dynamic'} configs for ${label} are:\n` + entries.map(configLine).join(''));
  return 0;
}

export const configsCommand: Command = {
  name: 'configs',
  summary: "describe a topic's or broker's configs with the source of each value (kafka-configs.sh --describe)",
  usage: USAGE,
  run: adminSubcommands('configs', USAGE, SPEC, { describe }),
};
