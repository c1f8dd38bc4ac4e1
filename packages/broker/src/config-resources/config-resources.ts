// Config resources for DescribeConfigs / AlterConfigs / IncrementalAlterConfigs: how Kafka's
// ConfigHelper describes a topic's and a broker's configuration (value, source, readOnly,
// isSensitive, synonyms, configType, documentation; groups: group-config.ts, the broker's loggers:
// broker-logger.ts), which broker settings Kafka can change
// dynamically, and how a BROKER resource name is resolved (empty = cluster-wide default, or this
// node's id).
//
// Topic config synonyms follow Kafka's ServerTopicConfigSynonyms (retention.ms -> log.retention.ms,
// log.retention.minutes, log.retention.hours): the topic override first (DYNAMIC_TOPIC_CONFIG), then
// each broker name with its static value (STATIC_BROKER_CONFIG) and its default (DEFAULT_CONFIG).
// Broker names Tributary does not define (log.preallocate, log.segment.delete.delay.ms, ...) are
// reported with the default Tributary applies. Kafka's Long.MAX_VALUE ("never"), held as 2^53-1, is
// shown as 9223372036854775807; DOUBLE values as Java writes them (0.5, 1.0, 1.7976931348623157E308).
import {
  ErrorCode,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsSynonym,
} from '@tributary/protocol';
import type { BrokerConfig } from '../config/broker-config.ts';
import { BROKER_CONFIG_DEFS, type BrokerConfigName, type ConfigDef } from '../config/definitions.ts';
import { javaDouble } from '../config/config-def.ts';
import { KAFKA_DYNAMIC_BROKER_CONFIGS } from './dynamic-broker-config.ts';
import { dynamicValues } from '../metadata/dynamic-config-publisher.ts';
import { CONFIG_SOURCE, TOPIC_CONFIG_DEFS, effectiveTopicConfig } from '../metadata/topic-config.ts';
import { type AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';

/** Kafka's ConfigResource.Type ids (not the ACL ResourceType of server/authorizer.ts). */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, GROUP: 32 } as const;

/** DescribeConfigs ConfigSource ids. */
const SOURCE = { ...CONFIG_SOURCE, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3 } as const;

/** ConfigDef.Type ids as DescribeConfigs v3+ reports them. */
const CONFIG_TYPE: Record<string, number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7 };

const LONG_MAX_TEXT = '9223372036854775807';

/** Kafka's server-side synonyms of each topic config, highest precedence first. */
const TOPIC_SYNONYMS: Record<string, string[]> = {
  'cleanup.policy': ['log.cleanup.policy'],
  'compression.type': ['compression.type'],
  'delete.retention.ms': ['log.cleaner.delete.retention.ms'],
  'file.delete.delay.ms': ['log.segment.delete.delay.ms'],
  'flush.messages': ['log.flush.interval.messages'],
  'flush.ms': ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  'index.interval.bytes': ['log.index.interval.bytes'],
  'max.compaction.lag.ms': ['log.cleaner.max.compaction.lag.ms'],
  'max.message.bytes': ['message.max.bytes'],
  'message.downconversion.enable': ['log.message.downconversion.enable'],
  'message.format.version': ['log.message.format.version'],
  'message.timestamp.after.max.ms': ['log.message.timestamp.after.max.ms'],
  'message.timestamp.before.max.ms': ['log.message.timestamp.before.max.ms'],
  'message.timestamp.difference.max.ms': ['log.message.timestamp.difference.max.ms'],
  'message.timestamp.type': ['log.message.timestamp.type'],
  'min.cleanable.dirty.ratio': ['log.cleaner.min.cleanable.ratio'],
  'min.compaction.lag.ms': ['log.cleaner.min.compaction.lag.ms'],
  'min.insync.replicas': ['min.insync.replicas'],
  preallocate: ['log.preallocate'],
  'retention.bytes': ['log.retention.bytes'],
  'retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'segment.bytes': ['log.segment.bytes'],
  'segment.index.bytes': ['log.index.size.max.bytes'],
  'segment.jitter.ms': ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  'segment.ms': ['log.roll.ms', 'log.roll.hours'],
  'unclean.leader.election.enable': ['unclean.leader.election.enable'],
};

/** Broker names that are synonyms of each other (DynamicBrokerConfig.brokerConfigSynonyms). */
const BROKER_SYNONYM_GROUPS: string[][] = [
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ['log.roll.ms', 'log.roll.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  ['node.id', 'broker.id'],
];

export type ConfigEntry = DescribeConfigsResponseDescribeConfigsResourceResult;
type Synonym = DescribeConfigsResponseDescribeConfigsSynonym;

export interface DescribeOptions {
  /** null or empty: every config. */
  names: string[] | null;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

function showLong(v: string): string {
  return v === String(Number.MAX_SAFE_INTEGER) ? LONG_MAX_TEXT : v;
}

function brokerValueText(name: BrokerConfigName, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.join(',');
  if ((BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[name]?.type === 'double') return javaDouble(Number(value));
  return showLong(String(value));
}

/** Static (when set) and default (when there is one) entries of a broker setting. */
function brokerSynonymEntries(broker: BrokerConfig, name: string): Synonym[] {
  const def = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[name];
  if (!def) return [];
  const out: Synonym[] = [];
  const n = name as BrokerConfigName;
  if (broker.isSet(n))
    out.push({ name, value: def.sensitive ? null : brokerValueText(n, broker.staticGet(n)), source: SOURCE.STATIC_BROKER_CONFIG });
  if (def.default !== null) out.push({ name, value: brokerValueText(n, def.default), source: SOURCE.DEFAULT_CONFIG });
  return out;
}

function wanted(opts: DescribeOptions, name: string): boolean {
  return opts.names === null || opts.names.length === 0 || opts.names.includes(name);
}

/**
 * Every config of a topic (its overrides plus broker defaults), as Kafka describes them. `dynamic`:
 * the stored dynamic broker configs; those the broker applies are synonyms (this broker's first,
 * then the cluster-wide default's, then static and default values).
 */
export function describeTopicConfigs(
  overrides: Record<string, string>,
  broker: BrokerConfig,
  opts: DescribeOptions,
  dynamic: DynamicBrokerConfigs = { broker: {}, clusterDefault: {} },
): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  const own = dynamicValues({ broker: dynamic.broker, clusterDefault: {} }).values;
  const dflt = dynamicValues({ broker: {}, clusterDefault: dynamic.clusterDefault }).values;
  for (const e of effectiveTopicConfig(overrides, broker)) {
    if (!wanted(opts, e.name)) continue;
    const def = TOPIC_CONFIG_DEFS[e.name]!;
    const value = def.kind === 'long' ? showLong(e.value) : e.value;
    const synonyms: Synonym[] = [];
    if (opts.includeSynonyms) {
      if (e.source === 'DYNAMIC_TOPIC_CONFIG') synonyms.push({ name: e.name, value, source: SOURCE.DYNAMIC_TOPIC_CONFIG });
      const names = TOPIC_SYNONYMS[e.name] ?? [];
      for (const [applied, stored, source] of [
        [own, dynamic.broker, SOURCE.DYNAMIC_BROKER_CONFIG],
        [dflt, dynamic.clusterDefault, SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ] as const) {
        for (const n of names) if (applied.has(n as BrokerConfigName)) synonyms.push({ name: n, value: stored[n]!, source });
      }
      for (const n of names) synonyms.push(...brokerSynonymEntries(broker, n));
      // Kafka's default for a broker name Tributary does not define: what Tributary applies.
      const last = names[names.length - 1];
      if (last !== undefined && !(last in BROKER_CONFIG_DEFS)) {
        const fallback = def.fallback(broker);
        synonyms.push({ name: last, value: def.kind === 'long' ? showLong(fallback) : fallback, source: SOURCE.DEFAULT_CONFIG });
      }
    }
    out.push({
      name: e.name,
      value,
      readOnly: false,
      isDefault: e.source === 'DEFAULT_CONFIG',
      configSource: SOURCE[e.source],
      isSensitive: false,
      synonyms,
      configType: CONFIG_TYPE[def.kind] ?? 0,
      documentation: opts.includeDocumentation ? def.doc : null,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A BROKER resource's dynamic configs: this broker's own and the cluster-wide default ones. */
export interface DynamicBrokerConfigs {
  broker: Readonly<Record<string, string>>;
  clusterDefault: Readonly<Record<string, string>>;
}

function dynamicEntries(name: string, dynamic: DynamicBrokerConfigs, perBroker: boolean): Synonym[] {
  const out: Synonym[] = [];
  const sensitive = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[name]?.sensitive === true;
  const b = perBroker ? dynamic.broker[name] : undefined;
  if (b !== undefined) out.push({ name, value: sensitive ? null : b, source: SOURCE.DYNAMIC_BROKER_CONFIG });
  const d = dynamic.clusterDefault[name];
  if (d !== undefined) out.push({ name, value: sensitive ? null : d, source: SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG });
  return out;
}

/**
 * Every broker setting, as Kafka's ConfigHelper describes a BROKER resource: for this node's id
 * (perBroker) every setting Tributary defines plus any other dynamic one, each from its
 * highest-precedence source (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
 * STATIC_BROKER_CONFIG, DEFAULT_CONFIG); for the cluster-wide default resource (""), only its
 * dynamic configs. Synonyms: every source of each synonym name, highest first.
 */
export function describeBrokerConfigs(
  broker: BrokerConfig,
  dynamic: DynamicBrokerConfigs,
  perBroker: boolean,
  opts: DescribeOptions,
): ConfigEntry[] {
  const defs = BROKER_CONFIG_DEFS as Record<string, ConfigDef>;
  const names = perBroker
    ? new Set([...Object.keys(defs), ...Object.keys(dynamic.broker), ...Object.keys(dynamic.clusterDefault)])
    : new Set(Object.keys(dynamic.clusterDefault));
  const out: ConfigEntry[] = [];
  for (const name of names) {
    if (!wanted(opts, name)) continue;
    const raw = defs[name];
    const n = name as BrokerConfigName;
    const own = [
      ...dynamicEntries(name, dynamic, perBroker),
      ...(raw && broker.isSet(n) ? [{ name, value: null, source: SOURCE.STATIC_BROKER_CONFIG }] : []),
    ];
    const top = own[0];
    const value = top && top.source !== SOURCE.STATIC_BROKER_CONFIG ? top.value : raw ? brokerValueText(n, broker.staticGet(n)) : null;
    const source = top ? top.source : SOURCE.DEFAULT_CONFIG;
    const synonyms: Synonym[] = [];
    if (opts.includeSynonyms) {
      const group = BROKER_SYNONYM_GROUPS.find((g) => g.includes(name)) ?? [name];
      for (const s of group) synonyms.push(...dynamicEntries(s, dynamic, perBroker), ...brokerSynonymEntries(broker, s));
    }
    out.push({
      name,
      value: raw?.sensitive ? null : value,
      readOnly: !KAFKA_DYNAMIC_BROKER_CONFIGS.has(name),
      isDefault: source === SOURCE.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: raw?.sensitive === true,
      synonyms,
      configType: raw ? (CONFIG_TYPE[raw.type] ?? 0) : CONFIG_TYPE.string!,
      documentation: opts.includeDocumentation ? (raw?.doc ?? null) : null,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface ResourceError {
  errorCode: number;
  errorMessage: string;
}

/**
 * Resolves a BROKER resource name as Kafka does: '' is the cluster-wide default resource, a
 * number must be this node's id. Returns 'default', 'node', or the error.
 */
export function resolveBrokerResource(name: string, nodeId: number): 'default' | 'node' | ResourceError {
  if (name === '') return 'default';
  if (!/^-?\d+$/.test(name))
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Broker id must be an integer, but it is: ${name}` };
  if (Number(name) !== nodeId) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`,
    };
  }
  return 'node';
}

export function unsupportedResourceType(type: number): ResourceError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${type}` };
}

/** Asks the request's Authorizer (RequestContext.authorize). */
export type Authorize = (operation: AclOperation, resourceType: ResourceType, resourceName: string) => boolean;

/**
 * Kafka's authorization of a config resource (ConfigHelper / ControllerApis): `operation`
 * (DESCRIBE_CONFIGS or ALTER_CONFIGS) on the topic, on the group for GROUP resources, or on the
 * cluster for BROKER and BROKER_LOGGER resources. The error code when refused (TOPIC / GROUP /
 * CLUSTER_AUTHORIZATION_FAILED); null when allowed or for another resource type.
 */
export function configAuthorizationError(
  authorize: Authorize,
  operation: AclOperation,
  resourceType: number,
  resourceName: string,
): number | null {
  switch (resourceType) {
    case ConfigResourceType.TOPIC:
      return authorize(operation, ResourceType.TOPIC, resourceName) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    case ConfigResourceType.BROKER:
    case ConfigResourceType.BROKER_LOGGER:
      return authorize(operation, ResourceType.CLUSTER, CLUSTER_NAME) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    case ConfigResourceType.GROUP:
      return authorize(operation, ResourceType.GROUP, resourceName) ? null : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    default:
      return null;
  }
}
