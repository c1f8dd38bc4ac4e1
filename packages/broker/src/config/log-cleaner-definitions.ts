// The broker's log compaction settings (Kafka's CleanerConfig and log.cleanup.policy): the
// defaults of the compaction topic configs (cleanup.policy, min.cleanable.dirty.ratio,
// min/max.compaction.lag.ms, delete.retention.ms: metadata/topic-config.ts) and the log cleaner's
// own settings, handed to storage's LogManager as its LogCleanerConfig (cleanerConfigOf in
// broker-config.ts). Kafka's names, types, defaults and validators; the cross-checks (dedupe buffer
// per cleaner thread, min vs max compaction lag) are in broker-config.ts.
import { atLeast, between, compat, def, listOf } from './config-def.ts';

/** Kafka's Long.MAX_VALUE ("never"), as longs hold it. */
const LONG_MAX = Number.MAX_SAFE_INTEGER;

export const LOG_CLEANER_CONFIG_DEFS = {
  'log.cleanup.policy': def(
    'list',
    ['delete'],
    'Default cleanup.policy of topics: delete (retention.ms and retention.bytes delete old segments), compact (the log cleaner keeps the latest record of each key; produce refuses keyless records), or both (delete,compact).',
    listOf('compact', 'delete'),
  ),
  'log.cleaner.enable': def(
    'boolean',
    true,
    'Run the log cleaner. Leave it on when any topic is compacted, __consumer_offsets and __transaction_state included: without it they are never compacted and grow without bound.',
  ),
  'log.cleaner.threads': def(
    'int',
    1,
    'Logs cleaned at once. Cleaner jobs share the event loop (each paced so produce and fetch do not wait on it), they are not threads.',
    atLeast(0),
  ),
  'log.cleaner.dedupe.buffer.size': def(
    'long',
    128 * 1024 * 1024,
    "Memory of the cleaners' offset maps (key hash -> latest offset, 24 bytes a key), shared by log.cleaner.threads jobs; at least 1 MiB per job. A job whose dirty section has more keys than fit cleans part of it and goes on next time.",
  ),
  'log.cleaner.io.buffer.load.factor': def(
    'double',
    0.9,
    'How full an offset map is filled before its job stops reading the dirty section. Higher cleans more at once with more hash collisions.',
  ),
  'log.cleaner.io.max.bytes.per.second': def(
    'double',
    Number.MAX_VALUE,
    'Throttle of the cleaners: their bytes read plus written per second, on average, across all jobs (default unlimited).',
  ),
  'log.cleaner.backoff.ms': def('long', 15000, 'How long the cleaner sleeps when no log needs cleaning.', atLeast(0)),
  'log.cleaner.min.cleanable.ratio': def(
    'double',
    0.5,
    'Default min.cleanable.dirty.ratio of topics: a compacted log is cleaned once its dirty (not yet compacted) bytes are this share of its cleanable bytes, and its dirty records are at least min.compaction.lag.ms old, or at once when they are older than max.compaction.lag.ms.',
    between(0, 1),
  ),
  'log.cleaner.min.compaction.lag.ms': def(
    'long',
    0,
    'Default min.compaction.lag.ms of topics: a record stays uncompacted at least this long.',
    atLeast(0),
  ),
  'log.cleaner.max.compaction.lag.ms': def(
    'long',
    LONG_MAX,
    'Default max.compaction.lag.ms of topics: a record stays uncompacted at most this long (its log is cleaned whatever its dirty ratio; the active segment rolls by then). Default never.',
    atLeast(1),
  ),
  'log.cleaner.delete.retention.ms': def(
    'long',
    24 * 60 * 60 * 1000,
    'Default delete.retention.ms of topics: how long a tombstone (and a transaction marker) stays in a compacted log once cleaned, so a consumer reading from the start sees deletions.',
    atLeast(0),
  ),
  'log.cleaner.io.buffer.size': compat('int', 512 * 1024, 'I/O buffer memory of the cleaner threads.'),
} as const;
