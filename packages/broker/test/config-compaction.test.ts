// Log compaction configuration: the broker's log.cleanup.policy / log.cleaner.* settings (Kafka's
// defaults, types and cross-checks, handed to the LogManager as its LogCleanerConfig) and the
// topic configs they are defaults of (cleanup.policy, min.cleanable.dirty.ratio,
// min/max.compaction.lag.ms, delete.retention.ms): Kafka's validation messages, effective values
// and sources, and the storage LogConfig a topic's log gets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerConfig, ConfigError } from '../src/config/broker-config.ts';
import { javaDouble } from '../src/config/config-def.ts';
import { formatConfigDocs } from '../src/config/docs.ts';
import { describeBrokerConfigs, describeTopicConfigs } from '../src/config-resources/config-resources.ts';
import {
  TopicConfigError,
  effectiveTopicConfig,
  runtimeConfig,
  toLogConfig,
  validateTopicConfigValue,
  validateTopicConfigs,
} from '../src/metadata/topic-config.ts';

const LONG_MAX = Number.MAX_SAFE_INTEGER;
const load = (overrides: string[] = []) => BrokerConfig.load({ overrides });

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TopicConfigError, `expected TopicConfigError, got ${err}`);
    assert.equal(err.errorCode, 40);
    return err.message;
  }
  assert.fail('expected a TopicConfigError');
}

describe('broker settings: log.cleanup.policy and log.cleaner.*', () => {
  it("has Kafka's defaults and hands the cleaner's to the LogManager", () => {
    const c = load();
    assert.deepEqual(
      [
        c.get('log.cleanup.policy'),
        c.get('log.cleaner.min.cleanable.ratio'),
        c.get('log.cleaner.min.compaction.lag.ms'),
        c.get('log.cleaner.max.compaction.lag.ms'),
        c.get('log.cleaner.delete.retention.ms'),
        c.get('offsets.topic.segment.bytes'),
        c.get('transaction.state.log.segment.bytes'),
      ],
      [['delete'], 0.5, 0, LONG_MAX, 86400000, 104857600, 104857600],
    );
    assert.deepEqual(c.cleanerConfig, {
      enable: true,
      threads: 1,
      dedupeBufferSize: 134217728,
      ioBufferLoadFactor: 0.9,
      ioMaxBytesPerSecond: Number.MAX_VALUE,
      backoffMs: 15000,
    });
  });

  it('parses every setting from its string form (doubles in Java syntax, Long.MAX_VALUE as never)', () => {
    const c = load([
      'log.cleanup.policy=compact,delete',
      'log.cleaner.enable=false',
      'log.cleaner.threads=4',
      'log.cleaner.dedupe.buffer.size=33554432',
      'log.cleaner.io.buffer.load.factor=.75',
      'log.cleaner.io.max.bytes.per.second=1.5e6',
      'log.cleaner.backoff.ms=500',
      'log.cleaner.min.cleanable.ratio=0.25',
      'log.cleaner.min.compaction.lag.ms=1000',
      'log.cleaner.max.compaction.lag.ms=9223372036854775807',
      'log.cleaner.delete.retention.ms=0',
      'offsets.topic.segment.bytes=1048576',
    ]);
    assert.deepEqual(c.get('log.cleanup.policy'), ['compact', 'delete']);
    assert.deepEqual(c.cleanerConfig, {
      enable: false,
      threads: 4,
      dedupeBufferSize: 33554432,
      ioBufferLoadFactor: 0.75,
      ioMaxBytesPerSecond: 1500000,
      backoffMs: 500,
    });
    assert.deepEqual(
      [
        c.get('log.cleaner.min.cleanable.ratio'),
        c.get('log.cleaner.min.compaction.lag.ms'),
        c.get('log.cleaner.max.compaction.lag.ms'),
        c.get('log.cleaner.delete.retention.ms'),
        c.get('offsets.topic.segment.bytes'),
      ],
      [0.25, 1000, LONG_MAX, 0, 1048576],
    );
  });

  it("refuses invalid values with Kafka's validators", () => {
    assert.deepEqual(
      problems(() =>
        load([
          'log.cleanup.policy=compact,shred',
          'log.cleaner.threads=-1',
          'log.cleaner.min.cleanable.ratio=1.5',
          'log.cleaner.io.buffer.load.factor=high',
          'log.cleaner.backoff.ms=-1',
          'log.cleaner.min.compaction.lag.ms=-1',
          'log.cleaner.max.compaction.lag.ms=0',
          'log.cleaner.delete.retention.ms=-1',
          'offsets.topic.segment.bytes=0',
        ]),
      ),
      [
        'log.cleanup.policy=compact,shred: shred: must be one of compact, delete (from --override)',
        'log.cleaner.threads=-1: must be at least 0 (from --override)',
        'log.cleaner.min.cleanable.ratio=1.5: must be no more than 1 (from --override)',
        'log.cleaner.io.buffer.load.factor: "high" is not a number (from --override)',
        'log.cleaner.backoff.ms=-1: must be at least 0 (from --override)',
        'log.cleaner.min.compaction.lag.ms=-1: must be at least 0 (from --override)',
        'log.cleaner.max.compaction.lag.ms=0: must be at least 1 (from --override)',
        'log.cleaner.delete.retention.ms=-1: must be at least 0 (from --override)',
        'offsets.topic.segment.bytes=0: must be at least 1 (from --override)',
      ],
    );
  });

  it("checks the dedupe buffer per cleaner thread (more than 1 MiB, as Kafka's require) and the compaction lags", () => {
    assert.deepEqual(
      problems(() => load(['log.cleaner.threads=2', 'log.cleaner.dedupe.buffer.size=2097152'])),
      ['log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.'],
    );
    assert.equal(load(['log.cleaner.threads=2', 'log.cleaner.dedupe.buffer.size=2097154']).cleanerConfig.threads, 2);
    assert.deepEqual(
      problems(() => load(['log.cleaner.threads=0'])),
      ['log.cleaner.threads must be at least 1 (log.cleaner.enable=false runs no cleaner)'],
    );
    assert.deepEqual(
      problems(() => load(['log.cleaner.min.compaction.lag.ms=5000', 'log.cleaner.max.compaction.lag.ms=4000'])),
      ['conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (4000)'],
    );
  });

  it('documents them, and DescribeConfigs shows doubles as Java writes them', () => {
    const docs = formatConfigDocs();
    assert.match(docs, /^ {2}log\.cleaner\.io\.max\.bytes\.per\.second \(double, default \(unlimited\)\)$/m);
    assert.match(docs, /^ {2}log\.cleaner\.max\.compaction\.lag\.ms \(long, default \(never\)\)$/m);
    assert.match(docs, /^ {2}log\.cleanup\.policy \(list, default delete\)$/m);
    assert.doesNotMatch(docs, /log\.cleaner\.io\.buffer\.size/); // accepted, no effect: hidden
    const entries = describeBrokerConfigs(load(['log.cleaner.min.cleanable.ratio=1']), { broker: {}, clusterDefault: {} }, true, {
      names: ['log.cleaner.min.cleanable.ratio', 'log.cleaner.io.max.bytes.per.second', 'log.cleaner.enable', 'log.cleanup.policy'],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    assert.deepEqual(
      entries.map((e) => [e.name, e.value, e.configSource, e.readOnly, e.configType, e.synonyms]),
      [
        ['log.cleaner.enable', 'true', 5, true, 1, [{ name: 'log.cleaner.enable', value: 'true', source: 5 }]],
        [
          'log.cleaner.io.max.bytes.per.second',
          '1.7976931348623157E308',
          5,
          false,
          6,
          [{ name: 'log.cleaner.io.max.bytes.per.second', value: '1.7976931348623157E308', source: 5 }],
        ],
        [
          'log.cleaner.min.cleanable.ratio',
          '1.0',
          4,
          false,
          6,
          [
            { name: 'log.cleaner.min.cleanable.ratio', value: '1.0', source: 4 },
            { name: 'log.cleaner.min.cleanable.ratio', value: '0.5', source: 5 },
          ],
        ],
        ['log.cleanup.policy', 'delete', 5, false, 7, [{ name: 'log.cleanup.policy', value: 'delete', source: 5 }]],
      ],
    );
  });

  it("javaDouble writes Java's Double.toString", () => {
    assert.deepEqual([0, 0.5, 1, 0.001, 0.0001, 1234567.5, 1e7, 1.5e6, 12345678.9, Number.MAX_VALUE, -2].map(javaDouble), [
      '0.0',
      '0.5',
      '1.0',
      '0.001',
      '1.0E-4',
      '1234567.5',
      '1.0E7',
      '1500000.0',
      '1.23456789E7',
      '1.7976931348623157E308',
      '-2.0',
    ]);
  });
});

describe('topic configs: cleanup.policy and the compaction settings', () => {
  it("validates each value with Kafka's messages", () => {
    const bad = (name: string, value: string) => refused(() => validateTopicConfigValue(name, value));
    assert.equal(
      bad('cleanup.policy', 'compact,shred'),
      'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete',
    );
    assert.equal(
      bad('min.cleanable.dirty.ratio', '2'),
      'Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1',
    );
    assert.equal(
      bad('min.cleanable.dirty.ratio', '-0.5'),
      'Invalid value -0.5 for configuration min.cleanable.dirty.ratio: Value must be at least 0',
    );
    assert.equal(
      bad('min.cleanable.dirty.ratio', 'half'),
      'Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE',
    );
    assert.equal(bad('min.compaction.lag.ms', '-1'), 'Invalid value -1 for configuration min.compaction.lag.ms: Value must be at least 0');
    assert.equal(bad('max.compaction.lag.ms', '0'), 'Invalid value 0 for configuration max.compaction.lag.ms: Value must be at least 1');
    assert.equal(bad('delete.retention.ms', '-1'), 'Invalid value -1 for configuration delete.retention.ms: Value must be at least 0');
    assert.equal(bad('delete.retention.ms', '1.5'), 'Invalid value 1.5 for configuration delete.retention.ms: Not a number of type LONG');
    // normalised as Kafka describes them
    assert.deepEqual(
      [
        validateTopicConfigValue('cleanup.policy', ' compact , delete '),
        validateTopicConfigValue('min.cleanable.dirty.ratio', '1'),
        validateTopicConfigValue('min.cleanable.dirty.ratio', '0.10'),
        validateTopicConfigValue('max.compaction.lag.ms', '9223372036854775807'),
      ],
      ['compact,delete', '1.0', '0.1', '9223372036854775807'],
    );
  });

  it('refuses min.compaction.lag.ms above max.compaction.lag.ms, overrides merged with the broker defaults', () => {
    const broker = load();
    const conflict = (configs: Record<string, string>, b = broker) => refused(() => validateTopicConfigs(configs, b));
    assert.equal(
      conflict({ 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '4000' }),
      'conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (4000)',
    );
    // against the broker's default max (log.cleaner.max.compaction.lag.ms)
    const capped = load(['log.cleaner.max.compaction.lag.ms=60000']);
    assert.equal(
      conflict({ 'min.compaction.lag.ms': '60001' }, capped),
      'conflict topic config setting min.compaction.lag.ms (60001) > max.compaction.lag.ms (60000)',
    );
    // against the broker's default min (log.cleaner.min.compaction.lag.ms)
    const lagged = load(['log.cleaner.min.compaction.lag.ms=10000']);
    assert.equal(
      conflict({ 'max.compaction.lag.ms': '9999' }, lagged),
      'conflict topic config setting min.compaction.lag.ms (10000) > max.compaction.lag.ms (9999)',
    );
    assert.deepEqual(validateTopicConfigs({ 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '5000' }, broker), {
      'min.compaction.lag.ms': '5000',
      'max.compaction.lag.ms': '5000',
    });
    assert.deepEqual(validateTopicConfigs({ 'min.compaction.lag.ms': '9223372036854775807' }, broker), {
      'min.compaction.lag.ms': '9223372036854775807',
    });
  });

  it('takes defaults from the broker settings, with their sources', () => {
    const broker = load(['log.cleanup.policy=compact', 'log.cleaner.min.cleanable.ratio=0.3', 'log.cleaner.delete.retention.ms=1000']);
    const names = ['cleanup.policy', 'min.cleanable.dirty.ratio', 'min.compaction.lag.ms', 'max.compaction.lag.ms', 'delete.retention.ms'];
    const pick = (overrides: Record<string, string>) =>
      effectiveTopicConfig(overrides, broker)
        .filter((e) => names.includes(e.name))
        .map((e) => [e.name, e.value, e.source, e.brokerSynonym]);
    assert.deepEqual(pick({}), [
      ['cleanup.policy', 'compact', 'STATIC_BROKER_CONFIG', 'log.cleanup.policy'],
      ['delete.retention.ms', '1000', 'STATIC_BROKER_CONFIG', 'log.cleaner.delete.retention.ms'],
      ['max.compaction.lag.ms', String(LONG_MAX), 'DEFAULT_CONFIG', 'log.cleaner.max.compaction.lag.ms'],
      ['min.cleanable.dirty.ratio', '0.3', 'STATIC_BROKER_CONFIG', 'log.cleaner.min.cleanable.ratio'],
      ['min.compaction.lag.ms', '0', 'DEFAULT_CONFIG', 'log.cleaner.min.compaction.lag.ms'],
    ]);
    assert.deepEqual(pick({ 'cleanup.policy': 'delete', 'min.cleanable.dirty.ratio': '0.9' }).slice(0, 4), [
      ['cleanup.policy', 'delete', 'DYNAMIC_TOPIC_CONFIG', 'log.cleanup.policy'],
      ['delete.retention.ms', '1000', 'STATIC_BROKER_CONFIG', 'log.cleaner.delete.retention.ms'],
      ['max.compaction.lag.ms', String(LONG_MAX), 'DEFAULT_CONFIG', 'log.cleaner.max.compaction.lag.ms'],
      ['min.cleanable.dirty.ratio', '0.9', 'DYNAMIC_TOPIC_CONFIG', 'log.cleaner.min.cleanable.ratio'],
    ]);
  });

  it('DescribeConfigs: values, sources and synonyms as Kafka reports them', () => {
    const broker = load(['log.cleaner.min.cleanable.ratio=0.3']);
    const entries = describeTopicConfigs({ 'cleanup.policy': 'compact,delete', 'max.compaction.lag.ms': '60000' }, broker, {
      names: ['cleanup.policy', 'min.cleanable.dirty.ratio', 'max.compaction.lag.ms', 'delete.retention.ms'],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    assert.deepEqual(
      entries.map((e) => [e.name, e.value, e.configSource, e.isDefault, e.configType, e.synonyms]),
      [
        [
          'cleanup.policy',
          'compact,delete',
          1,
          false,
          7,
          [
            { name: 'cleanup.policy', value: 'compact,delete', source: 1 },
            { name: 'log.cleanup.policy', value: 'delete', source: 5 },
          ],
        ],
        ['delete.retention.ms', '86400000', 5, true, 5, [{ name: 'log.cleaner.delete.retention.ms', value: '86400000', source: 5 }]],
        [
          'max.compaction.lag.ms',
          '60000',
          1,
          false,
          5,
          [
            { name: 'max.compaction.lag.ms', value: '60000', source: 1 },
            { name: 'log.cleaner.max.compaction.lag.ms', value: '9223372036854775807', source: 5 },
          ],
        ],
        [
          'min.cleanable.dirty.ratio',
          '0.3',
          4,
          false,
          6,
          [
            { name: 'log.cleaner.min.cleanable.ratio', value: '0.3', source: 4 },
            { name: 'log.cleaner.min.cleanable.ratio', value: '0.5', source: 5 },
          ],
        ],
      ],
    );
    for (const e of entries) assert.doesNotMatch(e.documentation!, /no effect/i, e.name);
  });

  it("reaches the topic's storage LogConfig (a policy without delete retains everything)", () => {
    const broker = load(['log.retention.ms=3600000', 'log.retention.bytes=1000000']);
    const compact = toLogConfig(
      {
        'cleanup.policy': 'compact',
        'min.cleanable.dirty.ratio': '0.1',
        'min.compaction.lag.ms': '1000',
        'max.compaction.lag.ms': '60000',
        'delete.retention.ms': '5000',
      },
      broker,
    );
    assert.deepEqual(
      [
        compact.compact,
        compact.delete,
        compact.minCleanableDirtyRatio,
        compact.minCompactionLagMs,
        compact.maxCompactionLagMs,
        compact.deleteRetentionMs,
        compact.retentionMs,
        compact.retentionBytes,
      ],
      [true, false, 0.1, 1000, 60000, 5000, -1, -1],
    );
    const both = toLogConfig({ 'cleanup.policy': 'compact,delete' }, broker);
    assert.deepEqual(
      [
        both.compact,
        both.delete,
        both.minCleanableDirtyRatio,
        both.maxCompactionLagMs,
        both.deleteRetentionMs,
        both.retentionMs,
        both.retentionBytes,
      ],
      [true, true, 0.5, LONG_MAX, 86400000, 3600000, 1000000],
    );
    const plain = toLogConfig({}, broker);
    assert.deepEqual([plain.compact, plain.delete, plain.retentionMs], [false, true, 3600000]);
    // the broker default policy reaches topics without an override
    const compactByDefault = toLogConfig({}, load(['log.cleanup.policy=compact', 'log.cleaner.min.compaction.lag.ms=250']));
    assert.deepEqual(
      [compactByDefault.compact, compactByDefault.delete, compactByDefault.minCompactionLagMs, compactByDefault.retentionMs],
      [true, false, 250, -1],
    );
    assert.deepEqual(
      [runtimeConfig({ 'cleanup.policy': 'delete,compact' }, broker).compacted, runtimeConfig({}, broker).compacted],
      [true, false],
    );
  });
});
