// Authorized operations at the wire, as Kafka's AuthHelper.authorizedOperations computes them:
// Metadata's TopicAuthorizedOperations (v8+) and ClusterAuthorizedOperations (v8-10),
// DescribeCluster's ClusterAuthorizedOperations and DescribeGroups' AuthorizedOperations (v3+),
// without an authorizer (every operation the resource type supports) and with the
// StandardAuthorizer (the allowed ones, implied operations included: READ/WRITE/DELETE/ALTER imply
// DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS). Not requested: -2147483648.
// Principals: PLAINTEXT connections are User:ANONYMOUS, so the authorizer here takes the principal
// from the client id ("User:carol"), as in acls.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclPermissionType, PatternType } from '@tributary/metadata';
import type { Broker } from '../../src/broker.ts';
import { StandardAuthorizer } from '../../src/security/authorizer/standard-authorizer.ts';
import { AclOperation as Op, ResourceType as RT, type AuthorizableRequestContext, type Authorizer } from '../../src/server/authorizer.ts';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

const NOT_REQUESTED = -2147483648;
const bits = (...ops: number[]) => ops.reduce((b, op) => b | (1 << op), 0);
// AclEntry.supportedOperations
const TOPIC_OPS = bits(Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS);
const CLUSTER_OPS = bits(Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE);
const GROUP_OPS = bits(Op.READ, Op.DESCRIBE, Op.DELETE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS);

const metadata = (c: KafkaTestClient, version: number, topics: string[], cluster: boolean, topic: boolean) =>
  c.request(ApiKey.Metadata, version, {
    topics: topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
    allowAutoTopicCreation: false,
    ...(version >= 8 && version <= 10 ? { includeClusterAuthorizedOperations: cluster } : {}),
    ...(version >= 8 ? { includeTopicAuthorizedOperations: topic } : {}),
  });
/** FindCoordinator until the group's coordinator (this broker, once __consumer_offsets exists) answers. */
async function coordinatorReady(c: KafkaTestClient, key: string) {
  for (let i = 0; i < 100; i++) {
    if ((await c.request(ApiKey.FindCoordinator, 3, { keyType: 0, key })).errorCode === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no coordinator for ${key}`);
}
const topicOps = (res: Awaited<ReturnType<typeof metadata>>) => res.topics.map((t) => [t.name, t.errorCode, t.topicAuthorizedOperations]);

describe('authorized operations without an authorizer: every supported operation', () => {
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  before(async () => {
    b = await startTestBroker();
    await topicsOf(b.broker).createTopic({ name: 'open', numPartitions: 1 });
    c = await kafkaClient(b.port);
  });
  after(async () => {
    c.close();
    await b.stop();
  });

  it('Metadata: v8-10 answer topic and cluster bits when asked; v11+ topics only; v7 and unasked the sentinel', async () => {
    for (const v of [8, 9, 10]) {
      const res = await metadata(c, v, ['open', 'missing'], true, true);
      assert.deepEqual(
        topicOps(res),
        [
          ['open', 0, TOPIC_OPS],
          ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, TOPIC_OPS],
        ],
        `v${v}`,
      );
      assert.equal(res.clusterAuthorizedOperations, CLUSTER_OPS, `v${v}`);
      const unasked = await metadata(c, v, ['open'], false, false);
      assert.deepEqual([topicOps(unasked), unasked.clusterAuthorizedOperations], [[['open', 0, NOT_REQUESTED]], NOT_REQUESTED]);
    }
    for (const v of [11, 12]) {
      const res = await metadata(c, v, ['open'], false, true);
      assert.deepEqual([topicOps(res), res.clusterAuthorizedOperations], [[['open', 0, TOPIC_OPS]], NOT_REQUESTED], `v${v}`);
    }
    // v7 has no such fields: the decoded defaults
    const v7 = await metadata(c, 7, ['open'], false, false);
    assert.deepEqual([topicOps(v7), v7.clusterAuthorizedOperations], [[['open', 0, NOT_REQUESTED]], NOT_REQUESTED]);
    assert.equal(CLUSTER_OPS, 8096);
    assert.equal(TOPIC_OPS, 3576);
  });

  it('DescribeCluster: every cluster operation when asked', async () => {
    for (const v of [0, 1]) {
      const res = await c.request(ApiKey.DescribeCluster, v, { includeClusterAuthorizedOperations: true });
      assert.equal(res.clusterAuthorizedOperations, CLUSTER_OPS, `v${v}`);
      const unasked = await c.request(ApiKey.DescribeCluster, v, { includeClusterAuthorizedOperations: false });
      assert.equal(unasked.clusterAuthorizedOperations, NOT_REQUESTED, `v${v}`);
    }
  });

  it('DescribeGroups: READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS and ALTER_CONFIGS (v3+, Kafka 4.0) for a group described without error, the sentinel before v3', async () => {
    await coordinatorReady(c, 'g');
    for (const v of [3, 4, 5]) {
      const res = await c.request(ApiKey.DescribeGroups, v, { groups: ['g'], includeAuthorizedOperations: true });
      assert.deepEqual(
        res.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.authorizedOperations]),
        [['g', 0, 'Dead', GROUP_OPS]],
        `v${v}`,
      );
      const unasked = await c.request(ApiKey.DescribeGroups, v, { groups: ['g'], includeAuthorizedOperations: false });
      assert.equal(unasked.groups[0]!.authorizedOperations, NOT_REQUESTED);
    }
    const v2 = await c.request(ApiKey.DescribeGroups, 2, { groups: ['g'] });
    assert.equal(v2.groups[0]!.authorizedOperations, NOT_REQUESTED);
    assert.equal(GROUP_OPS, 3400);
  });
});

/** The StandardAuthorizer over the broker's ACLs, with the principal taken from the client id. */
function principalFromClientId(broker: () => Broker): Authorizer {
  const inner = new StandardAuthorizer({
    superUsers: ['User:admin'],
    allowEveryoneIfNoAclFound: false,
    acls: () => broker().services.metadata.image.acls,
  });
  const as = (r: AuthorizableRequestContext): AuthorizableRequestContext => {
    const id = r.header.clientId ?? '';
    const i = id.indexOf(':');
    if (i < 0) return r;
    return { ...r, connection: { ...r.connection, principal: { type: id.slice(0, i), name: id.slice(i + 1) } } };
  };
  return {
    authorize: (r, op, type, name) => inner.authorize(as(r), op, type, name),
    authorizeByResourceType: (r, op, type) => inner.authorizeByResourceType(as(r), op, type),
  };
}

const acl = (
  principal: string,
  operation: number,
  resourceType: number,
  resourceName: string,
  permissionType: number = AclPermissionType.ALLOW,
) => ({
  resourceType,
  resourceName,
  resourcePatternType: PatternType.LITERAL,
  principal,
  host: '*',
  operation,
  permissionType,
});

describe('authorized operations with the StandardAuthorizer', () => {
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  let admin: KafkaTestClient;
  let carol: KafkaTestClient;
  let dave: KafkaTestClient;
  before(async () => {
    let broker: Broker | null = null;
    b = await startTestBroker(
      { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin' },
      { authorizer: principalFromClientId(() => broker!) },
    );
    broker = b.broker;
    for (const name of ['seen', 'read', 'tuned', 'hidden']) await topicsOf(b.broker).createTopic({ name, numPartitions: 1 });
    admin = await kafkaClient(b.port, 'User:admin');
    carol = await kafkaClient(b.port, 'User:carol');
    dave = await kafkaClient(b.port, 'User:dave');
    const created = await admin.request(ApiKey.CreateAcls, 3, {
      creations: [
        acl('User:carol', Op.DESCRIBE, RT.TOPIC, 'seen'),
        acl('User:carol', Op.DESCRIBE, RT.TOPIC, 'unknown'),
        acl('User:carol', Op.READ, RT.TOPIC, 'read'),
        acl('User:carol', Op.ALTER_CONFIGS, RT.TOPIC, 'tuned'),
        acl('User:carol', Op.DELETE, RT.TOPIC, 'tuned'),
        acl('User:carol', Op.DESCRIBE, RT.GROUP, 'g-describe'),
        acl('User:carol', Op.READ, RT.GROUP, 'g-read'),
        acl('User:carol', Op.DESCRIBE, RT.CLUSTER, 'kafka-cluster'),
        acl('User:carol', Op.IDEMPOTENT_WRITE, RT.CLUSTER, 'kafka-cluster'),
        acl('User:carol', Op.ALTER_CONFIGS, RT.CLUSTER, 'kafka-cluster'),
        acl('User:dave', Op.ALL, RT.TOPIC, 'seen'),
        acl('User:dave', Op.WRITE, RT.TOPIC, 'seen', AclPermissionType.DENY),
        acl('User:dave', Op.ALTER, RT.CLUSTER, 'kafka-cluster'),
      ],
    });
    assert.deepEqual(
      created.results.map((r) => r.errorCode),
      Array(13).fill(0),
    );
  });
  after(async () => {
    for (const c of [admin, carol, dave]) c.close();
    await b.stop();
  });

  it('Metadata: each describable topic its allowed and implied operations; refused topics keep the sentinel', async () => {
    const res = await metadata(carol, 10, ['seen', 'read', 'tuned', 'hidden', 'unknown'], true, true);
    assert.deepEqual(topicOps(res), [
      ['seen', 0, bits(Op.DESCRIBE)],
      ['read', 0, bits(Op.READ, Op.DESCRIBE)],
      ['tuned', 0, bits(Op.DELETE, Op.DESCRIBE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS)],
      ['hidden', ErrorCode.TOPIC_AUTHORIZATION_FAILED, NOT_REQUESTED],
      ['unknown', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, bits(Op.DESCRIBE)],
    ]);
    // DESCRIBE on the cluster, so the cluster's allowed operations (ALTER_CONFIGS implying DESCRIBE_CONFIGS)
    assert.equal(res.clusterAuthorizedOperations, bits(Op.DESCRIBE, Op.IDEMPOTENT_WRITE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS));
    // ALL allows every topic operation but the denied WRITE; ALTER on the cluster implies DESCRIBE
    const d = await metadata(dave, 9, ['seen'], true, true);
    assert.deepEqual(topicOps(d), [['seen', 0, TOPIC_OPS & ~bits(Op.WRITE)]]);
    assert.equal(d.clusterAuthorizedOperations, bits(Op.ALTER, Op.DESCRIBE));
    // all topics: only the describable ones, each with its bits
    const all = await carol.request(ApiKey.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    });
    assert.deepEqual(all.topics.map((t) => [t.name, t.topicAuthorizedOperations]).sort(), [
      ['read', bits(Op.READ, Op.DESCRIBE)],
      ['seen', bits(Op.DESCRIBE)],
      ['tuned', bits(Op.DELETE, Op.DESCRIBE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS)],
    ]);
    const su = await metadata(admin, 10, ['hidden'], true, true);
    assert.deepEqual([topicOps(su), su.clusterAuthorizedOperations], [[['hidden', 0, TOPIC_OPS]], CLUSTER_OPS]);
  });

  it('DescribeCluster: 0 without DESCRIBE on the cluster, else the allowed operations', async () => {
    const anon = await kafkaClient(b.port, 'User:nobody');
    try {
      const none = await anon.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
      assert.deepEqual([none.errorCode, none.clusterAuthorizedOperations], [0, 0]);
    } finally {
      anon.close();
    }
    const c = await carol.request(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: true });
    assert.equal(c.clusterAuthorizedOperations, bits(Op.DESCRIBE, Op.IDEMPOTENT_WRITE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS));
    const d = await dave.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    assert.equal(d.clusterAuthorizedOperations, bits(Op.ALTER, Op.DESCRIBE));
    const s = await admin.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    assert.equal(s.clusterAuthorizedOperations, CLUSTER_OPS);
  });

  it('DescribeGroups: DESCRIBE alone, READ implying DESCRIBE; a refused group GROUP_AUTHORIZATION_FAILED with the sentinel', async () => {
    await coordinatorReady(admin, 'g-read');
    const res = await carol.request(ApiKey.DescribeGroups, 5, {
      groups: ['g-describe', 'g-read', 'g-other'],
      includeAuthorizedOperations: true,
    });
    assert.deepEqual(
      res.groups.map((g) => [g.groupId, g.errorCode, g.authorizedOperations]),
      [
        ['g-describe', 0, bits(Op.DESCRIBE)],
        ['g-read', 0, bits(Op.READ, Op.DESCRIBE)],
        ['g-other', ErrorCode.GROUP_AUTHORIZATION_FAILED, NOT_REQUESTED],
      ],
    );
    const su = await admin.request(ApiKey.DescribeGroups, 3, { groups: ['g-other'], includeAuthorizedOperations: true });
    assert.equal(su.groups[0]!.authorizedOperations, GROUP_OPS);
  });
});
