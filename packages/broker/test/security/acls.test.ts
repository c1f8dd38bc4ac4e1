// ACLs end to end in a broker: CreateAcls / DescribeAcls / DeleteAcls (SECURITY_DISABLED without an
// authorizer, CLUSTER ALTER / DESCRIBE required, Kafka's validations, grouping by resource
// pattern), and the StandardAuthorizer enforcing the stored ACLs on Produce (per topic, and
// WRITE on the transactional id for transactional batches), Fetch (per topic; CLUSTER_ACTION for
// follower fetches), Metadata, FindCoordinator, InitProducerId; ACLs surviving a restart.
// Principals: PLAINTEXT connections are all User:ANONYMOUS, so this test's authorizer takes the
// principal from the client id ("User:alice") and asks the real StandardAuthorizer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { AclPermissionType, PatternType } from '@tributary/metadata';
import type { Broker } from '../../src/broker.ts';
import { StandardAuthorizer } from '../../src/security/authorizer/standard-authorizer.ts';
import { AclOperation as Op, ResourceType as RT, type AuthorizableRequestContext, type Authorizer } from '../../src/server/authorizer.ts';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin' };
const { ALLOW, DENY } = AclPermissionType;
const { LITERAL, PREFIXED, ANY, MATCH } = PatternType;
const { TOPIC_AUTHORIZATION_FAILED: TOPIC_DENIED, CLUSTER_AUTHORIZATION_FAILED: CLUSTER_DENIED } = ErrorCode;

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

const creation = (principal: string, operation: number, resourceType: number, resourceName: string, over = {}) => ({
  resourceType,
  resourceName,
  resourcePatternType: LITERAL,
  principal,
  host: '*',
  operation,
  permissionType: ALLOW,
  ...over,
});
const filter = (over = {}) => ({
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: ANY,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
  ...over,
});

const records = (isTransactional = false) =>
  encodeRecordBatch({
    records: [{ key: null, value: 'v', timestamp: 1_700_000_000_000 }],
    ...(isTransactional ? { isTransactional: true, producerId: 5n, producerEpoch: 0, baseSequence: 0 } : {}),
  });

async function produceCodes(c: KafkaTestClient, topics: string[], transactionalId: string | null = null, isTransactional = false) {
  const res = await c.request(ApiKey.Produce, 9, {
    transactionalId,
    acks: 1,
    timeoutMs: 1000,
    topicData: await Promise.all(
      topics.map(async (name) => ({ name, partitionData: [{ index: 0, records: await records(isTransactional) }] })),
    ),
  });
  return res.responses.map((t) => [t.name, t.partitionResponses[0]!.errorCode]);
}

const fetchBody = (topics: string[], replicaId = -1) => ({
  replicaId,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: topics.map((topic) => ({
    topic,
    partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
  })),
  forgottenTopicsData: [],
  rackId: '',
});

const describeBody = (over = {}) => {
  const f = filter(over);
  return {
    resourceTypeFilter: f.resourceTypeFilter,
    resourceNameFilter: f.resourceNameFilter,
    patternTypeFilter: f.patternTypeFilter,
    principalFilter: f.principalFilter,
    hostFilter: f.hostFilter,
    operation: f.operation,
    permissionType: f.permissionType,
  };
};

describe('ACL APIs without an authorizer', () => {
  it('answer SECURITY_DISABLED ("No Authorizer is configured.")', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    try {
      const created = await c.request(ApiKey.CreateAcls, 3, { creations: [creation('User:alice', Op.READ, RT.TOPIC, 't')] });
      assert.deepEqual(created.results, [{ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' }]);
      const described = await c.request(ApiKey.DescribeAcls, 3, describeBody());
      assert.equal(described.errorCode, ErrorCode.SECURITY_DISABLED);
      const deleted = await c.request(ApiKey.DeleteAcls, 3, { filters: [filter()] });
      assert.deepEqual(
        deleted.filterResults.map((r) => r.errorCode),
        [ErrorCode.SECURITY_DISABLED],
      );
    } finally {
      c.close();
      await b.stop();
    }
  });
});

describe('ACLs with the StandardAuthorizer', () => {
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  let admin: KafkaTestClient;
  let alice: KafkaTestClient;
  let bob: KafkaTestClient;
  before(async () => {
    let broker: Broker | null = null;
    b = await startTestBroker(AUTHORIZER, { authorizer: principalFromClientId(() => broker!) }, { keep: true });
    broker = b.broker;
    for (const name of ['orders', 'orders-secret', 'other']) await topicsOf(b.broker).createTopic({ name, numPartitions: 1 });
    admin = await kafkaClient(b.port, 'User:admin');
    alice = await kafkaClient(b.port, 'User:alice');
    bob = await kafkaClient(b.port, 'User:bob');
  });
  after(async () => {
    for (const c of [admin, alice, bob]) c.close();
    await b.stop();
  });

  it('CreateAcls needs ALTER on the cluster; DescribeAcls DESCRIBE; invalid bindings are INVALID_REQUEST', async () => {
    const denied = await bob.request(ApiKey.CreateAcls, 3, { creations: [creation('User:bob', Op.ALL, RT.TOPIC, '*')] });
    assert.deepEqual(denied.results, [{ errorCode: CLUSTER_DENIED, errorMessage: null }]);
    assert.equal((await bob.request(ApiKey.DescribeAcls, 3, describeBody())).errorCode, CLUSTER_DENIED);
    assert.deepEqual(
      (await bob.request(ApiKey.DeleteAcls, 3, { filters: [filter()] })).filterResults.map((r) => r.errorCode),
      [CLUSTER_DENIED],
    );

    const created = await admin.request(ApiKey.CreateAcls, 3, {
      creations: [
        creation('User:alice', Op.WRITE, RT.TOPIC, 'orders'),
        creation('User:alice', Op.READ, RT.TOPIC, 'orders', { resourcePatternType: PREFIXED }),
        creation('User:alice', Op.WRITE, RT.TOPIC, 'orders-secret', { permissionType: DENY }),
        creation('User:alice', Op.READ, RT.GROUP, 'app-', { resourcePatternType: PREFIXED }),
        creation('User:alice', Op.ALL, RT.TOPIC, 'x', { resourcePatternType: MATCH }),
        creation('User:alice', Op.ALTER, RT.CLUSTER, 'kafka'),
      ],
    });
    assert.deepEqual(
      created.results.map((r) => [r.errorCode, r.errorMessage]),
      [
        [0, null],
        [0, null],
        [0, null],
        [0, null],
        [ErrorCode.INVALID_REQUEST, 'Invalid patternType 2'],
        [ErrorCode.INVALID_REQUEST, 'The only valid name for the CLUSTER resource is kafka-cluster'],
      ],
    );
    const all = await admin.request(ApiKey.DescribeAcls, 3, describeBody());
    assert.equal(all.errorCode, 0);
    assert.deepEqual(
      all.resources.map((r) => [
        r.resourceType,
        r.resourceName,
        r.patternType,
        r.acls.map((a) => [a.principal, a.host, a.operation, a.permissionType]),
      ]),
      [
        [RT.TOPIC, 'orders', LITERAL, [['User:alice', '*', Op.WRITE, ALLOW]]],
        [RT.TOPIC, 'orders', PREFIXED, [['User:alice', '*', Op.READ, ALLOW]]],
        [RT.TOPIC, 'orders-secret', LITERAL, [['User:alice', '*', Op.WRITE, DENY]]],
        [RT.GROUP, 'app-', PREFIXED, [['User:alice', '*', Op.READ, ALLOW]]],
      ],
    );
    const match = await admin.request(
      ApiKey.DescribeAcls,
      3,
      describeBody({ resourceTypeFilter: RT.TOPIC, resourceNameFilter: 'orders-secret', patternTypeFilter: MATCH }),
    );
    assert.deepEqual(
      match.resources.map((r) => `${r.resourceName}/${r.patternType}`),
      ['orders/4', 'orders-secret/3'],
    );
    const unknown = await admin.request(ApiKey.DescribeAcls, 3, describeBody({ patternTypeFilter: 0 }));
    assert.deepEqual([unknown.errorCode, unknown.errorMessage], [ErrorCode.INVALID_REQUEST, 'Unknown patternFilter.']);
  });

  it('Produce: WRITE per topic (TOPIC_AUTHORIZATION_FAILED for the others); DENY wins; super user writes anywhere', async () => {
    assert.deepEqual(await produceCodes(alice, ['orders', 'other', 'orders-secret']), [
      ['orders', 0],
      ['other', TOPIC_DENIED],
      ['orders-secret', TOPIC_DENIED],
    ]);
    assert.deepEqual(await produceCodes(bob, ['orders']), [['orders', TOPIC_DENIED]]);
    assert.deepEqual(await produceCodes(admin, ['other']), [['other', 0]]);
    // the denied topic got nothing: only admin's record is in 'other'
    const hw = await admin.request(ApiKey.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'other', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    assert.equal(hw.topics[0]!.partitions[0]!.offset, 1n);
  });

  it('Produce with transactional batches needs WRITE on the transactional id', async () => {
    assert.deepEqual(await produceCodes(alice, ['orders'], 'tx', true), [['orders', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]]);
  });

  it('Fetch: READ per topic (prefixed ACL; WRITE alone does not allow reading); a follower fetch needs CLUSTER_ACTION', async () => {
    const res = await alice.request(ApiKey.Fetch, 12, fetchBody(['orders', 'other', 'orders-secret']));
    assert.deepEqual(
      res.responses.map((t) => [t.topic, t.partitions[0]!.errorCode]),
      [
        ['orders', 0],
        ['other', TOPIC_DENIED],
        ['orders-secret', 0],
      ],
    );
    assert.ok(res.responses[0]!.partitions[0]!.records!.length > 0);
    const follower = await alice.request(ApiKey.Fetch, 12, fetchBody(['orders'], 1));
    assert.deepEqual(
      follower.responses.map((t) => t.partitions[0]!.errorCode),
      [TOPIC_DENIED],
    );
  });

  it('Metadata lists only describable topics (READ/WRITE imply DESCRIBE); FindCoordinator needs DESCRIBE on the group', async () => {
    const md = await alice.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false });
    assert.deepEqual(md.topics.map((t) => t.name).sort(), ['orders', 'orders-secret']);
    const bobs = await bob.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false });
    assert.deepEqual(bobs.topics, []);
    // authorized operations (Kafka's AuthHelper.authorizedOperations): bits READ 3, WRITE 4, DESCRIBE 8
    const ops = await alice.request(ApiKey.Metadata, 10, {
      topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    });
    assert.equal(ops.topics[0]!.topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.WRITE) | (1 << Op.DESCRIBE));
    assert.equal(ops.clusterAuthorizedOperations, 0, 'no DESCRIBE on the cluster');
    const adminOps = await admin.request(ApiKey.Metadata, 10, { topics: [], includeClusterAuthorizedOperations: true });
    const clusterOps = [Op.CREATE, Op.ALTER, Op.DESCRIBE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE];
    assert.equal(
      adminOps.clusterAuthorizedOperations,
      clusterOps.reduce((bits, op) => bits | (1 << op), 0),
    );
    const fc = await alice.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['app-1', 'other'] });
    assert.deepEqual(
      fc.coordinators.map((x) => [x.key, x.errorCode]),
      [
        ['app-1', 0],
        ['other', ErrorCode.GROUP_AUTHORIZATION_FAILED],
      ],
    );
  });

  it('InitProducerId without a transactional id: WRITE on some topic is enough (else CLUSTER_AUTHORIZATION_FAILED)', async () => {
    const body = { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 };
    assert.equal((await alice.request(ApiKey.InitProducerId, 4, body)).errorCode, 0);
    assert.equal((await bob.request(ApiKey.InitProducerId, 4, body)).errorCode, CLUSTER_DENIED);
  });

  it('DeleteAcls removes what its filter matches; the authorizer follows at once', async () => {
    const deleted = await admin.request(ApiKey.DeleteAcls, 3, {
      filters: [filter({ resourceTypeFilter: RT.TOPIC, resourceNameFilter: 'orders', patternTypeFilter: LITERAL, operation: Op.WRITE })],
    });
    assert.deepEqual(
      deleted.filterResults.map((r) => [r.errorCode, r.matchingAcls.map((a) => [a.resourceName, a.patternType, a.principal, a.operation])]),
      [[0, [['orders', LITERAL, 'User:alice', Op.WRITE]]]],
    );
    assert.deepEqual(await produceCodes(alice, ['orders']), [['orders', TOPIC_DENIED]]);
  });

  it('ACLs survive a broker restart (replayed from the metadata log)', async () => {
    for (const c of [admin, alice, bob]) c.close();
    await b.broker.stop();
    let broker: Broker | null = null;
    b = await startTestBroker({ ...AUTHORIZER, 'log.dirs': b.dataDir }, { authorizer: principalFromClientId(() => broker!) });
    broker = b.broker;
    admin = await kafkaClient(b.port, 'User:admin');
    alice = await kafkaClient(b.port, 'User:alice');
    bob = await kafkaClient(b.port, 'User:bob');
    const all = await admin.request(ApiKey.DescribeAcls, 3, describeBody());
    assert.deepEqual(
      all.resources.map((r) => `${r.resourceType}:${r.resourceName}:${r.patternType}:${r.acls.length}`),
      ['2:orders:4:1', '2:orders-secret:3:1', '3:app-:4:1'],
    );
    const res = await alice.request(ApiKey.Fetch, 12, fetchBody(['orders', 'other']));
    assert.deepEqual(
      res.responses.map((t) => t.partitions[0]!.errorCode),
      [0, TOPIC_DENIED],
    );
  });
});
