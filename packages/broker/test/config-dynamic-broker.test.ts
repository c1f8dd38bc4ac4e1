// Dynamic broker configs applied to the running broker (Kafka's DynamicBrokerConfig), at the wire:
// a cluster-wide default (resource "") and a per-broker value (resource "1") of the topic defaults
// reach every hosted log without a restart (per-broker > cluster default > static > Kafka's
// default; a topic's own override still wins), and are described with those sources; the log
// cleaner and the connection limits take theirs; Kafka's checks of the resulting configuration
// refuse what it refuses; stored values a broker cannot use are ignored, as Kafka ignores them.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE] = [0, 1];

/** Records stamped an hour ago: past a 1 s retention, well within the default 7 days. */
async function produce(c: KafkaTestClient, topic: string, n: number, size = 10) {
  const hourAgo = Date.now() - 3_600_000;
  const records = await encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(size), timestamp: hourAgo + i })),
  });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!.errorCode;
}

async function alterBroker(c: KafkaTestClient, name: string, ops: Array<[string, number, string | null]>) {
  const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: name,
        configs: ops.map(([n, configOperation, value]) => ({ name: n, configOperation, value })),
      },
    ],
    validateOnly: false,
  });
  return [res.responses[0]!.errorCode, res.responses[0]!.errorMessage];
}

async function describeOne(c: KafkaTestClient, resourceType: number, resourceName: string, name: string) {
  const res = await c.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: [name] }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  const e = res.results[0]!.configs[0]!;
  return [e.value, e.configSource, e.synonyms.map((s) => [s.name, s.value, s.source])];
}

describe('dynamic broker configs applied without a restart', async () => {
  const b = await startTestBroker({ 'log.segment.bytes': 100000 });
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  await tm.createTopic({ name: 'plain', numPartitions: 1 });
  await tm.createTopic({ name: 'own', numPartitions: 1, configs: { 'segment.bytes': '5000' } });
  const segmentBytes = (topic: string) => tm.partition(topic, 0)!.log.config.segmentBytes;
  after(async () => {
    c.close();
    await b.stop();
  });

  it("topic defaults: per-broker > cluster default > static, on every hosted log at once; a topic's override wins", async () => {
    assert.deepEqual([segmentBytes('plain'), segmentBytes('own')], [100000, 5000]);
    assert.deepEqual(await alterBroker(c, '', [['log.segment.bytes', SET, '300']]), [0, null]);
    assert.deepEqual([segmentBytes('plain'), segmentBytes('own')], [300, 5000], 'the cluster-wide default');
    for (let i = 0; i < 3; i++) assert.equal(await produce(c, 'plain', 2, 100), 0);
    assert.equal(tm.partition('plain', 0)!.log.segments.length, 3, 'each batch over 300 bytes rolled a segment');

    assert.deepEqual(await alterBroker(c, '1', [['log.segment.bytes', SET, '600']]), [0, null]);
    assert.equal(segmentBytes('plain'), 600, 'the per-broker value wins over the default');
    assert.deepEqual(await describeOne(c, TOPIC, 'plain', 'segment.bytes'), [
      '600',
      2,
      [
        ['log.segment.bytes', '600', 2],
        ['log.segment.bytes', '300', 3],
        ['log.segment.bytes', '100000', 4],
        ['log.segment.bytes', '1073741824', 5],
      ],
    ]);
    assert.deepEqual(await describeOne(c, BROKER, '1', 'log.segment.bytes'), [
      '600',
      2,
      [
        ['log.segment.bytes', '600', 2],
        ['log.segment.bytes', '300', 3],
        ['log.segment.bytes', '100000', 4],
        ['log.segment.bytes', '1073741824', 5],
      ],
    ]);
    await tm.createTopic({ name: 'later', numPartitions: 1 });
    assert.equal(segmentBytes('later'), 600, 'a topic created afterwards takes it too');

    assert.deepEqual(await alterBroker(c, '1', [['log.segment.bytes', DELETE, null]]), [0, null]);
    assert.deepEqual([segmentBytes('plain'), segmentBytes('later')], [300, 300]);
    assert.deepEqual(await alterBroker(c, '', [['log.segment.bytes', DELETE, null]]), [0, null]);
    assert.deepEqual([segmentBytes('plain'), segmentBytes('later'), segmentBytes('own')], [100000, 100000, 5000], 'back to static');
    assert.deepEqual((await describeOne(c, TOPIC, 'plain', 'segment.bytes')).slice(0, 2), ['100000', 4]);
  });

  it('message.max.bytes and log.retention.ms change what produce and retention do', async () => {
    await tm.createTopic({ name: 'm', numPartitions: 1 });
    assert.equal(await produce(c, 'm', 1, 500), 0);
    assert.deepEqual(await alterBroker(c, '', [['message.max.bytes', SET, '300']]), [0, null]);
    assert.equal(await produce(c, 'm', 1, 500), ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(await produce(c, 'm', 1, 10), 0);
    assert.deepEqual(await alterBroker(c, '', [['message.max.bytes', DELETE, null]]), [0, null]);
    assert.equal(await produce(c, 'm', 1, 500), 0);

    assert.deepEqual(await alterBroker(c, '1', [['log.segment.bytes', SET, '400']]), [0, null]);
    for (let i = 0; i < 3; i++) assert.equal(await produce(c, 'm', 1, 300), 0);
    const log = tm.partition('m', 0)!.log;
    const segments = log.segments.length;
    tm.logs.cleanupLogs();
    assert.equal(log.segments.length, segments, 'the static 7 days keep everything');
    assert.deepEqual(await alterBroker(c, '1', [['log.retention.ms', SET, '1000']]), [0, null]);
    assert.equal(log.config.retentionMs, 1000);
    tm.logs.cleanupLogs();
    assert.deepEqual([log.segments.length, log.logStartOffset, log.logEndOffset], [1, 5, 6], 'only the active segment is left');
    assert.deepEqual(await describeOne(c, TOPIC, 'm', 'retention.ms'), [
      '1000',
      2,
      [
        ['log.retention.ms', '1000', 2],
        ['log.retention.hours', '168', 5],
      ],
    ]);
    assert.deepEqual(
      await alterBroker(c, '1', [
        ['log.retention.ms', DELETE, null],
        ['log.segment.bytes', DELETE, null],
      ]),
      [0, null],
    );
    assert.equal(log.config.retentionMs, 604800000);
  });

  it("the log cleaner takes its settings; Kafka's checks of the resulting configuration refuse the rest", async () => {
    const cleaner = tm.logs.cleaner!;
    assert.deepEqual([cleaner.threads, cleaner.config.ioMaxBytesPerSecond], [1, Number.MAX_VALUE]);
    assert.deepEqual(await alterBroker(c, '', [['log.cleaner.io.max.bytes.per.second', SET, '1048576']]), [0, null]);
    assert.equal(cleaner.pacing.throttler.desiredRatePerSec, 1048576);
    assert.deepEqual(await alterBroker(c, '', [['log.cleaner.threads', SET, '3']]), [
      ErrorCode.INVALID_REQUEST,
      'Invalid dynamic configuration',
    ]);
    assert.deepEqual(await alterBroker(c, '', [['log.cleaner.threads', SET, '2']]), [0, null]);
    // the cleaner restarts its workers asynchronously; cleanNow() waits for that
    await cleaner.cleanNow();
    assert.deepEqual([cleaner.threads, cleaner.isRunning], [2, true]);
    assert.deepEqual(await alterBroker(c, '1', [['log.cleaner.dedupe.buffer.size', SET, '2000000']]), [
      ErrorCode.INVALID_REQUEST,
      'requirement failed: log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.',
    ]);
    assert.deepEqual(
      await alterBroker(c, '', [
        ['log.cleaner.min.compaction.lag.ms', SET, '5000'],
        ['log.cleaner.max.compaction.lag.ms', SET, '1000'],
      ]),
      [ErrorCode.INVALID_REQUEST, 'conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)'],
    );
    assert.deepEqual(
      await alterBroker(c, '', [
        ['log.cleaner.io.max.bytes.per.second', DELETE, null],
        ['log.cleaner.threads', DELETE, null],
      ]),
      [0, null],
    );
    assert.equal(cleaner.pacing.throttler.desiredRatePerSec, Number.MAX_VALUE);
  });

  it('max.connections.per.ip: new connections over the new limit are closed, open ones stay', async () => {
    const connect = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(b.port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    const closed = (s: net.Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
    assert.deepEqual(await alterBroker(c, '', [['max.connections.per.ip', SET, '2']]), [0, null]);
    const second = await connect();
    const third = await connect();
    third.on('error', () => {});
    await closed(third);
    const d = await kafkaClient(b.port).catch(() => null);
    assert.equal(
      d?.wire
        ? await d.request(ApiKey.ApiVersions, 0, {}).then(
            () => 'answered',
            () => 'closed',
          )
        : 'closed',
      'closed',
    );
    d?.close();
    assert.equal((await c.request(ApiKey.ApiVersions, 0, {})).errorCode, 0, 'the open connection stays');
    second.destroy();
    await closed(second);
    assert.deepEqual(await alterBroker(c, '', [['max.connections.per.ip', DELETE, null]]), [0, null]);
    const e = await kafkaClient(b.port);
    assert.equal((await e.request(ApiKey.ApiVersions, 0, {})).errorCode, 0);
    e.close();
  });

  it('ignores stored values it cannot use (stored past the checks), keeps the last valid configuration', async () => {
    const controller = b.broker.services.controller;
    await controller.incrementalAlterConfigs([
      { resourceType: BROKER, resourceName: '', ops: [{ name: 'log.segment.bytes', op: 'SET', value: 'big' }] },
    ]);
    assert.equal(segmentBytes('plain'), 100000, 'an unparsable value is ignored');
    await controller.incrementalAlterConfigs([
      {
        resourceType: BROKER,
        resourceName: '1',
        ops: [
          { name: 'log.segment.bytes', op: 'SET', value: '700' },
          { name: 'log.cleaner.min.compaction.lag.ms', op: 'SET', value: '5000' },
          { name: 'log.cleaner.max.compaction.lag.ms', op: 'SET', value: '1000' },
        ],
      },
    ]);
    assert.equal(segmentBytes('plain'), 100000, 'a set failing the cross-checks is not applied at all');
    await controller.incrementalAlterConfigs([
      { resourceType: BROKER, resourceName: '1', ops: [{ name: 'log.cleaner.min.compaction.lag.ms', op: 'DELETE', value: null }] },
    ]);
    assert.equal(segmentBytes('plain'), 700);
  });
});
