// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs over a real socket: Kafka's sources,
// synonyms, types, filters and errors; altered topic configs applied to the running logs and kept
// across a restart; dynamic broker configs checked as Kafka's DynamicBrokerConfig, stored and described.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

async function produce(c: KafkaTestClient, topic: string, n: number, size = 10) {
  const records = await encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(size), timestamp: 1_700_000_000_000 + i })),
  });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

async function describeTopic(c: KafkaTestClient, topic: string, names: string[] | null = null, version = 4) {
  const res = await c.request(ApiKey.DescribeConfigs, version, {
    resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: names }],
    includeSynonyms: version >= 1,
    includeDocumentation: version >= 3,
  });
  return res.results[0]!;
}

async function overrides(c: KafkaTestClient, topic: string) {
  const r = await describeTopic(c, topic);
  return Object.fromEntries(r.configs.filter((e) => e.configSource === 1).map((e) => [e.name, e.value]));
}

describe('DescribeConfigs', async () => {
  const b = await startTestBroker({ 'log.segment.bytes': 1048576 });
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  await tm.createTopic({ name: 'd', numPartitions: 1, configs: { 'retention.ms': '1000' } });
  after(async () => {
    c.close();
    await b.stop();
  });

  it('describes a topic: overrides, static broker and default values, synonyms, types, docs (v4)', async () => {
    const r = await describeTopic(c, 'd');
    assert.deepEqual([r.errorCode, r.errorMessage, r.resourceType, r.resourceName], [0, null, TOPIC, 'd']);
    const by = new Map(r.configs.map((e) => [e.name, e]));
    assert.equal(by.size, 28);
    // the replication throttles' replica lists (Kafka's LIST, default empty, no broker synonym)
    for (const name of ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas']) {
      const e = by.get(name)!;
      assert.deepEqual([e.value, e.configSource, e.configType, e.synonyms], ['', 5, 7, []], name);
    }
    assert.deepEqual(
      r.configs.map((e) => e.name),
      [...by.keys()].sort(),
    );
    const ret = by.get('retention.ms')!;
    assert.deepEqual(
      { ...ret, documentation: typeof ret.documentation },
      {
        name: 'retention.ms',
        value: '1000',
        readOnly: false,
        isDefault: false,
        configSource: 1,
        isSensitive: false,
        configType: 5,
        documentation: 'string',
        synonyms: [
          { name: 'retention.ms', value: '1000', source: 1 },
          { name: 'log.retention.hours', value: '168', source: 5 },
        ],
      },
    );
    const seg = by.get('segment.bytes')!;
    assert.deepEqual(
      [seg.value, seg.configSource, seg.configType, seg.synonyms],
      [
        '1048576',
        4,
        3,
        [
          { name: 'log.segment.bytes', value: '1048576', source: 4 },
          { name: 'log.segment.bytes', value: '1073741824', source: 5 },
        ],
      ],
    );
    const cp = by.get('cleanup.policy')!;
    assert.deepEqual(
      [cp.value, cp.configSource, cp.configType, cp.synonyms],
      ['delete', 5, 7, [{ name: 'log.cleanup.policy', value: 'delete', source: 5 }]],
    );
    assert.deepEqual(
      [by.get('flush.messages')!.value, by.get('flush.messages')!.synonyms],
      ['9223372036854775807', [{ name: 'log.flush.interval.messages', value: '9223372036854775807', source: 5 }]],
    );
    assert.deepEqual(by.get('segment.ms')!.synonyms, [{ name: 'log.roll.hours', value: '168', source: 5 }]);
    assert.equal(by.get('segment.ms')!.value, '604800000');
    assert.equal(by.get('max.message.bytes')!.value, '1048588');
    assert.equal(by.get('min.cleanable.dirty.ratio')!.configType, 6);
    assert.equal(by.get('preallocate')!.configType, 1);
    assert.equal(by.get('message.timestamp.type')!.configType, 2);
  });

  it('accepts and describes the settings Kafka 3.x ignores: message.format.version (validated) and message.downconversion.enable', async () => {
    const r = await describeTopic(c, 'd', ['message.format.version', 'message.downconversion.enable']);
    const shape = (e: (typeof r.configs)[number]) => ({ ...e, documentation: e.documentation?.slice(0, 12) });
    assert.deepEqual(r.configs.map(shape), [
      {
        name: 'message.downconversion.enable',
        value: 'true',
        readOnly: false,
        isDefault: false, // v0 only
        configSource: 5,
        isSensitive: false,
        configType: 1,
        documentation: 'Whether the ',
        synonyms: [{ name: 'log.message.downconversion.enable', value: 'true', source: 5 }],
      },
      {
        name: 'message.format.version',
        value: '3.0-IV1',
        readOnly: false,
        isDefault: false,
        configSource: 5,
        isSensitive: false,
        configType: 2,
        documentation: '[DEPRECATED]',
        synonyms: [{ name: 'log.message.format.version', value: '3.0-IV1', source: 5 }],
      },
    ]);
    const created = await c.request(ApiKey.CreateTopics, 5, {
      topics: [
        {
          name: 'mfv',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: 'message.format.version', value: '2.8' },
            { name: 'message.downconversion.enable', value: 'false' },
          ],
        },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, 0);
    assert.deepEqual(await overrides(c, 'mfv'), { 'message.downconversion.enable': 'false', 'message.format.version': '2.8' });
    const alter = async (value: string) => {
      const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [
          { resourceType: TOPIC, resourceName: 'mfv', configs: [{ name: 'message.format.version', configOperation: SET, value }] },
        ],
        validateOnly: false,
      });
      return [res.responses[0]!.errorCode, res.responses[0]!.errorMessage];
    };
    // Kafka's MetadataVersion.fromVersionString: full IBP names, releases, longer strings cut to the release
    for (const ok of ['0.10.0-IV1', '0.8.2', '2.8.1', '3.9', '4.0-IV1', '0.10.0.1']) assert.deepEqual(await alter(ok), [0, null], ok);
    assert.deepEqual((await overrides(c, 'mfv'))['message.format.version'], '0.10.0.1');
    for (const bad of ['4.0', '3.x', '0.10', '2.8-IV2', ''])
      assert.deepEqual(
        await alter(bad),
        [ErrorCode.INVALID_CONFIG, `Invalid value ${bad} for configuration message.format.version: Version ${bad} is not a valid version`],
        bad,
      );
  });

  it('filters by name; v0 isDefault, no synonyms; v1-2 no docs; includeSynonyms false', async () => {
    const f = await describeTopic(c, 'd', ['retention.ms', 'segment.ms', 'no.such.config']);
    assert.deepEqual(
      f.configs.map((e) => e.name),
      ['retention.ms', 'segment.ms'],
    );
    const v0 = await describeTopic(c, 'd', ['retention.ms', 'segment.ms'], 0);
    assert.deepEqual(
      v0.configs.map((e) => [e.name, e.value, e.isDefault, e.readOnly, e.isSensitive, e.synonyms]),
      [
        ['retention.ms', '1000', false, false, false, []],
        ['segment.ms', '604800000', true, false, false, []],
      ],
    );
    const v2 = await describeTopic(c, 'd', ['retention.ms'], 2);
    assert.deepEqual([v2.configs[0]!.configSource, v2.configs[0]!.synonyms.length], [1, 2]);
    const noSyn = await c.request(ApiKey.DescribeConfigs, 3, {
      resources: [{ resourceType: TOPIC, resourceName: 'd', configurationKeys: ['retention.ms'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(
      [noSyn.results[0]!.configs[0]!.synonyms, noSyn.results[0]!.configs[0]!.documentation, noSyn.results[0]!.configs[0]!.configType],
      [[], null, 5],
    );
  });

  it("answers unknown and invalid topics, broker ids and resource types with Kafka's errors", async () => {
    const res = await c.request(ApiKey.DescribeConfigs, 4, {
      resources: [
        { resourceType: TOPIC, resourceName: 'nope', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'bad/name', configurationKeys: null },
        { resourceType: BROKER, resourceName: '2', configurationKeys: null },
        { resourceType: BROKER, resourceName: 'x', configurationKeys: null },
        { resourceType: BROKER, resourceName: '', configurationKeys: null },
        { resourceType: 8, resourceName: '3', configurationKeys: null },
        { resourceType: 32, resourceName: '', configurationKeys: null },
        { resourceType: 99, resourceName: 'z', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(
      res.results.map((r) => [r.resourceName, r.errorCode, r.errorMessage, r.configs.length]),
      [
        ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'nope' does not exist.", 0],
        [
          'bad/name',
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          "Topic name \"bad/name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
          0,
        ],
        ['2', ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 2', 0],
        ['x', ErrorCode.INVALID_REQUEST, 'Broker id must be an integer, but it is: x', 0],
        ['', 0, null, 0],
        ['3', ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 but received 3', 0],
        ['', ErrorCode.INVALID_REQUEST, 'Group name must not be empty', 0],
        ['z', ErrorCode.INVALID_REQUEST, 'Unsupported resource type: 99', 0],
      ],
    );
  });

  it('describes the broker: static and default settings, read-only flags, synonyms', async () => {
    const res = await c.request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const by = new Map(res.results[0]!.configs.map((e) => [e.name, e]));
    assert.equal(res.results[0]!.errorCode, 0);
    assert.deepEqual(by.get('log.segment.bytes'), {
      name: 'log.segment.bytes',
      value: '1048576',
      readOnly: false,
      isDefault: false,
      configSource: 4,
      isSensitive: false,
      configType: 3,
      documentation: null,
      synonyms: [
        { name: 'log.segment.bytes', value: '1048576', source: 4 },
        { name: 'log.segment.bytes', value: '1073741824', source: 5 },
      ],
    });
    assert.deepEqual([by.get('log.dirs')!.value, by.get('log.dirs')!.readOnly, by.get('log.dirs')!.configSource], [b.dataDir, true, 4]);
    assert.deepEqual(
      [by.get('log.retention.hours')!.value, by.get('log.retention.hours')!.configSource, by.get('log.retention.hours')!.synonyms],
      ['168', 5, [{ name: 'log.retention.hours', value: '168', source: 5 }]],
    );
    assert.deepEqual([by.get('log.retention.ms')!.value, by.get('log.retention.ms')!.readOnly], [null, false]);
    assert.deepEqual([by.get('delete.topic.enable')!.value, by.get('delete.topic.enable')!.configType], ['true', 1]);
    const one = await c.request(ApiKey.DescribeConfigs, 1, {
      resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['num.partitions'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(
      one.results[0]!.configs.map((e) => [e.name, e.value, e.configSource, e.readOnly]),
      [['num.partitions', '1', 5, true]],
    );
  });
});

describe('AlterConfigs and IncrementalAlterConfigs', async () => {
  const b = await startTestBroker({}, {}, { keep: true });
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  await tm.createTopic({ name: 'a', numPartitions: 1, configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } });
  await tm.createTopic({ name: 'i', numPartitions: 1 });
  await tm.createTopic({ name: 'j', numPartitions: 1 });
  let stopped = false;
  after(async () => {
    c.close();
    if (!stopped) await b.stop();
  });

  it('AlterConfigs replaces the whole set of overrides and validates as Kafka', async () => {
    const res = await c.request(ApiKey.AlterConfigs, 2, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'a',
          configs: [
            { name: 'segment.bytes', value: '20000' },
            { name: 'flush.ms', value: null },
          ],
        },
      ],
      validateOnly: false,
    });
    assert.deepEqual(res.responses, [{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'a' }]);
    assert.deepEqual(await overrides(c, 'a'), { 'segment.bytes': '20000' });
    assert.equal(tm.partition('a', 0)!.log.config.segmentBytes, 20000, 'applied to the running log');
    assert.equal(tm.partition('a', 0)!.log.config.retentionMs, 604800000, 'retention.ms back to the broker default');

    const bad = await c.request(ApiKey.AlterConfigs, 0, {
      resources: [
        { resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'retention.ms', value: 'abc' }] },
        { resourceType: TOPIC, resourceName: 'i', configs: [{ name: 'no.such', value: '1' }] },
        { resourceType: TOPIC, resourceName: 'nope', configs: [] },
        {
          resourceType: TOPIC,
          resourceName: 'x',
          configs: [
            { name: 'retention.ms', value: '1' },
            { name: 'retention.ms', value: '2' },
          ],
        },
        { resourceType: TOPIC, resourceName: 'twice', configs: [] },
        { resourceType: TOPIC, resourceName: 'twice', configs: [] },
        { resourceType: TOPIC, resourceName: 'j', configs: [{ name: 'cleanup.policy', value: 'sideways' }] },
      ],
      validateOnly: false,
    });
    assert.deepEqual(
      bad.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
      [
        ['a', ErrorCode.INVALID_CONFIG, 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
        ['i', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such'],
        ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Topic nope does not exist.'],
        ['x', ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'],
        ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate resource.'],
        ['j', ErrorCode.INVALID_CONFIG, 'Invalid value sideways for configuration cleanup.policy: String must be one of: compact, delete'],
      ],
    );
    assert.deepEqual(await overrides(c, 'a'), { 'segment.bytes': '20000' }, 'a failed alter changes nothing');

    const dry = await c.request(ApiKey.AlterConfigs, 1, {
      resources: [{ resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'retention.ms', value: '5' }] }],
      validateOnly: true,
    });
    assert.equal(dry.responses[0]!.errorCode, 0);
    assert.deepEqual(await overrides(c, 'a'), { 'segment.bytes': '20000' }, 'validateOnly changes nothing');
  });

  it('IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT and their errors', async () => {
    const alter = (configs: Array<{ name: string; configOperation: number; value: string | null }>, validateOnly = false, name = 'i') =>
      c
        .request(ApiKey.IncrementalAlterConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: name, configs }], validateOnly })
        .then((r) => r.responses[0]!);
    assert.equal(
      (
        await alter([
          { name: 'retention.ms', configOperation: SET, value: '5000' },
          { name: 'max.message.bytes', configOperation: SET, value: '100' },
        ])
      ).errorCode,
      0,
    );
    assert.deepEqual(await overrides(c, 'i'), { 'max.message.bytes': '100', 'retention.ms': '5000' });
    assert.equal((await produce(c, 'i', 5, 50)).errorCode, ErrorCode.MESSAGE_TOO_LARGE, 'max.message.bytes applied to produce');
    assert.equal(
      (
        await alter([
          { name: 'max.message.bytes', configOperation: DELETE, value: null },
          { name: 'segment.ms', configOperation: DELETE, value: null },
        ])
      ).errorCode,
      0,
    );
    assert.deepEqual(await overrides(c, 'i'), { 'retention.ms': '5000' });
    assert.equal((await produce(c, 'i', 5, 50)).errorCode, 0);
    assert.equal((await alter([{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, 0);
    assert.equal((await overrides(c, 'i'))['cleanup.policy'], 'delete,compact');
    assert.equal((await alter([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])).errorCode, 0);
    assert.equal((await overrides(c, 'i'))['cleanup.policy'], 'compact');
    assert.equal(tm.topic('i')!.runtime.cleanupPolicy.join(), 'compact');
    assert.equal((await alter([{ name: 'retention.ms', configOperation: SET, value: '1' }], true)).errorCode, 0);
    assert.equal((await overrides(c, 'i'))['retention.ms'], '5000', 'validateOnly');

    assert.deepEqual(await alter([{ name: 'retention.ms', configOperation: APPEND, value: '1' }]), {
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Config value append is not allowed for config key: retention.ms',
      resourceType: TOPIC,
      resourceName: 'i',
    });
    assert.deepEqual(
      (
        await alter([
          { name: 'retention.ms', configOperation: SET, value: null },
          { name: 'segment.ms', configOperation: SET, value: null },
        ])
      ).errorMessage,
      'Null value not supported for : retention.ms, segment.ms',
    );
    assert.equal((await alter([{ name: 'retention.ms', configOperation: 9, value: '1' }])).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(
      (
        await alter([
          { name: 'retention.ms', configOperation: SET, value: '1' },
          { name: 'retention.ms', configOperation: DELETE, value: null },
        ])
      ).errorMessage,
      'Error due to duplicate config keys',
    );
    assert.equal(
      (await alter([{ name: 'segment.bytes', configOperation: SET, value: '5' }])).errorMessage,
      'Invalid value 5 for configuration segment.bytes: Value must be at least 14',
    );
    assert.equal((await alter([], false, 'nope')).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await overrides(c, 'i'))['retention.ms'], '5000');
  });

  it("checks dynamic broker config changes as Kafka's DynamicBrokerConfig", async () => {
    const inc = async (name: string, configs: Array<{ name: string; configOperation: number; value: string | null }>) => {
      const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: BROKER, resourceName: name, configs }],
        validateOnly: false,
      });
      return [res.responses[0]!.errorCode, res.responses[0]!.errorMessage];
    };
    const res = await c.request(ApiKey.IncrementalAlterConfigs, 0, {
      resources: [
        { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.dirs', configOperation: SET, value: '/x' }] },
        { resourceType: BROKER, resourceName: '1', configs: [] },
        { resourceType: BROKER, resourceName: '7', configs: [] },
      ],
      validateOnly: false,
    });
    assert.deepEqual(
      res.responses.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.INVALID_REQUEST, 'Duplicate resource.'],
        [ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 7'],
      ],
    );
    assert.deepEqual(await inc('1', [{ name: 'log.dirs', configOperation: SET, value: '/x' }]), [
      ErrorCode.INVALID_REQUEST,
      'Cannot update these configs dynamically: Set(log.dirs)',
    ]);
    assert.deepEqual(await inc('1', [{ name: 'log.retention.hours', configOperation: SET, value: '1' }]), [
      ErrorCode.INVALID_REQUEST,
      'Cannot update these configs dynamically: Set(log.retention.hours)',
    ]);
    assert.deepEqual(await inc('1', [{ name: 'ssl.keystore.location', configOperation: SET, value: '/k.pem' }]), [
      ErrorCode.INVALID_REQUEST,
      'These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)',
    ]);
    assert.deepEqual(await inc('', [{ name: 'sasl.kerberos.min.time.before.relogin', configOperation: SET, value: '60000' }]), [
      ErrorCode.INVALID_REQUEST,
      'Cannot update these configs at default cluster level, broker id must be specified: Set(sasl.kerberos.min.time.before.relogin)',
    ]);
    assert.deepEqual(await inc('', [{ name: 'message.max.bytes', configOperation: SET, value: 'big' }]), [
      ErrorCode.INVALID_REQUEST,
      'Invalid value big for configuration message.max.bytes: Not a number of type INT',
    ]);
    assert.deepEqual(await inc('', [{ name: 'min.insync.replicas', configOperation: SET, value: '0' }]), [
      ErrorCode.INVALID_REQUEST,
      'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1',
    ]);
    assert.deepEqual(await inc('1', [{ name: 'message.max.bytes', configOperation: APPEND, value: '1' }]), [
      ErrorCode.INVALID_CONFIG,
      'Config value append is not allowed for config key: message.max.bytes',
    ]);
    // Accepted: a per-broker SASL setting, a listener-prefixed key store, cluster-wide defaults, a custom name.
    assert.deepEqual(await inc('1', [{ name: 'sasl.kerberos.min.time.before.relogin', configOperation: SET, value: '60000' }]), [0, null]);
    assert.deepEqual(await inc('1', [{ name: 'listener.name.plaintext.ssl.keystore.location', configOperation: SET, value: '/k.pem' }]), [
      0,
      null,
    ]);
    assert.deepEqual(
      await inc('', [
        { name: 'log.retention.ms', configOperation: SET, value: '3600000' },
        { name: 'num.io.threads', configOperation: SET, value: '4' },
        { name: 'my.plugin.setting', configOperation: SET, value: 'x' },
      ]),
      [0, null],
    );
    assert.deepEqual(await inc('1', [{ name: 'num.io.threads', configOperation: SET, value: '6' }]), [0, null]);
    assert.deepEqual(await inc('1', [{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }]), [0, null]);
    const described = await c.request(ApiKey.DescribeConfigs, 4, {
      resources: [
        {
          resourceType: BROKER,
          resourceName: '1',
          configurationKeys: [
            'num.io.threads',
            'log.retention.ms',
            'sasl.kerberos.min.time.before.relogin',
            'log.cleanup.policy',
            'log.dirs',
          ],
        },
        { resourceType: BROKER, resourceName: '', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const node = described.results[0]!.configs;
    assert.deepEqual(
      node.map((e) => [e.name, e.value, e.configSource, e.readOnly]),
      [
        ['log.cleanup.policy', 'delete,compact', 2, false],
        ['log.dirs', b.dataDir, 4, true],
        ['log.retention.ms', '3600000', 3, false],
        ['num.io.threads', '6', 2, false],
        ['sasl.kerberos.min.time.before.relogin', '60000', 2, false],
      ],
    );
    assert.deepEqual(node.find((e) => e.name === 'num.io.threads')!.synonyms, [
      { name: 'num.io.threads', value: '6', source: 2 },
      { name: 'num.io.threads', value: '4', source: 3 },
      { name: 'num.io.threads', value: '8', source: 5 },
    ]);
    assert.deepEqual(
      described.results[1]!.configs.map((e) => [e.name, e.value, e.configSource]),
      [
        ['log.retention.ms', '3600000', 3],
        ['my.plugin.setting', 'x', 3],
        ['num.io.threads', '4', 3],
      ],
    );
    // Legacy AlterConfigs replaces the whole set of the resource.
    const legacy = await c.request(ApiKey.AlterConfigs, 2, {
      resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', value: '7200000' }] }],
      validateOnly: false,
    });
    assert.equal(legacy.responses[0]!.errorCode, 0);
    assert.deepEqual(await inc('1', [{ name: 'num.io.threads', configOperation: DELETE, value: null }]), [0, null]);
    const after = await c.request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(
      after.results[0]!.configs.map((e) => [e.name, e.value]),
      [['log.retention.ms', '7200000']],
    );
  });

  it('segment.bytes and retention.ms take effect on the running log, and survive a restart', async () => {
    await tm.createTopic({ name: 'r', numPartitions: 1 });
    const set = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: TOPIC, resourceName: 'r', configs: [{ name: 'segment.bytes', configOperation: SET, value: '300' }] }],
      validateOnly: false,
    });
    assert.equal(set.responses[0]!.errorCode, 0);
    for (let i = 0; i < 5; i++) assert.equal((await produce(c, 'r', 2, 100)).errorCode, 0);
    const log = tm.partition('r', 0)!.log;
    assert.equal(log.segments.length, 5, 'each batch over 300 bytes rolled a new segment');
    // Records are from 2023: a 1 s retention makes every closed segment expire.
    const ret = await c.request(ApiKey.AlterConfigs, 1, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'r',
          configs: [
            { name: 'segment.bytes', value: '300' },
            { name: 'retention.ms', value: '1000' },
          ],
        },
      ],
      validateOnly: false,
    });
    assert.equal(ret.responses[0]!.errorCode, 0);
    tm.logs.cleanupLogs();
    assert.deepEqual([log.segments.length, log.logStartOffset, log.logEndOffset], [1, 8, 10]);

    c.close();
    await b.stop();
    stopped = true;
    const again = await startTestBroker({ 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(again.port);
    try {
      assert.deepEqual(await overrides(c2, 'r'), { 'retention.ms': '1000', 'segment.bytes': '300' });
      assert.deepEqual(await overrides(c2, 'i'), { 'cleanup.policy': 'compact', 'retention.ms': '5000' });
      const p = topicsOf(again.broker).partition('r', 0)!;
      assert.deepEqual([p.log.config.segmentBytes, p.log.config.retentionMs, p.logStartOffset, p.logEndOffset], [300, 1000, 8, 10]);
    } finally {
      c2.close();
      await again.stop();
    }
  });
});
