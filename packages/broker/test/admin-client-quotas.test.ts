// DescribeClientQuotas and AlterClientQuotas over a real socket: exact entries after alters
// (users, client ids, their combination, the defaults), removals with Remove, filters, Kafka's
// INVALID_REQUEST messages, validateOnly, authorization on the cluster, and quotas kept across a
// restart (they are cluster metadata records).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType, type Authorizer } from '../src/server/authorizer.ts';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';

type Entity = Array<{ entityType: string; entityName: string | null }>;
const user = (name: string | null): Entity => [{ entityType: 'user', entityName: name }];
const client = (name: string | null): Entity => [{ entityType: 'client-id', entityName: name }];

async function alter(
  c: KafkaTestClient,
  entries: Array<{ entity: Entity; ops: Array<{ key: string; value?: number; remove?: boolean }> }>,
  validateOnly = false,
  version = 1,
) {
  const res = await c.request(ApiKey.AlterClientQuotas, version, {
    entries: entries.map((e) => ({
      entity: e.entity,
      ops: e.ops.map((o) => ({ key: o.key, value: o.value ?? 0, remove: o.remove ?? false })),
    })),
    validateOnly,
  });
  return res.entries.map((e) => [e.errorCode, e.errorMessage, e.entity]);
}

async function describeAll(
  c: KafkaTestClient,
  components: Array<{ entityType: string; matchType: number; match: string | null }> = [],
  strict = false,
  version = 1,
) {
  const res = await c.request(ApiKey.DescribeClientQuotas, version, { components, strict });
  assert.equal(res.errorCode, 0, res.errorMessage ?? '');
  return (res.entries ?? [])
    .map((e) => ({
      entity: Object.fromEntries(e.entity.map((x) => [x.entityType, x.entityName])),
      values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
    }))
    .sort((a, b) => (JSON.stringify(a.entity) < JSON.stringify(b.entity) ? -1 : 1));
}

describe('AlterClientQuotas / DescribeClientQuotas', async () => {
  const b = await startTestBroker({}, {}, { keep: true });
  let c = await kafkaClient(b.port);
  let restarted: Awaited<ReturnType<typeof startTestBroker>> | null = null;
  after(async () => {
    c.close();
    await (restarted ?? b).stop();
  });

  it('sets quotas on users, client ids, their combination and the defaults; describes them exactly', async () => {
    const r = await alter(c, [
      {
        entity: user('alice'),
        ops: [
          { key: 'producer_byte_rate', value: 1024 },
          { key: 'consumer_byte_rate', value: 2048 },
        ],
      },
      { entity: client('app'), ops: [{ key: 'producer_byte_rate', value: 500000 }] },
      { entity: [...user('alice'), ...client('app')], ops: [{ key: 'request_percentage', value: 25.5 }] },
      { entity: user(null), ops: [{ key: 'producer_byte_rate', value: 100 }] },
      { entity: client(null), ops: [{ key: 'consumer_byte_rate', value: 200 }] },
    ]);
    assert.deepEqual(
      r.map((x) => x.slice(0, 2)),
      Array(5).fill([0, null]),
    );
    assert.deepEqual(r[2]![2], [...user('alice'), ...client('app')], 'the entity is answered as given');
    assert.deepEqual(await describeAll(c), [
      { entity: { 'client-id': 'app', user: 'alice' }, values: { request_percentage: 25.5 } },
      { entity: { 'client-id': 'app' }, values: { producer_byte_rate: 500000 } },
      { entity: { 'client-id': null }, values: { consumer_byte_rate: 200 } },
      { entity: { user: 'alice' }, values: { producer_byte_rate: 1024, consumer_byte_rate: 2048 } },
      { entity: { user: null }, values: { producer_byte_rate: 100 } },
    ]);
    assert.deepEqual(await describeAll(c, [{ entityType: 'user', matchType: 0, match: 'alice' }], true), [
      { entity: { user: 'alice' }, values: { producer_byte_rate: 1024, consumer_byte_rate: 2048 } },
    ]);
    assert.deepEqual(await describeAll(c, [{ entityType: 'client-id', matchType: 1, match: null }], false, 0), [
      { entity: { 'client-id': null }, values: { consumer_byte_rate: 200 } },
    ]);
    assert.deepEqual(
      (await describeAll(c, [{ entityType: 'user', matchType: 2, match: null }])).map((e) => e.entity),
      [{ 'client-id': 'app', user: 'alice' }, { user: 'alice' }, { user: null }],
    );
  });

  it('removes keys with Remove; an entity without keys disappears; validateOnly changes nothing', async () => {
    const v = await alter(c, [{ entity: user('alice'), ops: [{ key: 'producer_byte_rate', value: 1 }] }], true);
    assert.deepEqual(v, [[0, null, user('alice')]]);
    assert.deepEqual(await alter(c, [{ entity: user('alice'), ops: [{ key: 'producer_byte_rate', remove: true }] }]), [
      [0, null, user('alice')],
    ]);
    assert.deepEqual(await alter(c, [{ entity: client(null), ops: [{ key: 'consumer_byte_rate', remove: true }] }], false, 0), [
      [0, null, client(null)],
    ]);
    assert.deepEqual(await describeAll(c, [{ entityType: 'user', matchType: 0, match: 'alice' }], true), [
      { entity: { user: 'alice' }, values: { consumer_byte_rate: 2048 } },
    ]);
    assert.deepEqual(await describeAll(c, [{ entityType: 'client-id', matchType: 1, match: null }]), []);
  });

  it('answers Kafka errors: bad keys and values per entry, bad filters at the top', async () => {
    const r = await alter(c, [
      { entity: user('bob'), ops: [{ key: 'bogus_rate', value: 1 }] },
      { entity: user('carol'), ops: [{ key: 'producer_byte_rate', value: 10.5 }] },
      { entity: user('bob'), ops: [{ key: 'consumer_byte_rate', value: 1 }] },
      { entity: [{ entityType: 'group', entityName: 'g' }], ops: [{ key: 'producer_byte_rate', value: 1 }] },
      { entity: client('ok'), ops: [{ key: 'consumer_byte_rate', value: 7 }] },
    ]);
    assert.deepEqual(
      r.map((x) => x.slice(0, 2)),
      [
        [ErrorCode.INVALID_REQUEST, 'Invalid configuration key bogus_rate'],
        [ErrorCode.INVALID_REQUEST, 'Configuration producer_byte_rate must be a Long value'],
        [ErrorCode.INVALID_REQUEST, 'Ignoring duplicate entity ClientQuotaEntity(entries={user=bob})'],
        [ErrorCode.INVALID_REQUEST, 'Unhandled client quota entity type: group'],
        [0, null],
      ],
    );
    assert.deepEqual(await describeAll(c, [{ entityType: 'user', matchType: 0, match: 'bob' }]), []);
    const bad = await c.request(ApiKey.DescribeClientQuotas, 1, {
      components: [{ entityType: 'user', matchType: 0, match: null }],
      strict: false,
    });
    assert.deepEqual(
      [bad.errorCode, bad.errorMessage, bad.entries],
      [ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.', null],
    );
  });

  it('keeps the quotas across a restart', async () => {
    const before = await describeAll(c);
    c.close();
    await b.broker.stop();
    restarted = await startTestBroker({ 'log.dirs': b.dataDir });
    c = await kafkaClient(restarted.port);
    assert.deepEqual(await describeAll(c), before);
    assert.equal(before.length, 5); // alice, alice+app, app, the default user, ok
  });
});

describe('client quota authorization', async () => {
  const deny: Authorizer = {
    authorize: (_ctx, op, type) =>
      !(type === ResourceType.CLUSTER && (op === AclOperation.ALTER_CONFIGS || op === AclOperation.DESCRIBE_CONFIGS)),
  };
  const b = await startTestBroker({}, { authorizer: deny });
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('needs ALTER_CONFIGS / DESCRIBE_CONFIGS on the cluster', async () => {
    assert.deepEqual(await alter(c, [{ entity: user('x'), ops: [{ key: 'producer_byte_rate', value: 1 }] }]), [
      [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.', user('x')],
    ]);
    const d = await c.request(ApiKey.DescribeClientQuotas, 1, { components: [], strict: false });
    assert.deepEqual([d.errorCode, d.entries], [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null]);
  });
});
