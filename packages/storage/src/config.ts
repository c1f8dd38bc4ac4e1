// Per-partition log configuration, with Kafka's topic-level names and defaults
// (storage/.../LogConfig.java, ServerLogConfigs.java). `fromProperties` maps Kafka's dotted keys.
// message.timestamp.type is the caller's business: it passes logAppendTimeMs to append when the
// topic uses LogAppendTime.

export interface LogConfig {
  /** segment.bytes: roll when the active segment would exceed this. */
  segmentBytes: number;
  /** segment.ms: roll a non-empty segment this long after its first batch's timestamp. */
  segmentMs: number;
  /** segment.index.bytes: maximum size of a segment's offset index (and time index); roll when full. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes of log between two index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete closed segments whose largest timestamp is older; -1 = forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest closed segments while the log is larger; -1 = unlimited. */
  retentionBytes: number;
  /** flush.messages: fsync after this many messages (records) since the last flush. */
  flushMessages: number;
  /** flush.ms: fsync when the oldest unflushed data is this old (checked by LogManager's flush scheduler). */
  flushMs: number;
  /**
   * Tributary extension (not a Kafka config): when true, `append()` resolves only after the data
   * is fsynced; concurrent appends share one fsync (group commit).
   */
  durableAppend: boolean;
  /** cleanup.policy contains `compact`: the log cleaner keeps the latest record per key. */
  compact: boolean;
  /** cleanup.policy contains `delete`: retention.ms and retention.bytes delete old segments. */
  delete: boolean;
  /** min.cleanable.dirty.ratio: clean once dirty bytes / all cleanable bytes reach this. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: records younger than this are never compacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: a record older than this is compacted whatever the dirty ratio. */
  maxCompactionLagMs: number;
  /** delete.retention.ms: how long tombstones (and transaction markers) survive once cleaned. */
  deleteRetentionMs: number;
}

export const LONG_MAX = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  flushMessages: LONG_MAX,
  flushMs: LONG_MAX,
  durableAppend: false,
  compact: false,
  delete: true,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: LONG_MAX,
  deleteRetentionMs: 24 * 60 * 60 * 1000,
});

const KEYS: Record<string, keyof LogConfig> = {
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'segmentMs',
  'segment.index.bytes': 'segmentIndexBytes',
  'index.interval.bytes': 'indexIntervalBytes',
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'flush.messages': 'flushMessages',
  'flush.ms': 'flushMs',
  'tributary.durable.append': 'durableAppend',
  'min.cleanable.dirty.ratio': 'minCleanableDirtyRatio',
  'min.compaction.lag.ms': 'minCompactionLagMs',
  'max.compaction.lag.ms': 'maxCompactionLagMs',
  'delete.retention.ms': 'deleteRetentionMs',
};

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/** Builds a config from Kafka's topic config keys (unknown keys are ignored). Long.MAX_VALUE strings clamp to LONG_MAX. */
export function logConfigFromProperties(props: Record<string, string | number | boolean>, base: LogConfig = DEFAULT_LOG_CONFIG): LogConfig {
  const out: LogConfig = { ...base };
  for (const [k, v] of Object.entries(props)) {
    if (k === 'cleanup.policy') {
      const policies = String(v)
        .split(',')
        .map((x) => x.trim());
      out.compact = policies.includes('compact');
      out.delete = policies.includes('delete');
      continue;
    }
    const field = KEYS[k];
    if (!field) continue;
    if (field === 'durableAppend') {
      out.durableAppend = v === true || v === 'true';
      continue;
    }
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) throw new Error(`config ${k}: '${v}' is not a number`);
    (out[field] as number) = Math.min(n, LONG_MAX);
  }
  return out;
}
