// Compacted topics over a real socket: Produce refuses batches with keyless records (Kafka's
// LogValidator.validateKey: INVALID_RECORD 87, record_errors naming each record on v8+, nothing
// appended), whatever the batch's codec or the topic's compression.type; cleanup.policy set at
// creation, by AlterConfigs / IncrementalAlterConfigs or as the broker default reaches the
// partitions' logs; the internal topics are created with exactly Kafka's configs; the LogManager
// gets log.cleaner.* and the partitions' last stable offsets.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, CompressionType, ErrorCode, decodeRecordBatches, encodeRecordBatch, type RecordInput } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const T = 1_700_000_000_000;
const keyed = (n: number, from = 0): RecordInput[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}`, timestamp: T + i }));
/** Records whose key is null at the given indexes. */
const withKeyless = (n: number, keyless: number[]): RecordInput[] =>
  keyed(n).map((r, i) => (keyless.includes(i) ? { ...r, key: null } : r));
const batch = (records: RecordInput[], compression = CompressionType.None) => encodeRecordBatch({ records, compression });
const noKey = (tp: string) => `Compacted topic cannot accept message without key in topic partition ${tp}`;
const summary = (tp: string, indexes: number[], total = indexes.length) =>
  `One or more records have been rejected due to ${total} record errors in total, and only showing the first three errors at most: [${indexes
    .map((i) => `RecordError(batchIndex=${i}, message='${noKey(tp)}')`)
    .join(', ')}]`;

async function produce(c: KafkaTestClient, topic: string, records: Buffer, version = 9) {
  const res = await c.request(ApiKey.Produce, version, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

describe('Produce to a compacted topic', async () => {
  const b = await startTestBroker();
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  await tm.createTopic({ name: 'c', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
  await tm.createTopic({ name: 'cd', numPartitions: 1, configs: { 'cleanup.policy': 'delete,compact' } });
  await tm.createTopic({ name: 'cgz', numPartitions: 1, configs: { 'cleanup.policy': 'compact', 'compression.type': 'gzip' } });
  await tm.createTopic({ name: 'd', numPartitions: 1 });
  after(async () => {
    c.close();
    await b.stop();
  });
  const end = (topic: string) => tm.partition(topic, 0)!.logEndOffset;

  it('refuses a keyless record with INVALID_RECORD (87) and its record_errors; nothing is appended', async () => {
    const r = await produce(c, 'c', await batch(withKeyless(1, [0])));
    assert.deepEqual(r, {
      index: 0,
      errorCode: ErrorCode.INVALID_RECORD,
      baseOffset: -1n,
      logAppendTimeMs: -1n,
      logStartOffset: 0n,
      recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: noKey('c-0') }],
      errorMessage: summary('c-0', [0]),
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
    });
    assert.equal(ErrorCode.INVALID_RECORD, 87);
    assert.equal(end('c'), 0);
  });

  it('appends in arrival order when a batch waits for its key check (zstd decoded off the loop), across connections', async () => {
    await tm.createTopic({ name: 'corder', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
    const other = await kafkaClient(b.port);
    const first = await batch(keyed(50), CompressionType.Zstd);
    const second = await batch(keyed(1, 50));
    // as librdkafka does when it moves a partition from its bootstrap connection to the broker's:
    // the second request leaves on another connection before the first is answered
    const [slow, fast] = await Promise.all([produce(c, 'corder', first), produce(other, 'corder', second)]);
    other.close();
    assert.deepEqual([slow.errorCode, slow.baseOffset, fast.errorCode, fast.baseOffset], [0, 0n, 0, 50n]);
    assert.equal(end('corder'), 51);
  });

  it('accepts keyed records and tombstones (a key with a null value)', async () => {
    const r = await produce(c, 'c', await batch([...keyed(2), { key: 'k0', value: null, timestamp: T }]));
    assert.deepEqual([r.errorCode, r.baseOffset, r.recordErrors, r.errorMessage], [0, 0n, [], null]);
    assert.equal(end('c'), 3);
  });

  it('names every keyless record of a batch (the summary shows the first three)', async () => {
    const r = await produce(c, 'c', await batch(withKeyless(6, [1, 2, 4, 5])));
    assert.equal(r.errorCode, 87);
    assert.deepEqual(
      r.recordErrors.map((e) => [e.batchIndex, e.batchIndexErrorMessage]),
      [1, 2, 4, 5].map((i) => [i, noKey('c-0')]),
    );
    assert.equal(r.errorMessage, summary('c-0', [1, 2, 4], 4));
    assert.equal(end('c'), 3);
  });

  it('refuses a compressed batch with one keyless record among keyed ones, for every codec', async () => {
    for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const r = await produce(c, 'c', await batch(withKeyless(5, [3]), codec));
      assert.deepEqual(
        [r.errorCode, r.baseOffset, r.recordErrors, r.errorMessage],
        [87, -1n, [{ batchIndex: 3, batchIndexErrorMessage: noKey('c-0') }], summary('c-0', [3])],
        `codec ${codec}`,
      );
      assert.equal(end('c'), 3);
    }
    const ok = await produce(c, 'c', await batch(keyed(5, 10), CompressionType.Lz4));
    assert.deepEqual([ok.errorCode, ok.baseOffset], [0, 3n]);
    assert.equal(end('c'), 8);
  });

  it('Produce v3-v7 get the same error code without record_errors or a message (fields of v8+)', async () => {
    for (const version of [3, 5, 7]) {
      const r = await produce(c, 'c', await batch(withKeyless(2, [0])), version);
      assert.deepEqual([r.errorCode, r.baseOffset, r.recordErrors, r.errorMessage], [87, -1n, [], null], `v${version}`);
    }
    const v8 = await produce(c, 'c', await batch(withKeyless(2, [1])), 8);
    assert.deepEqual(
      [v8.errorCode, v8.recordErrors, v8.errorMessage],
      [87, [{ batchIndex: 1, batchIndexErrorMessage: noKey('c-0') }], summary('c-0', [1])],
    );
    assert.equal(end('c'), 8);
  });

  it('refuses them on delete,compact topics and on recompressing topics; delete topics take them', async () => {
    const both = await produce(c, 'cd', await batch(withKeyless(3, [2])));
    assert.deepEqual([both.errorCode, both.recordErrors], [87, [{ batchIndex: 2, batchIndexErrorMessage: noKey('cd-0') }]]);
    const gz = await produce(c, 'cgz', await batch(withKeyless(3, [0])));
    assert.deepEqual([gz.errorCode, gz.recordErrors], [87, [{ batchIndex: 0, batchIndexErrorMessage: noKey('cgz-0') }]]);
    const gzLz4 = await produce(c, 'cgz', await batch(withKeyless(3, [1]), CompressionType.Lz4));
    assert.deepEqual([gzLz4.errorCode, gzLz4.recordErrors], [87, [{ batchIndex: 1, batchIndexErrorMessage: noKey('cgz-0') }]]);
    assert.deepEqual([end('cd'), end('cgz')], [0, 0]);
    // keyed records are recompressed to the topic's codec, keys and values kept
    const fine = await produce(c, 'cgz', await batch(keyed(3), CompressionType.Lz4));
    assert.deepEqual([fine.errorCode, fine.baseOffset], [0, 0n]);
    const stored = await decodeRecordBatches(tm.partition('cgz', 0)!.log.read(0, 1 << 20).records);
    assert.deepEqual(
      stored.map((s) => [s.compression, s.records.map((r) => `${r.key}=${r.value}`)]),
      [[CompressionType.Gzip, ['k0=v0', 'k1=v1', 'k2=v2']]],
    );
    const plain = await produce(c, 'd', await batch(withKeyless(2, [0, 1])));
    assert.deepEqual([plain.errorCode, plain.baseOffset, plain.recordErrors], [0, 0n, []]);
  });
});

describe('cleanup.policy reaches the logs (create, alter, broker default)', async () => {
  const b = await startTestBroker({ 'log.cleaner.min.cleanable.ratio': '0.25', 'log.cleaner.delete.retention.ms': 60000 });
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  after(async () => {
    c.close();
    await b.stop();
  });
  const logConfig = (topic: string) => {
    const l = tm.partition(topic, 0)!.log.config;
    return [l.compact, l.delete, l.minCleanableDirtyRatio, l.minCompactionLagMs, l.maxCompactionLagMs, l.deleteRetentionMs];
  };
  const keyless = async (topic: string) => (await produce(c, topic, await batch(withKeyless(1, [0])))).errorCode;

  it("CreateTopics with the compaction configs; Kafka's cross-field error", async () => {
    const res = await c.request(ApiKey.CreateTopics, 7, {
      topics: [
        {
          name: 'ct',
          numPartitions: 1,
          replicationFactor: 1,
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.compaction.lag.ms', value: '1000' },
            { name: 'max.compaction.lag.ms', value: '2000' },
          ],
        },
        {
          name: 'lags',
          numPartitions: 1,
          replicationFactor: 1,
          configs: [
            { name: 'min.compaction.lag.ms', value: '3000' },
            { name: 'max.compaction.lag.ms', value: '2000' },
          ],
        },
        { name: 'ratio', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'min.cleanable.dirty.ratio', value: '1.01' }] },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.deepEqual(
      res.topics.map((t) => [t.name, t.errorCode, t.errorMessage]),
      [
        ['ct', 0, null],
        ['lags', 40, 'conflict topic config setting min.compaction.lag.ms (3000) > max.compaction.lag.ms (2000)'],
        ['ratio', 40, 'Invalid value 1.01 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
      ],
    );
    assert.deepEqual(logConfig('ct'), [true, false, 0.25, 1000, 2000, 60000]);
    assert.equal(tm.partition('ct', 0)!.log.config.retentionMs, -1);
    assert.equal(await keyless('ct'), 87);
  });

  it('IncrementalAlterConfigs and AlterConfigs change the running logs', async () => {
    await tm.createTopic({ name: 'alt', numPartitions: 1 });
    assert.deepEqual(logConfig('alt'), [false, true, 0.25, 0, Number.MAX_SAFE_INTEGER, 60000]);
    assert.equal(await keyless('alt'), 0);
    const inc = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'alt',
          configs: [
            { name: 'cleanup.policy', configOperation: 2, value: 'compact' }, // APPEND
            { name: 'min.cleanable.dirty.ratio', configOperation: 0, value: '0.75' },
            { name: 'delete.retention.ms', configOperation: 0, value: '1000' },
          ],
        },
      ],
      validateOnly: false,
    });
    assert.equal(inc.responses[0]!.errorCode, 0);
    assert.deepEqual(logConfig('alt'), [true, true, 0.75, 0, Number.MAX_SAFE_INTEGER, 1000]);
    assert.equal(await keyless('alt'), 87);
    const conflict = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 2, resourceName: 'alt', configs: [{ name: 'max.compaction.lag.ms', configOperation: 0, value: '0' }] }],
      validateOnly: false,
    });
    assert.deepEqual(
      [conflict.responses[0]!.errorCode, conflict.responses[0]!.errorMessage],
      [40, 'Invalid value 0 for configuration max.compaction.lag.ms: Value must be at least 1'],
    );
    const legacy = await c.request(ApiKey.AlterConfigs, 2, {
      resources: [{ resourceType: 2, resourceName: 'alt', configs: [{ name: 'min.compaction.lag.ms', value: '500' }] }],
      validateOnly: false,
    });
    assert.equal(legacy.responses[0]!.errorCode, 0);
    // AlterConfigs replaces every override: back to the broker's delete policy
    assert.deepEqual(logConfig('alt'), [false, true, 0.25, 500, Number.MAX_SAFE_INTEGER, 60000]);
    assert.equal(await keyless('alt'), 0);
  });

  it('DescribeConfigs names the sources of the compaction configs', async () => {
    const res = await c.request(ApiKey.DescribeConfigs, 4, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'ct',
          configurationKeys: ['cleanup.policy', 'min.cleanable.dirty.ratio', 'delete.retention.ms', 'max.compaction.lag.ms'],
        },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(
      res.results[0]!.configs.map((e) => [e.name, e.value, e.configSource]),
      [
        ['cleanup.policy', 'compact', 1],
        ['delete.retention.ms', '60000', 4],
        ['max.compaction.lag.ms', '2000', 1],
        ['min.cleanable.dirty.ratio', '0.25', 4],
      ],
    );
  });

  it('hands log.cleaner.* and each partition\u2019s last stable offset to the LogManager', async () => {
    const logs = tm.logs;
    assert.deepEqual(logs.options.cleaner, {
      enable: true,
      threads: 1,
      dedupeBufferSize: 134217728,
      ioBufferLoadFactor: 0.9,
      ioMaxBytesPerSecond: Number.MAX_VALUE,
      backoffMs: 15000,
    });
    await produce(c, 'ct', await batch(keyed(4)));
    const p = tm.partition('ct', 0)!;
    assert.deepEqual([logs.options.lastStableOffset!('ct', 0), p.lastStableOffset, p.highWatermark], [4, 4, 4]);
    // a log without its Partition (its HW unknown) is not cleaned at all
    assert.equal(logs.options.lastStableOffset!('ct', 7), 0);
  });
});

describe('log.cleanup.policy=compact as the broker default', async () => {
  const b = await startTestBroker({
    'log.cleanup.policy': 'compact',
    'offsets.topic.num.partitions': 2,
    'transaction.state.log.num.partitions': 2,
  });
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('compacts topics without an override (STATIC_BROKER_CONFIG) and refuses their keyless records', async () => {
    await tm.createTopic({ name: 'dflt', numPartitions: 1 });
    const l = tm.partition('dflt', 0)!.log.config;
    assert.deepEqual([l.compact, l.delete, l.retentionMs, l.retentionBytes], [true, false, -1, -1]);
    const cp = tm.describeTopicConfigs('dflt').find((e) => e.name === 'cleanup.policy')!;
    assert.deepEqual([cp.value, cp.source], ['compact', 'STATIC_BROKER_CONFIG']);
    assert.equal((await produce(c, 'dflt', await batch(withKeyless(2, [1])))).errorCode, 87);
  });

  it("creates __consumer_offsets and __transaction_state with exactly Kafka's configs, compacted logs", async () => {
    assert.equal((await c.request(ApiKey.FindCoordinator, 3, { keyType: 0, key: 'g' })).errorCode, 0);
    assert.equal((await c.request(ApiKey.FindCoordinator, 3, { keyType: 1, key: 'tx' })).errorCode, 0);
    const md = b.broker.services.metadata;
    assert.deepEqual(md.topicConfigs('__consumer_offsets'), {
      'cleanup.policy': 'compact',
      'segment.bytes': '104857600',
      'compression.type': 'producer',
    });
    assert.deepEqual(md.topicConfigs('__transaction_state'), {
      'unclean.leader.election.enable': 'false',
      'compression.type': 'uncompressed',
      'cleanup.policy': 'compact',
      'min.insync.replicas': '1', // transaction.state.log.min.isr (2) capped at the one broker
      'segment.bytes': '104857600',
    });
    for (const topic of ['__consumer_offsets', '__transaction_state']) {
      for (const p of [0, 1]) {
        const l = tm.partition(topic, p)!.log.config;
        assert.deepEqual([l.compact, l.delete, l.retentionMs, l.retentionBytes, l.segmentBytes], [true, false, -1, -1, 104857600], topic);
      }
    }
  });
});
