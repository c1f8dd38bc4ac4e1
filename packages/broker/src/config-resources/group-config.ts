// GROUP config resources (resource type 32, Kafka 4's group configs: KIP-848 / KIP-932), as Kafka
// 4.0's GroupConfig defines, validates and describes them:
//
//   consumer.session.timeout.ms     INT >= 1, default group.consumer.session.timeout.ms, within
//                                   group.consumer.min/max.session.timeout.ms
//   consumer.heartbeat.interval.ms  INT >= 1, default group.consumer.heartbeat.interval.ms, within
//                                   group.consumer.min/max.heartbeat.interval.ms
//   share.session.timeout.ms        INT >= 1, default 45000, within group.share.min/max.session.timeout.ms
//   share.heartbeat.interval.ms     INT >= 1, default 5000, within group.share.min/max.heartbeat.interval.ms
//   share.record.lock.duration.ms   INT >= 1000, default group.share.record.lock.duration.ms (30000),
//                                   within group.share.min/max.record.lock.duration.ms
//   share.auto.offset.reset         STRING latest | earliest, default latest
//
// Validation (the controller's, Kafka's ControllerConfigurationValidator and GroupConfigManager):
// the group's whole resulting set, over the consumer defaults; every failure INVALID_CONFIG with
// Kafka's message: "Null value not supported for group configs: a,b", "Unknown group config name:
// x", "Invalid value x for configuration n: Not a number of type INT" / "Value must be at least 1"
// / "String must be one of: latest, earliest", "consumer.session.timeout.ms must be greater than or
// equal to group.consumer.min.session.timeout.ms" (and less than or equal to the max, for each
// bound), "consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms".
//
// DescribeConfigs (Kafka's ConfigHelper.createGroupConfigEntry): every name, the group's value
// (source GROUP_CONFIG, 8) or the default (DEFAULT_CONFIG, 5); one synonym, itself; not read-only.
// A group needs not exist to have configs. Tributary has no KIP-848 consumer protocol and no share
// groups: the values are stored (ConfigRecords, resource type 32) and described, never applied.
import type { BrokerConfig } from '../config/broker-config.ts';
import type { BrokerConfigName } from '../config/definitions.ts';
import type { ConfigEntry, DescribeOptions } from './config-resources.ts';

/** DescribeConfigs ConfigSource ids and ConfigType ids. */
const GROUP_CONFIG = 8;
const DEFAULT_CONFIG = 5;
const CONFIG_TYPE = { int: 3, string: 2 } as const;

interface GroupConfigDef {
  type: 'int' | 'string';
  /** Kafka's GroupConfig default. */
  default: string;
  /** The broker setting the described default comes from (extractGroupConfigMap). */
  describedDefault?: BrokerConfigName;
  /** The broker setting the validation's default comes from (extractConsumerGroupConfigMap). */
  validatedDefault?: BrokerConfigName;
  min?: number;
  oneOf?: string[];
  /** The bounds' broker settings: [min, max]. */
  bounds?: [BrokerConfigName, BrokerConfigName];
  doc: string;
}

const NOT_APPLIED = ' Stored and described; Tributary has no KIP-848 consumer protocol, so it has no effect.';
const NOT_APPLIED_SHARE = ' Stored and described; Tributary has no share groups, so it has no effect.';

/** Kafka 4.0's GroupConfig, in its definition order (the order values are parsed and checked in). */
export const GROUP_CONFIG_DEFS: Readonly<Record<string, GroupConfigDef>> = {
  'consumer.session.timeout.ms': {
    type: 'int',
    default: '45000',
    describedDefault: 'group.consumer.session.timeout.ms',
    validatedDefault: 'group.consumer.session.timeout.ms',
    min: 1,
    bounds: ['group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms'],
    doc: `The timeout to detect client failures when using the consumer group protocol.${NOT_APPLIED}`,
  },
  'consumer.heartbeat.interval.ms': {
    type: 'int',
    default: '5000',
    describedDefault: 'group.consumer.heartbeat.interval.ms',
    validatedDefault: 'group.consumer.heartbeat.interval.ms',
    min: 1,
    bounds: ['group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms'],
    doc: `The heartbeat interval given to the members of a consumer group.${NOT_APPLIED}`,
  },
  'share.session.timeout.ms': {
    type: 'int',
    default: '45000',
    min: 1,
    bounds: ['group.share.min.session.timeout.ms', 'group.share.max.session.timeout.ms'],
    doc: `The timeout to detect client failures when using the share group protocol.${NOT_APPLIED_SHARE}`,
  },
  'share.heartbeat.interval.ms': {
    type: 'int',
    default: '5000',
    min: 1,
    bounds: ['group.share.min.heartbeat.interval.ms', 'group.share.max.heartbeat.interval.ms'],
    doc: `The heartbeat interval given to the members of a share group.${NOT_APPLIED_SHARE}`,
  },
  'share.record.lock.duration.ms': {
    type: 'int',
    default: '30000',
    describedDefault: 'group.share.record.lock.duration.ms',
    min: 1000,
    bounds: ['group.share.min.record.lock.duration.ms', 'group.share.max.record.lock.duration.ms'],
    doc: `The record acquisition lock duration in milliseconds for share groups.${NOT_APPLIED_SHARE}`,
  },
  'share.auto.offset.reset': {
    type: 'string',
    default: 'latest',
    oneOf: ['latest', 'earliest'],
    doc: `The strategy to initialize the share-partition start offset.${NOT_APPLIED_SHARE}`,
  },
};

/** The order Kafka's GroupConfig.validateValues checks the bounds in. */
const BOUNDS_ORDER = [
  'consumer.heartbeat.interval.ms',
  'consumer.session.timeout.ms',
  'share.heartbeat.interval.ms',
  'share.session.timeout.ms',
  'share.record.lock.duration.ms',
];

export interface GroupConfigProblem {
  errorCode: number;
  errorMessage: string;
}

const INVALID_CONFIG = 40;
const problem = (errorMessage: string): GroupConfigProblem => ({ errorCode: INVALID_CONFIG, errorMessage });

/** Kafka's ConfigDef.parse of one value: the parsed value, or the ConfigException's message. */
function parse(name: string, def: GroupConfigDef, raw: string): { value: number | string } | { problem: string } {
  const v = raw.trim();
  const bad = (why: string) => ({ problem: `Invalid value ${raw} for configuration ${name}: ${why}` });
  if (def.type === 'string') {
    if (def.oneOf && !def.oneOf.includes(v))
      return { problem: `Invalid value ${v} for configuration ${name}: String must be one of: ${def.oneOf.join(', ')}` };
    return { value: v };
  }
  if (!/^[+-]?\d+$/.test(v) || Math.abs(Number(v)) > 2147483647) return bad('Not a number of type INT');
  const n = Number(v);
  if (def.min !== undefined && n < def.min)
    return { problem: `Invalid value ${n} for configuration ${name}: Value must be at least ${def.min}` };
  return { value: n };
}

/**
 * Validates a group's whole resulting set of configs as Kafka 4.0's controller does (see the
 * header); the configs as stored, or the problem.
 */
export function validateGroupConfigs(
  configs: Readonly<Record<string, string | null>>,
  broker: BrokerConfig,
): { configs: Record<string, string> } | GroupConfigProblem {
  const nulls = Object.keys(configs).filter((k) => configs[k] === null);
  if (nulls.length > 0) return problem(`Null value not supported for group configs: ${nulls.join(',')}`);
  const unknown = Object.keys(configs).find((k) => !(k in GROUP_CONFIG_DEFS));
  if (unknown !== undefined) return problem(`Unknown group config name: ${unknown}`);
  const values: Record<string, number | string> = {};
  for (const [name, def] of Object.entries(GROUP_CONFIG_DEFS)) {
    const raw = configs[name] ?? (def.validatedDefault ? String(broker.get(def.validatedDefault)) : def.default);
    const p = parse(name, def, raw);
    if ('problem' in p) return problem(p.problem);
    values[name] = p.value;
  }
  for (const name of BOUNDS_ORDER) {
    const [min, max] = GROUP_CONFIG_DEFS[name]!.bounds!;
    if ((values[name] as number) < (broker.get(min) as number)) return problem(`${name} must be greater than or equal to ${min}`);
    if ((values[name] as number) > (broker.get(max) as number)) return problem(`${name} must be less than or equal to ${max}`);
  }
  for (const kind of ['consumer', 'share']) {
    if ((values[`${kind}.session.timeout.ms`] as number) <= (values[`${kind}.heartbeat.interval.ms`] as number))
      return problem(`${kind}.session.timeout.ms must be greater than ${kind}.heartbeat.interval.ms`);
  }
  return { configs: Object.fromEntries(Object.entries(configs).map(([k, v]) => [k, v!])) };
}

/** A group's configs as DescribeConfigs answers them (see the header), sorted by name. */
export function describeGroupConfigs(
  overrides: Readonly<Record<string, string>>,
  broker: BrokerConfig,
  opts: DescribeOptions,
): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  for (const [name, def] of Object.entries(GROUP_CONFIG_DEFS)) {
    if (opts.names !== null && opts.names.length > 0 && !opts.names.includes(name)) continue;
    const own = overrides[name];
    const raw = own ?? (def.describedDefault ? String(broker.get(def.describedDefault)) : def.default);
    const parsed = parse(name, def, raw);
    const value = 'value' in parsed ? String(parsed.value) : raw;
    const source = own !== undefined ? GROUP_CONFIG : DEFAULT_CONFIG;
    out.push({
      name,
      value,
      readOnly: false,
      isDefault: own === undefined,
      configSource: source,
      isSensitive: false,
      synonyms: opts.includeSynonyms ? [{ name, value, source }] : [],
      configType: CONFIG_TYPE[def.type],
      documentation: opts.includeDocumentation ? def.doc : null,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
