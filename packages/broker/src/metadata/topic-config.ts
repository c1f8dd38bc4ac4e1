// Topic-level configuration: Kafka's topic config names, their broker-level defaults (the
// `log.*` / `message.max.bytes` / ... settings), validation as Kafka's LogConfig does, and the
// mapping onto storage's LogConfig.
//
// A topic stores only its overrides (what CreateTopics / AlterConfigs set); the effective value
// of every other name comes from the broker configuration (STATIC_BROKER_CONFIG when set there,
// DEFAULT_CONFIG otherwise), as DescribeConfigs reports it.
//
// Validation errors are TopicConfigError (INVALID_CONFIG, 40) with Kafka's messages.
import { ErrorCode, type HasErrorCode } from '@tributary/protocol';
import { LONG_MAX, logConfig, type LogConfig } from '@tributary/storage';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { BrokerConfigName } from '../config/definitions.ts';

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
  validate?: (v: string) => string | undefined;
  doc: string;
}

const INT_RE = /^-?\d+$/;
const COMPRESSION = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
const atLeast = (min: number) => (v: string) => (Number(v) < min ? `Value must be at least ${min}` : undefined);
const oneOf = (allowed: string[]) => (v: string) => (allowed.includes(v) ? undefined : `String must be one of: ${allowed.join(', ')}`);
const listOf = (allowed: string[]) => (v: string) => {
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (items.length === 0) return `Must contain at least one of: ${allowed.join(', ')}`;
  const bad = items.find((x) => !allowed.includes(x));
  return bad ? `Invalid value ${bad}: must be one of ${allowed.join(', ')}` : undefined;
};
const str = (v: string | number | boolean | null) => (c: BrokerConfig) => String(v);
const fromBroker = (name: BrokerConfigName) => (c: BrokerConfig) => {
  const v = c.get(name);
  return Array.isArray(v) ? v.join(',') : String(v);
};

/** Every topic config Tributary accepts (Kafka's names); `applied` ones change behaviour. */
export const TOPIC_CONFIG_DEFS: Record<string, TopicConfigDef> = {
  'cleanup.policy': {
    kind: 'list',
    fallback: str('delete'),
    validate: listOf(['delete', 'compact']),
    doc: 'delete or compact (compaction not implemented: compacted topics keep everything).',
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
    fallback: str(86400000),
    validate: atLeast(0),
    doc: 'Tombstone retention of compacted topics (accepted, no effect).',
  },
  'file.delete.delay.ms': {
    kind: 'long',
    fallback: str(60000),
    validate: atLeast(0),
    doc: 'Accepted, no effect (segments are deleted at once).',
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
  'index.interval.bytes': {
    kind: 'int',
    broker: 'log.index.interval.bytes',
    fallback: fromBroker('log.index.interval.bytes'),
    validate: atLeast(0),
    doc: 'Bytes between offset index entries.',
  },
  'max.compaction.lag.ms': { kind: 'long', fallback: str(LONG_MAX), validate: atLeast(1), doc: 'Accepted, no effect.' },
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
  'message.timestamp.difference.max.ms': { kind: 'long', fallback: str(LONG_MAX), validate: atLeast(0), doc: 'Accepted, no effect.' },
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
  'message.downconversion.enable': { kind: 'boolean', fallback: str(true), doc: 'Accepted, no effect.' },
  'min.cleanable.dirty.ratio': {
    kind: 'double',
    fallback: str(0.5),
    validate: (v) => (Number(v) < 0 || Number(v) > 1 ? 'Value must be in range [0,...,1]' : undefined),
    doc: 'Accepted, no effect.',
  },
  'min.compaction.lag.ms': { kind: 'long', fallback: str(0), validate: atLeast(0), doc: 'Accepted, no effect.' },
  'min.insync.replicas': {
    kind: 'int',
    broker: 'min.insync.replicas',
    fallback: fromBroker('min.insync.replicas'),
    validate: atLeast(1),
    doc: 'ISR size required by acks=all.',
  },
  preallocate: { kind: 'boolean', fallback: str(false), doc: 'Accepted, no effect.' },
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
  'segment.jitter.ms': { kind: 'long', fallback: str(0), validate: atLeast(0), doc: 'Accepted, no effect.' },
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
  if (!def) throw new TopicConfigError(`Unknown topic config name: ${name}`);
  if (value === null) throw new TopicConfigError(`Null value not supported for topic configs: ${name}`);
  const v = value.trim();
  const bad = (why: string) => new TopicConfigError(`Invalid value ${value} for configuration ${name}: ${why}`);
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
      : def.kind === 'list'
        ? v
            .split(',')
            .map((x) => x.trim())
            .join(',')
        : v;
  const problem = def.validate?.(norm);
  if (problem) throw bad(problem);
  return norm;
}

/** Validates a whole set of overrides (including cross-field checks); returns them normalised. */
export function validateTopicConfigs(configs: Record<string, string | null>): TopicConfigs {
  const out: TopicConfigs = {};
  for (const [name, value] of Object.entries(configs)) out[name] = validateTopicConfigValue(name, value);
  return out;
}

export type ConfigSourceName = 'DYNAMIC_TOPIC_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG';
/** DescribeConfigs ConfigSource codes. */
export const CONFIG_SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

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
    const fromBrokerSet = def.broker !== undefined && isBrokerSet(broker, def.broker);
    return {
      name,
      value: def.fallback(broker),
      source: fromBrokerSet ? 'STATIC_BROKER_CONFIG' : 'DEFAULT_CONFIG',
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
}

export function runtimeConfig(overrides: TopicConfigs, broker: BrokerConfig): TopicRuntimeConfig {
  const get = (n: string) => topicConfigValue(overrides, broker, n);
  return {
    maxMessageBytes: Number(get('max.message.bytes')),
    logAppendTime: get('message.timestamp.type') === 'LogAppendTime',
    timestampBeforeMaxMs: Math.min(Number(get('message.timestamp.before.max.ms')), LONG_MAX),
    timestampAfterMaxMs: Math.min(Number(get('message.timestamp.after.max.ms')), LONG_MAX),
    compressionType: get('compression.type'),
    minInsyncReplicas: Number(get('min.insync.replicas')),
    cleanupPolicy: get('cleanup.policy').split(','),
  };
}

/** Storage LogConfig for a topic: retention, segments, flush, index interval, durability. */
export function toLogConfig(overrides: TopicConfigs, broker: BrokerConfig): LogConfig {
  const n = (name: string) => Math.min(Number(topicConfigValue(overrides, broker, name)), LONG_MAX);
  return logConfig({
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    segmentIndexBytes: n('segment.index.bytes'),
    indexIntervalBytes: n('index.interval.bytes'),
    retentionMs: n('retention.ms'),
    retentionBytes: n('retention.bytes'),
    flushMessages: n('flush.messages'),
    flushMs: n('flush.ms'),
    durableAppend: broker.fsyncBeforeAck,
  });
}
