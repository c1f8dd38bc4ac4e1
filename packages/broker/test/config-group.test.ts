// GROUP config resources (type 32, Kafka 4's group configs) at the wire: described with their
// defaults (the broker's group.consumer.* settings) and sources, altered through the controller
// (ConfigRecords of resource type 32, kept across a restart), validated as Kafka 4.0's GroupConfig
// (unknown names, types, ranges, the broker's group.consumer/share.min/max.* bounds) with Kafka's
// messages, and authorized on the group. Tributary has no KIP-848 consumer protocol: nothing
// applies the values, so only storing and describing is checked.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType, type Authorizer } from '../src/server/authorizer.ts';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';

const GROUP = 32;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];

async function describeGroup(c: KafkaTestClient, group: string, keys: string[] | null = null, version = 4) {
  const res = await c.request(ApiKey.DescribeConfigs, version, {
    resources: [{ resourceType: GROUP, resourceName: group, configurationKeys: keys }],
    includeSynonyms: version >= 1,
    includeDocumentation: version >= 3,
  });
  return res.results[0]!;
}

/** name -> [value, source] */
async function values(c: KafkaTestClient, group: string): Promise<Record<string, [string | null, number]>> {
  const r = await describeGroup(c, group);
  return Object.fromEntries(r.configs.map((e) => [e.name, [e.value, e.configSource]]));
}

type Op = [name: string, op: number, value: string | null];

async function alter(c: KafkaTestClient, group: string, ops: Op[], validateOnly = false) {
  const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: GROUP,
        resourceName: group,
        configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
      },
    ],
    validateOnly,
  });
  const r = res.responses[0]!;
  return [r.errorCode, r.errorMessage];
}

const DEFAULTS: Record<string, [string, number]> = {
  'consumer.heartbeat.interval.ms': ['5000', 5],
  'consumer.session.timeout.ms': ['45000', 5],
  'share.auto.offset.reset': ['latest', 5],
  'share.heartbeat.interval.ms': ['5000', 5],
  'share.record.lock.duration.ms': ['30000', 5],
  'share.session.timeout.ms': ['45000', 5],
};

describe('GROUP config resources', async () => {
  // a smaller lower bound, so that "greater than consumer.heartbeat.interval.ms" can be reached
  const b = await startTestBroker({ 'group.consumer.min.session.timeout.ms': 1000 }, {}, { keep: true });
  let c = await kafkaClient(b.port);
  let stopped = false;
  after(async () => {
    c.close();
    if (!stopped) await b.stop();
  });

  it('describes any group (existing or not) with the defaults, types, synonyms and docs (v4)', async () => {
    const r = await describeGroup(c, 'no-such-group');
    assert.deepEqual([r.errorCode, r.errorMessage, r.resourceType, r.resourceName], [0, null, GROUP, 'no-such-group']);
    assert.deepEqual(
      r.configs.map((e) => [e.name, e.value, e.configSource, e.configType, e.readOnly, e.isSensitive, e.synonyms]),
      Object.entries(DEFAULTS).map(([name, [value, source]]) => [
        name,
        value,
        source,
        name === 'share.auto.offset.reset' ? 2 : 3,
        false,
        false,
        [{ name, value, source }],
      ]),
    );
    assert.match(r.configs[1]!.documentation!, /^The timeout to detect client failures when using the consumer group protocol\./);
    const v0 = await describeGroup(c, 'g', ['consumer.session.timeout.ms', 'nope'], 0);
    assert.deepEqual(
      v0.configs.map((e) => [e.name, e.value, e.isDefault, e.synonyms]),
      [['consumer.session.timeout.ms', '45000', true, []]],
    );
  });

  it('SET and DELETE store ConfigRecords of resource type 32, described as GROUP_CONFIG', async () => {
    assert.deepEqual(
      await alter(c, 'g', [
        ['consumer.session.timeout.ms', SET, '50000'],
        ['consumer.heartbeat.interval.ms', SET, '6000'],
        ['share.auto.offset.reset', SET, 'earliest'],
      ]),
      [0, null],
    );
    assert.deepEqual(b.broker.services.metadata.groupConfigs('g'), {
      'consumer.heartbeat.interval.ms': '6000',
      'consumer.session.timeout.ms': '50000',
      'share.auto.offset.reset': 'earliest',
    });
    const r = await describeGroup(c, 'g', ['consumer.session.timeout.ms']);
    assert.deepEqual(
      r.configs.map((e) => [e.name, e.value, e.configSource, e.isDefault, e.synonyms]),
      [['consumer.session.timeout.ms', '50000', 8, false, [{ name: 'consumer.session.timeout.ms', value: '50000', source: 8 }]]],
    );
    assert.deepEqual(await alter(c, 'g', [['consumer.heartbeat.interval.ms', DELETE, null]]), [0, null]);
    assert.deepEqual(await values(c, 'g'), {
      ...DEFAULTS,
      'consumer.session.timeout.ms': ['50000', 8],
      'share.auto.offset.reset': ['earliest', 8],
    });
    assert.deepEqual(await values(c, 'other'), DEFAULTS, 'another group keeps the defaults');
  });

  it("refuses what Kafka 4.0's GroupConfig refuses, with INVALID_CONFIG and Kafka's message", async () => {
    const answers = [];
    for (const ops of [
      [['consumer.foo', SET, '1']],
      [['consumer.session.timeout.ms', SET, 'soon']],
      [['consumer.session.timeout.ms', SET, '0']],
      [['consumer.session.timeout.ms', SET, '500']],
      [['consumer.session.timeout.ms', SET, '60001']],
      [['consumer.session.timeout.ms', SET, '5000']],
      [['consumer.heartbeat.interval.ms', SET, '4999']],
      [['consumer.heartbeat.interval.ms', SET, '15001']],
      [['share.session.timeout.ms', SET, '44999']],
      [['share.heartbeat.interval.ms', SET, '15001']],
      [['share.record.lock.duration.ms', SET, '999']],
      [['share.record.lock.duration.ms', SET, '14999']],
      [['share.record.lock.duration.ms', SET, '60001']],
      [['share.auto.offset.reset', SET, 'none']],
      [['consumer.session.timeout.ms', APPEND, '1']],
      [['share.auto.offset.reset', SUBTRACT, 'latest']],
    ] as Op[][]) {
      answers.push(await alter(c, 'g', ops));
    }
    const I = ErrorCode.INVALID_CONFIG;
    assert.deepEqual(answers, [
      [I, 'Unknown group config name: consumer.foo'],
      [I, 'Invalid value soon for configuration consumer.session.timeout.ms: Not a number of type INT'],
      [I, 'Invalid value 0 for configuration consumer.session.timeout.ms: Value must be at least 1'],
      [I, 'consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms'],
      [I, 'consumer.session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms'],
      [I, 'consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms'],
      [I, 'consumer.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms'],
      [I, 'consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms'],
      [I, 'share.session.timeout.ms must be greater than or equal to group.share.min.session.timeout.ms'],
      [I, 'share.heartbeat.interval.ms must be less than or equal to group.share.max.heartbeat.interval.ms'],
      [I, 'Invalid value 999 for configuration share.record.lock.duration.ms: Value must be at least 1000'],
      [I, 'share.record.lock.duration.ms must be greater than or equal to group.share.min.record.lock.duration.ms'],
      [I, 'share.record.lock.duration.ms must be less than or equal to group.share.max.record.lock.duration.ms'],
      [I, 'Invalid value none for configuration share.auto.offset.reset: String must be one of: latest, earliest'],
      [I, "Can't APPEND to key consumer.session.timeout.ms because its type is not LIST."],
      [I, "Can't SUBTRACT to key share.auto.offset.reset because its type is not LIST."],
    ]);
    assert.deepEqual(await alter(c, '', [['consumer.session.timeout.ms', SET, '50000']]), [
      ErrorCode.INVALID_REQUEST,
      'Default group resources are not allowed.',
    ]);
    assert.deepEqual(await alter(c, 'g', [['consumer.session.timeout.ms', SET, '46000']], true), [0, null]);
    assert.deepEqual((await values(c, 'g'))['consumer.session.timeout.ms'], ['50000', 8], 'validateOnly and refusals changed nothing');
  });

  it('the legacy AlterConfigs replaces the whole set; the configs survive a restart', async () => {
    const res = await c.request(ApiKey.AlterConfigs, 2, {
      resources: [{ resourceType: GROUP, resourceName: 'g', configs: [{ name: 'share.record.lock.duration.ms', value: '20000' }] }],
      validateOnly: false,
    });
    assert.deepEqual(res.responses, [{ errorCode: 0, errorMessage: null, resourceType: GROUP, resourceName: 'g' }]);
    const bad = await c.request(ApiKey.AlterConfigs, 2, {
      resources: [{ resourceType: GROUP, resourceName: 'g', configs: [{ name: 'consumer.session.timeout.ms', value: '1' }] }],
      validateOnly: false,
    });
    assert.deepEqual(
      [bad.responses[0]!.errorCode, bad.responses[0]!.errorMessage],
      [ErrorCode.INVALID_CONFIG, 'consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms'],
    );
    const expected = { ...DEFAULTS, 'share.record.lock.duration.ms': ['20000', 8] };
    assert.deepEqual(await values(c, 'g'), expected);

    c.close();
    await b.stop();
    stopped = true;
    const again = await startTestBroker({ 'log.dirs': b.dataDir, 'group.consumer.min.session.timeout.ms': 1000 });
    c = await kafkaClient(again.port);
    try {
      assert.deepEqual(await values(c, 'g'), expected);
      assert.deepEqual(again.broker.services.metadata.groupConfigs('g'), { 'share.record.lock.duration.ms': '20000' });
    } finally {
      await again.stop();
    }
  });
});

describe('GROUP config resources: static defaults and authorization', () => {
  const denied = new Set<string>();
  const authorizer: Authorizer = {
    authorize: (_ctx, op, type, name) => !(type === ResourceType.GROUP && denied.has(`${op} ${name}`)),
  };
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  before(async () => {
    b = await startTestBroker(
      {
        'group.consumer.session.timeout.ms': 55000,
        'group.consumer.heartbeat.interval.ms': 7000,
        'group.share.record.lock.duration.ms': 40000,
      },
      { authorizer },
    );
    c = await kafkaClient(b.port);
  });
  after(async () => {
    c.close();
    await b.stop();
  });
  beforeEach(() => denied.clear());

  it("takes the defaults from the broker's group.consumer.* and group.share.record.lock.duration.ms", async () => {
    assert.deepEqual(await values(c, 'g'), {
      ...DEFAULTS,
      'consumer.heartbeat.interval.ms': ['7000', 5],
      'consumer.session.timeout.ms': ['55000', 5],
      'share.record.lock.duration.ms': ['40000', 5],
    });
  });

  it('needs DESCRIBE_CONFIGS / ALTER_CONFIGS on the group, else GROUP_AUTHORIZATION_FAILED', async () => {
    denied.add(`${AclOperation.DESCRIBE_CONFIGS} secret`);
    denied.add(`${AclOperation.ALTER_CONFIGS} secret`);
    const r = await describeGroup(c, 'secret');
    assert.deepEqual([r.errorCode, r.errorMessage, r.configs], [ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.', []]);
    assert.deepEqual(await alter(c, 'secret', [['consumer.session.timeout.ms', SET, '50000']]), [
      ErrorCode.GROUP_AUTHORIZATION_FAILED,
      'Group authorization failed.',
    ]);
    assert.deepEqual(b.broker.services.metadata.groupConfigs('secret'), {});
    assert.deepEqual(await alter(c, 'open', [['consumer.session.timeout.ms', SET, '50000']]), [0, null]);
  });
});
