// Topic-level configuration: Kafka's topic config names, their broker-level defaults (the
// `log.*` / `message.max.bytes` / ... settings), validation as Kafka's LogConfig does, and the
// mapping onto storage's LogConfig.
//
// A topic stores only its overrides (what CreateTopics / AlterConfigs set); the effective value
// of every other name comes from the broker configuration (a dynamic broker config applied over it:
// DYNAMIC_BROKER_CONFIG or DYNAMIC_DEFAULT_BROKER_CONFIG; else STATIC_BROKER_CONFIG when set there,
// DEFAULT_CONFIG otherwise), as DescribeConfigs reports it.
//
// Validation errors are TopicConfigError (INVALID_CONFIG, 40) with Kafka's messages, including
// Kafka's one cross-field check (LogConfig.validateValues): the effective min.compaction.lag.ms
// (override, else broker default) must not exceed the effective max.compaction.lag.ms.
//
// DOUBLE values are kept as Java's Double.toString writes them (1 -> 1.0), as Kafka describes them.
import { ErrorCode, type HasErrorCode } from '@tributary/protocol';
import { LONG_MAX, logConfig, type LogConfig } from '@tributary/storage';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { BrokerConfigName } from '../config/definitions.ts';
import { javaDouble } from '../config/config-def.ts';
import { MESSAGE_FORMAT_VERSION_DEFAULT, metadataVersionProblem } from './metadata-version-string.ts';
import { throttledReplicasProblem } from '../quota/replication-quota.ts';
import { unappliedTopicConfigValue, undefinedKafkaTopicConfig } from './topic-config-support.ts';

export class TopicConfigError extends Error implements HasErrorCode {
  readonly errorCode = ErrorCode.INVALID_CONFIG;
  constructor(message: string) {
    super(message);
    this.name = 'TopicConfigError';
  }
}

type Kind = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double';

interface TopicConfigDef {
  kind: Kind;
  /** The broker setting supplying the default (absent: `fallback`). */
  broker?: BrokerConfigName;
  /** Default when there is no broker setting, or computed from the broker config. */
  fallback: (c: BrokerConfig) => string;
  /** A problem with the value, or (for a list) with one of its items. */
  validate?: (v: string) => string | { value: string; problem: string } | undefined;
  doc: string;
}

const INT_RE = /^-?\d+$/;
const COMPRESSION = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
const atLeast = (min: number) => (v: string) => (Number(v) < min ? `Value must be at least ${min}` : undefined);
const oneOf = (allowed: string[]) => (v: string) => (allowed.includes(v) ? undefined : `String must be one of: ${allowed.join(', ')}`);
/** Kafka's ValidList.in, item by item (ConfigException names the offending item). */
const listOf = (allowed: string[]) => (v: string) => {
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (items.length === 0) return `Must contain at least one of: ${allowed.join(', ')}`;
  const bad = items.find((x) => !allowed.includes(x));
  return bad === undefined ? undefined : { value: bad, problem: `String must be one of: ${allowed.join(', ')}` };
};
/** Kafka's Range.between (inclusive). */
const between = (min: number, max: number) => (v: string) =>
  Number(v) < min ? `Value must be at least ${min}` : Number(v) > max ? `Value must be no more than ${max}` : undefined;
const str = (v: string | number | boolean | null) => (c: BrokerConfig) => String(v);
const fromBroker = (name: BrokerConfigName) => (c: BrokerConfig) => {
  const v = c.get(name);
  return Array.isArray(v) ? v.join(',') : String(v);
};
/** Kafka's ThrottledReplicaListValidator, naming the value as Kafka's List prints it. */
const throttledReplicas = (name: string) => (v: string) => {
  const problem = throttledReplicasProblem(name, v);
  return problem === null ? undefined : { value: `[${v.split(',').join(', ')}]`, problem };
};
const fromBrokerDouble = (name: BrokerConfigName) => (c: BrokerConfig) => javaDouble(Number(c.get(name)));

/** Every topic config Tributary accepts (Kafka's names); `applied` ones change behaviour. */
export const TOPIC_CONFIG_DEFS: Record<string, TopicConfigDef> = {
  'cleanup.policy': {
    kind: 'list',
    broker: 'log.cleanup.policy',
    fallback: fromBroker('log.cleanup.policy'),
    validate: listOf(['compact', 'delete']),
    doc: 'delete: retention.ms and retention.bytes delete old segments. compact: the log cleaner keeps the latest record of each key (records without a key are refused, INVALID_RECORD), tombstones last delete.retention.ms. delete,compact: both.',
  },
  'compression.type': {
    kind: 'string',
    broker: 'compression.type',
    fallback: fromBroker('compression.type'),
    validate: oneOf(COMPRESSION),
    doc: "Codec of stored batches; producer keeps the producer's.",
  },
  'delete.retention.ms': {
    kind: 'long',
    broker: 'log.cleaner.delete.retention.ms',
    fallback: fromBroker('log.cleaner.delete.retention.ms'),
    validate: atLeast(0),
    doc: 'Compacted topics: how long a tombstone (a record with a null value), and a transaction marker, stays once the cleaner has passed it; bounds how long a consumer reading from the start may take to see deletions.',
  },
  'file.delete.delay.ms': {
    kind: 'long',
    fallback: str(60000),
    validate: atLeast(0),
    doc: 'Not applied: deleted segments are removed at once; only 60000 (the default) or 0 is accepted, other values are refused (not supported yet).',
  },
  'flush.messages': {
    kind: 'long',
    broker: 'log.flush.interval.messages',
    fallback: fromBroker('log.flush.interval.messages'),
    validate: atLeast(1),
    doc: 'fsync after this many messages.',
  },
  'flush.ms': {
    kind: 'long',
    broker: 'log.flush.interval.ms',
    fallback: (c) => String(c.get('log.flush.interval.ms') ?? LONG_MAX),
    validate: atLeast(0),
    doc: 'fsync when the oldest unflushed data is this old.',
  },
  'follower.replication.throttled.replicas': {
    kind: 'list',
    fallback: str(''),
    validate: throttledReplicas('follower.replication.throttled.replicas'),
    doc: "Replicas (partition:broker, or '*' for all) whose fetching is throttled on the follower side, to follower.replication.throttled.rate of the broker.",
  },
  'index.interval.bytes': {
    kind: 'int',
    broker: 'log.index.interval.bytes',
    fallback: fromBroker('log.index.interval.bytes'),
    validate: atLeast(0),
    doc: 'Bytes between offset index entries.',
  },
  'leader.replication.throttled.replicas': {
    kind: 'list',
    fallback: str(''),
    validate: throttledReplicas('leader.replication.throttled.replicas'),
    doc: "Replicas (partition:broker, or '*' for all) whose leader throttles what it sends to followers out of the ISR, to leader.replication.throttled.rate of the broker.",
  },
  'max.compaction.lag.ms': {
    kind: 'long',
    broker: 'log.cleaner.max.compaction.lag.ms',
    fallback: fromBroker('log.cleaner.max.compaction.lag.ms'),
    validate: atLeast(1),
    doc: 'Compacted topics: a record stays uncompacted at most this long (its log is cleaned whatever its dirty ratio). At least min.compaction.lag.ms.',
  },
  'max.message.bytes': {
    kind: 'int',
    broker: 'message.max.bytes',
    fallback: fromBroker('message.max.bytes'),
    validate: atLeast(0),
    doc: 'Largest record batch accepted.',
  },
  'message.timestamp.type': {
    kind: 'string',
    broker: 'log.message.timestamp.type',
    fallback: fromBroker('log.message.timestamp.type'),
    validate: oneOf(['CreateTime', 'LogAppendTime']),
    doc: 'CreateTime or LogAppendTime.',
  },
  'message.timestamp.difference.max.ms': {
    kind: 'long',
    fallback: str(LONG_MAX),
    validate: atLeast(0),
    doc: 'Deprecated by Kafka (KIP-937); not applied: only the default is accepted, use message.timestamp.before.max.ms / after.max.ms.',
  },
  'message.timestamp.before.max.ms': {
    kind: 'long',
    fallback: str(LONG_MAX),
    validate: atLeast(0),
    doc: 'CreateTime batches whose first timestamp is older than now minus this are refused (INVALID_TIMESTAMP).',
  },
  'message.timestamp.after.max.ms': {
    kind: 'long',
    fallback: str(3600000),
    validate: atLeast(0),
    doc: 'CreateTime batches whose max timestamp is later than now plus this are refused (INVALID_TIMESTAMP); Kafka 4 default 1 hour.',
  },
  'message.downconversion.enable': {
    kind: 'boolean',
    fallback: str(true),
    doc: 'Whether the broker converts batches down to an older message format for consumers that fetch with an old Fetch version; false refuses such fetches with UNSUPPORTED_VERSION (replication is not affected). Accepted and described as Kafka 3.x does; Tributary never down-converts, so it has no effect.',
  },
  'message.format.version': {
    kind: 'string',
    fallback: str(MESSAGE_FORMAT_VERSION_DEFAULT),
    validate: metadataVersionProblem,
    doc: '[DEPRECATED] The message format version to append to the log, as an inter-broker protocol version (0.10.0, 1.1, 2.8, 3.0, ...). Ignored (taken as 3.0) when inter.broker.protocol.version is 3.0 or later, as always in Tributary: accepted if it names a valid version, no effect.',
  },
  'min.cleanable.dirty.ratio': {
    kind: 'double',
    broker: 'log.cleaner.min.cleanable.ratio',
    fallback: fromBrokerDouble('log.cleaner.min.cleanable.ratio'),
    validate: between(0, 1),
    doc: 'Compacted topics: the log is cleaned once its dirty (not yet compacted) bytes are this share of its cleanable bytes and its dirty records are at least min.compaction.lag.ms old, or at once when they are older than max.compaction.lag.ms.',
  },
  'min.compaction.lag.ms': {
    kind: 'long',
    broker: 'log.cleaner.min.compaction.lag.ms',
    fallback: fromBroker('log.cleaner.min.compaction.lag.ms'),
    validate: atLeast(0),
    doc: 'Compacted topics: a record stays uncompacted at least this long.',
  },
  'min.insync.replicas': {
    kind: 'int',
    broker: 'min.insync.replicas',
    fallback: fromBroker('min.insync.replicas'),
    validate: atLeast(1),
    doc: 'ISR size required by acks=all.',
  },
  preallocate: { kind: 'boolean', fallback: str(false), doc: 'Not applied: only false is accepted (not supported yet).' },
  'retention.bytes': {
    kind: 'long',
    broker: 'log.retention.bytes',
    fallback: fromBroker('log.retention.bytes'),
    doc: 'Largest partition size before old segments are deleted; -1 unlimited.',
  },
  'retention.ms': {
    kind: 'long',
    broker: 'log.retention.ms',
    fallback: (c) => String(c.retentionMs),
    validate: atLeast(-1),
    doc: 'Delete segments older than this; -1 forever.',
  },
  'segment.bytes': {
    kind: 'int',
    broker: 'log.segment.bytes',
    fallback: fromBroker('log.segment.bytes'),
    validate: atLeast(14),
    doc: 'Segment file size.',
  },
  'segment.index.bytes': { kind: 'int', fallback: str(10485760), validate: atLeast(4), doc: 'Offset index size limit.' },
  'segment.jitter.ms': {
    kind: 'long',
    fallback: str(0),
    validate: atLeast(0),
    doc: 'Not applied: only 0 is accepted (not supported yet).',
  },
  'segment.ms': {
    kind: 'long',
    broker: 'log.roll.ms',
    fallback: (c) => String(c.rollMs),
    validate: atLeast(1),
    doc: 'Roll a segment after this time.',
  },
  'unclean.leader.election.enable': {
    kind: 'boolean',
    broker: 'unclean.leader.election.enable',
    fallback: fromBroker('unclean.leader.election.enable'),
    doc: 'Elect a replica outside the ISR when no ISR member is left (may lose data).',
  },
};

/** A value as a topic stores it: a string, as Kafka's config records do. */
export type TopicConfigs = Record<string, string>;

/** Normalises and checks one config value; throws TopicConfigError. */
export function validateTopicConfigValue(name: string, value: string | null): string {
  const def = TOPIC_CONFIG_DEFS[name];
  const undefinedInTributary = undefinedKafkaTopicConfig(name);
  if (undefinedInTributary !== undefined) throw new TopicConfigError(undefinedInTributary);
  if (!def) throw new TopicConfigError(`Unknown topic config name: ${name}`);
  if (value === null) throw new TopicConfigError(`Null value not supported for topic configs: ${name}`);
  const v = value.trim();
  // Kafka names the parsed value (a DOUBLE as Java writes it: 2 -> 2.0)
  const shown = () => (def.kind === 'double' && Number.isFinite(Number(v)) && v !== '' ? javaDouble(Number(v)) : value);
  const bad = (why: string) => new TopicConfigError(`Invalid value ${shown()} for configuration ${name}: ${why}`);
  switch (def.kind) {
    case 'int':
    case 'long': {
      if (!INT_RE.test(v)) throw bad(`Not a number of type ${def.kind.toUpperCase()}`);
      const n = Number(v);
      if (def.kind === 'int' && (n < -2147483648 || n > 2147483647)) throw bad('Not a number of type INT');
      break;
    }
    case 'double':
      if (v === '' || !Number.isFinite(Number(v))) throw bad('Not a number of type DOUBLE');
      break;
    case 'boolean':
      if (v.toLowerCase() !== 'true' && v.toLowerCase() !== 'false') throw bad('Expected value to be either true or false');
      break;
  }
  const norm =
    def.kind === 'boolean'
      ? v.toLowerCase()
      : def.kind === 'double'
        ? javaDouble(Number(v))
        : def.kind === 'list'
          ? v
              .split(',')
              .map((x) => x.trim())
              .join(',')
          : v;
  const problem = def.validate?.(norm);
  if (typeof problem === 'string') throw bad(problem);
  if (problem) throw new TopicConfigError(`Invalid value ${problem.value} for configuration ${name}: ${problem.problem}`);
  const unapplied = unappliedTopicConfigValue(name, norm);
  if (unapplied !== undefined) throw new TopicConfigError(unapplied);
  return norm;
}

/**
 * Validates a whole set of overrides and returns them normalised; with the broker configuration
 * (whose settings give the defaults) also Kafka's cross-field check of the effective values.
 */
export function validateTopicConfigs(configs: Record<string, string | null>, broker?: BrokerConfig): TopicConfigs {
  const out: TopicConfigs = {};
  for (const [name, value] of Object.entries(configs)) out[name] = validateTopicConfigValue(name, value);
  if (broker) {
    // Kafka's LogConfig.validateValues, on the defaults merged with the overrides
    const minLag = longOf(topicConfigValue(out, broker, 'min.compaction.lag.ms'));
    const maxLag = longOf(topicConfigValue(out, broker, 'max.compaction.lag.ms'));
    if (minLag > maxLag) {
      throw new TopicConfigError(`conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`);
    }
  }
  return out;
}

/** A LONG value as Kafka parses it; the JS number standing for Long.MAX_VALUE is Long.MAX_VALUE. */
function longOf(v: string): bigint {
  return v === String(LONG_MAX) ? 2n ** 63n - 1n : BigInt(v);
}

export type ConfigSourceName =
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG';
/** DescribeConfigs ConfigSource codes. */
export const CONFIG_SOURCE = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export interface EffectiveTopicConfig {
  name: string;
  value: string;
  source: ConfigSourceName;
  /** The broker setting the default comes from, when there is one. */
  brokerSynonym?: BrokerConfigName;
  doc: string;
}

/** Every topic config name with its effective value and where it comes from. */
export function effectiveTopicConfig(overrides: TopicConfigs, broker: BrokerConfig): EffectiveTopicConfig[] {
  return Object.entries(TOPIC_CONFIG_DEFS).map(([name, def]) => {
    const own = overrides[name];
    if (own !== undefined) return { name, value: own, source: 'DYNAMIC_TOPIC_CONFIG', brokerSynonym: def.broker, doc: def.doc };
    const dynamic = def.broker !== undefined ? broker.dynamicSource(def.broker) : null;
    const fromBrokerSet = def.broker !== undefined && isBrokerSet(broker, def.broker);
    return {
      name,
      value: def.fallback(broker),
      source: dynamic ?? (fromBrokerSet ? 'STATIC_BROKER_CONFIG' : 'DEFAULT_CONFIG'),
      brokerSynonym: def.broker,
      doc: def.doc,
    };
  });
}

function isBrokerSet(c: BrokerConfig, name: BrokerConfigName): boolean {
  if (name === 'log.retention.ms') return c.isSet('log.retention.ms') || c.isSet('log.retention.minutes') || c.isSet('log.retention.hours');
  if (name === 'log.roll.ms') return c.isSet('log.roll.ms') || c.isSet('log.roll.hours');
  return c.isSet(name);
}

/** One effective value (override, else broker default). */
export function topicConfigValue(overrides: TopicConfigs, broker: BrokerConfig, name: string): string {
  const own = overrides[name];
  if (own !== undefined) return own;
  const def = TOPIC_CONFIG_DEFS[name];
  if (!def) throw new Error(`unknown topic config ${name}`);
  return def.fallback(broker);
}

/** The values the produce/fetch path needs, parsed once per topic (and on every config change). */
export interface TopicRuntimeConfig {
  maxMessageBytes: number;
  logAppendTime: boolean;
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  /** 'producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'. */
  compressionType: string;
  minInsyncReplicas: number;
  cleanupPolicy: string[];
  /** cleanup.policy includes compact: produce refuses records without a key. */
  compacted: boolean;
}

export function runtimeConfig(overrides: TopicConfigs, broker: BrokerConfig): TopicRuntimeConfig {
  const get = (n: string) => topicConfigValue(overrides, broker, n);
  const cleanupPolicy = get('cleanup.policy').split(',');
  return {
    maxMessageBytes: Number(get('max.message.bytes')),
    logAppendTime: get('message.timestamp.type') === 'LogAppendTime',
    timestampBeforeMaxMs: Math.min(Number(get('message.timestamp.before.max.ms')), LONG_MAX),
    timestampAfterMaxMs: Math.min(Number(get('message.timestamp.after.max.ms')), LONG_MAX),
    compressionType: get('compression.type'),
    minInsyncReplicas: Number(get('min.insync.replicas')),
    cleanupPolicy,
    compacted: cleanupPolicy.includes('compact'),
  };
}

/**
 * Storage LogConfig for a topic: retention, segments, flush, index interval, durability, and the
 * compaction settings (cleanup.policy as compact/delete, dirty ratio, compaction lags, tombstone
 * retention). A policy without delete also passes retention.ms and retention.bytes as -1: Kafka
 * ignores them then (UnifiedLog.deleteOldSegments), so nothing of a compacted log may age out,
 * whatever the storage layer's retention checks.
 */
export function toLogConfig(overrides: TopicConfigs, broker: BrokerConfig): LogConfig {
  const get = (name: string) => topicConfigValue(overrides, broker, name);
  const n = (name: string) => Math.min(Number(get(name)), LONG_MAX);
  const policy = get('cleanup.policy').split(',');
  const del = policy.includes('delete');
  return logConfig({
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    segmentIndexBytes: n('segment.index.bytes'),
    indexIntervalBytes: n('index.interval.bytes'),
    retentionMs: del ? n('retention.ms') : -1,
    retentionBytes: del ? n('retention.bytes') : -1,
    flushMessages: n('flush.messages'),
    flushMs: n('flush.ms'),
    durableAppend: broker.fsyncBeforeAck,
    compact: policy.includes('compact'),
    delete: del,
    minCleanableDirtyRatio: Number(get('min.cleanable.dirty.ratio')),
    minCompactionLagMs: n('min.compaction.lag.ms'),
    maxCompactionLagMs: n('max.compaction.lag.ms'),
    deleteRetentionMs: n('delete.retention.ms'),
  });
}
