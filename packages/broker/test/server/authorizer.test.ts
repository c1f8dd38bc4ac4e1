// The Authorizer seam, through a broker given one (BrokerOptions.authorizer): what it is asked
// (principal User:ANONYMOUS on PLAINTEXT, Kafka's operation and resource type ids), and the
// *_AUTHORIZATION_FAILED codes handlers answer where Kafka's KafkaApis does when it says no.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType, type AuthorizableRequestContext, type Authorizer } from '../../src/server/authorizer.ts';
import { joinBody } from '../helpers/group-client.ts';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

const {
  TOPIC_AUTHORIZATION_FAILED: TOPIC_DENIED,
  GROUP_AUTHORIZATION_FAILED: GROUP_DENIED,
  CLUSTER_AUTHORIZATION_FAILED: CLUSTER_DENIED,
} = ErrorCode;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const OP = Object.fromEntries(Object.entries(AclOperation).map(([k, v]) => [v, k]));
const TYPE = Object.fromEntries(Object.entries(ResourceType).map(([k, v]) => [v, k]));

/** Denies what `denied` matches, written "OPERATION TYPE name" (e.g. "READ GROUP g", "* TOPIC secret"); records every question. */
class RuleAuthorizer implements Authorizer {
  denied: string[] = [];
  asked: Array<{ principal: string; apiKey: number; action: string }> = [];
  authorize(request: AuthorizableRequestContext, operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean {
    const action = `${OP[operation]} ${TYPE[resourceType]} ${resourceName}`;
    this.asked.push({
      principal: `${request.connection.principal.type}:${request.connection.principal.name}`,
      apiKey: request.header.apiKey,
      action,
    });
    return !this.denied.some((rule) => rule === action || rule === `* ${TYPE[resourceType]} ${resourceName}` || rule === '*');
  }
}

describe('Authorizer', () => {
  const authorizer = new RuleAuthorizer();
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  before(async () => {
    b = await startTestBroker({ 'auto.create.topics.enable': true }, { authorizer });
    c = await kafkaClient(b.port);
    for (const name of ['open', 'secret']) await topicsOf(b.broker).createTopic({ name, numPartitions: 2 });
    await c.request(ApiKey.FindCoordinator, 1, { key: 'any', keyType: 0 }); // creates __consumer_offsets
  });
  after(async () => {
    c.close();
    await b.stop();
  });
  beforeEach(() => {
    authorizer.denied = [];
    authorizer.asked = [];
  });

  it('is asked with the connection principal (User:ANONYMOUS on PLAINTEXT) and Kafka operation / resource names', async () => {
    await c.request(ApiKey.Metadata, 12, { topics: [{ name: 'open', topicId: ZERO_UUID }], allowAutoTopicCreation: false });
    assert.deepEqual(authorizer.asked, [{ principal: 'User:ANONYMOUS', apiKey: ApiKey.Metadata, action: 'DESCRIBE TOPIC open' }]);
  });

  it('Metadata: TOPIC_AUTHORIZATION_FAILED for named topics, hidden from "all topics", by id without the name; no auto-creation without CREATE', async () => {
    authorizer.denied = ['DESCRIBE TOPIC secret', 'CREATE CLUSTER kafka-cluster', 'CREATE TOPIC fresh'];
    const secretId = topicsOf(b.broker).topic('secret')!.topicId;
    const named = await c.request(ApiKey.Metadata, 12, {
      topics: [
        { name: 'open', topicId: ZERO_UUID },
        { name: 'secret', topicId: ZERO_UUID },
        { name: 'fresh', topicId: ZERO_UUID },
        { name: null, topicId: secretId },
      ],
      allowAutoTopicCreation: true,
    });
    assert.deepEqual(
      named.topics.map((t) => [t.name, t.errorCode, t.topicId === ZERO_UUID, t.partitions.length]),
      [
        ['open', ErrorCode.NONE, false, 2],
        ['secret', TOPIC_DENIED, true, 0],
        ['fresh', TOPIC_DENIED, true, 0],
        [null, TOPIC_DENIED, false, 0],
      ],
    );
    assert.equal(topicsOf(b.broker).topic('fresh'), undefined, 'not auto-created');
    const all = await c.request(ApiKey.Metadata, 12, { topics: null });
    assert.ok(all.topics.some((t) => t.name === 'open') && !all.topics.some((t) => t.name === 'secret'));
  });

  it('a deny-all authorizer: each API answers its *_AUTHORIZATION_FAILED code', async () => {
    authorizer.denied = ['*'];
    const tp = [{ name: 'open', partitions: [{ partitionIndex: 0 }] }];
    const cases: Array<[string, () => Promise<unknown>, number[]]> = [
      [
        'ListOffsets',
        async () =>
          (
            await c.request(ApiKey.ListOffsets, 8, {
              replicaId: -1,
              topics: [{ name: 'open', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
            })
          ).topics[0]!.partitions.map((p) => p.errorCode),
        [TOPIC_DENIED],
      ],
      [
        'OffsetCommit',
        async () =>
          (
            await c.request(ApiKey.OffsetCommit, 9, {
              groupId: 'g',
              generationIdOrMemberEpoch: -1,
              topics: [{ name: 'open', partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
            })
          ).topics[0]!.partitions.map((p) => p.errorCode),
        [GROUP_DENIED],
      ],
      [
        'OffsetFetch v8',
        async () => (await c.request(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'g', topics: null }] })).groups.map((g) => g.errorCode),
        [GROUP_DENIED],
      ],
      ['OffsetFetch v5', async () => [(await c.request(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: null })).errorCode], [GROUP_DENIED]],
      [
        'OffsetFetch v1',
        async () =>
          (
            await c.request(ApiKey.OffsetFetch, 1, { groupId: 'g', topics: [{ name: 'open', partitionIndexes: [0, 1] }] })
          ).topics[0]!.partitions.map((p) => p.errorCode),
        [GROUP_DENIED, GROUP_DENIED],
      ],
      [
        'FindCoordinator group',
        async () =>
          (await c.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] })).coordinators.map((x) => x.errorCode),
        [GROUP_DENIED],
      ],
      [
        'FindCoordinator transaction',
        async () => [(await c.request(ApiKey.FindCoordinator, 3, { keyType: 1, key: 'tx' })).errorCode],
        [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED],
      ],
      ['JoinGroup', async () => [(await c.request(ApiKey.JoinGroup, 9, joinBody('g', ''))).errorCode], [GROUP_DENIED]],
      [
        'Heartbeat',
        async () => [(await c.request(ApiKey.Heartbeat, 4, { groupId: 'g', generationId: 1, memberId: 'm' })).errorCode],
        [GROUP_DENIED],
      ],
      [
        'LeaveGroup',
        async () => [(await c.request(ApiKey.LeaveGroup, 5, { groupId: 'g', members: [{ memberId: 'm' }] })).errorCode],
        [GROUP_DENIED],
      ],
      [
        'SyncGroup',
        async () => [(await c.request(ApiKey.SyncGroup, 5, { groupId: 'g', generationId: 1, memberId: 'm', assignments: [] })).errorCode],
        [GROUP_DENIED],
      ],
      [
        'DescribeGroups',
        async () => (await c.request(ApiKey.DescribeGroups, 5, { groups: ['g', 'h'] })).groups.map((g) => g.errorCode),
        [GROUP_DENIED, GROUP_DENIED],
      ],
      [
        'DeleteGroups',
        async () => (await c.request(ApiKey.DeleteGroups, 2, { groupsNames: ['g'] })).results.map((r) => r.errorCode),
        [GROUP_DENIED],
      ],
      ['OffsetDelete', async () => [(await c.request(ApiKey.OffsetDelete, 0, { groupId: 'g', topics: tp })).errorCode], [GROUP_DENIED]],
      [
        'CreateTopics',
        async () =>
          (await c.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'new', numPartitions: 1, replicationFactor: 1 }] })).topics.map(
            (t) => t.errorCode,
          ),
        [TOPIC_DENIED],
      ],
      [
        'DeleteTopics',
        async () =>
          (await c.request(ApiKey.DeleteTopics, 6, { topics: [{ name: 'open', topicId: ZERO_UUID }] })).responses.map((t) => t.errorCode),
        [TOPIC_DENIED],
      ],
      [
        'DeleteRecords',
        async () =>
          (
            await c.request(ApiKey.DeleteRecords, 2, { topics: [{ name: 'open', partitions: [{ partitionIndex: 0, offset: 0n }] }] })
          ).topics[0]!.partitions.map((p) => p.errorCode),
        [TOPIC_DENIED],
      ],
      [
        'InitProducerId idempotent',
        async () => [(await c.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 1000 })).errorCode],
        [CLUSTER_DENIED],
      ],
      [
        'InitProducerId transactional',
        async () => [(await c.request(ApiKey.InitProducerId, 4, { transactionalId: 'tx', transactionTimeoutMs: 1000 })).errorCode],
        [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED],
      ],
      [
        'OffsetForLeaderEpoch',
        async () =>
          (
            await c.request(ApiKey.OffsetForLeaderEpoch, 4, {
              replicaId: -1,
              topics: [{ topic: 'open', partitions: [{ partition: 0, leaderEpoch: 0 }] }],
            })
          ).topics[0]!.partitions.map((p) => p.errorCode),
        [TOPIC_DENIED],
      ],
      [
        'DescribeConfigs',
        async () =>
          (
            await c.request(ApiKey.DescribeConfigs, 4, {
              resources: [
                { resourceType: 2, resourceName: 'open', configurationKeys: null },
                { resourceType: 4, resourceName: '1', configurationKeys: null },
              ],
            })
          ).results.map((r) => r.errorCode),
        [TOPIC_DENIED, CLUSTER_DENIED],
      ],
      [
        'AlterConfigs',
        async () =>
          (
            await c.request(ApiKey.AlterConfigs, 2, {
              resources: [
                { resourceType: 2, resourceName: 'open', configs: [] },
                { resourceType: 4, resourceName: '1', configs: [] },
              ],
            })
          ).responses.map((r) => r.errorCode),
        [TOPIC_DENIED, CLUSTER_DENIED],
      ],
      [
        'IncrementalAlterConfigs',
        async () =>
          (
            await c.request(ApiKey.IncrementalAlterConfigs, 1, {
              resources: [{ resourceType: 2, resourceName: 'open', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }],
            })
          ).responses.map((r) => r.errorCode),
        [TOPIC_DENIED],
      ],
      [
        'AlterReplicaLogDirs',
        async () =>
          (
            await c.request(ApiKey.AlterReplicaLogDirs, 2, { dirs: [{ path: '/x', topics: [{ name: 'open', partitions: [0, 1] }] }] })
          ).results.flatMap((t) => t.partitions.map((p) => p.errorCode)),
        [CLUSTER_DENIED, CLUSTER_DENIED],
      ],
      ['DescribeLogDirs', async () => [(await c.request(ApiKey.DescribeLogDirs, 4, { topics: null })).errorCode], [CLUSTER_DENIED]],
      [
        'CreatePartitions',
        async () =>
          (
            await c.request(ApiKey.CreatePartitions, 3, { topics: [{ name: 'open', count: 3, assignments: null }], timeoutMs: 1000 })
          ).results.map((r) => r.errorCode),
        [TOPIC_DENIED],
      ],
    ];
    for (const [api, call, expected] of cases) assert.deepEqual(await call(), expected, api);
    // Nothing was changed or listed.
    assert.ok(topicsOf(b.broker).topic('open') && !topicsOf(b.broker).topic('new'));
    assert.equal(topicsOf(b.broker).topic('open')!.partitions.length, 2);
    assert.equal(topicsOf(b.broker).topic('open')!.configs['retention.ms'], undefined);
    const groups = await c.request(ApiKey.ListGroups, 5, {});
    assert.deepEqual([groups.errorCode, groups.groups], [ErrorCode.NONE, []]);
    const cluster = await c.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    assert.deepEqual([cluster.errorCode, cluster.clusterAuthorizedOperations], [ErrorCode.NONE, 0]);
    const versions = await c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    assert.equal(versions.errorCode, ErrorCode.NONE, 'ApiVersions is not authorized');
  });

  it('deny-some: only the refused topic, group or operation fails', async () => {
    authorizer.denied = ['READ TOPIC secret', 'DESCRIBE TOPIC secret', 'DESCRIBE GROUP h', 'ALTER CLUSTER kafka-cluster'];
    const commit = await c.request(ApiKey.OffsetCommit, 9, {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      topics: [
        { name: 'open', partitions: [{ partitionIndex: 0, committedOffset: 3n }] },
        { name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 3n }] },
      ],
    });
    assert.deepEqual(
      commit.topics.map((t) => [t.name, t.partitions[0]!.errorCode]),
      [
        ['open', ErrorCode.NONE],
        ['secret', TOPIC_DENIED],
      ],
    );
    const fetched = await c.request(ApiKey.OffsetFetch, 8, {
      groups: [
        {
          groupId: 'g',
          topics: [
            { name: 'open', partitionIndexes: [0] },
            { name: 'secret', partitionIndexes: [0] },
          ],
        },
        { groupId: 'h', topics: null },
      ],
    });
    assert.deepEqual(
      fetched.groups.map((g) => [
        g.groupId,
        g.errorCode,
        g.topics.map((t) => [t.name, t.partitions[0]!.committedOffset, t.partitions[0]!.errorCode]),
      ]),
      [
        [
          'g',
          ErrorCode.NONE,
          [
            ['open', 3n, ErrorCode.NONE],
            ['secret', -1n, TOPIC_DENIED],
          ],
        ],
        ['h', GROUP_DENIED, []],
      ],
    );
    const described = await c.request(ApiKey.DescribeGroups, 5, { groups: ['g', 'h'] });
    assert.deepEqual(
      described.groups.map((g) => [g.groupId, g.errorCode]),
      [
        ['g', ErrorCode.NONE],
        ['h', GROUP_DENIED],
      ],
    );
    const offsets = await c.request(ApiKey.ListOffsets, 8, {
      replicaId: -1,
      topics: ['open', 'secret'].map((name) => ({ name, partitions: [{ partitionIndex: 1, timestamp: -2n }] })),
    });
    assert.deepEqual(
      offsets.topics.map((t) => [t.name, t.partitions[0]!.errorCode]),
      [
        ['open', ErrorCode.NONE],
        ['secret', TOPIC_DENIED],
      ],
    );
    const cluster = await c.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    assert.equal(cluster.clusterAuthorizedOperations, 8096 & ~(1 << AclOperation.ALTER));
  });

  it('ListGroups: without DESCRIBE on the cluster, only the groups the principal may describe', async () => {
    for (const groupId of ['listed', 'unlisted']) {
      await c.request(ApiKey.OffsetCommit, 9, {
        groupId,
        generationIdOrMemberEpoch: -1,
        topics: [{ name: 'open', partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
      });
    }
    const names = async () =>
      (await c.request(ApiKey.ListGroups, 5, {})).groups
        .map((g) => g.groupId)
        .filter((g) => g.includes('listed'))
        .sort();
    assert.deepEqual(await names(), ['listed', 'unlisted']);
    authorizer.denied = ['DESCRIBE CLUSTER kafka-cluster', 'DESCRIBE GROUP unlisted'];
    assert.deepEqual(await names(), ['listed']);
  });

  it('CreateTopics: CREATE on the topic suffices without CREATE on the cluster; without DESCRIBE_CONFIGS its configs are not shown', async () => {
    authorizer.denied = ['CREATE CLUSTER kafka-cluster', 'CREATE TOPIC nope', 'DESCRIBE_CONFIGS TOPIC quiet'];
    const res = await c.request(ApiKey.CreateTopics, 7, {
      topics: ['nope', 'quiet'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })),
    });
    assert.deepEqual(
      res.topics.map((t) => [t.name, t.errorCode, t.errorMessage, t.topicConfigErrorCode, t.numPartitions, t.configs]),
      [
        ['nope', TOPIC_DENIED, 'Authorization failed.', ErrorCode.NONE, -1, []],
        ['quiet', ErrorCode.NONE, null, TOPIC_DENIED, -1, []],
      ],
    );
    assert.ok(topicsOf(b.broker).topic('quiet') && !topicsOf(b.broker).topic('nope'));
    assert.ok(authorizer.asked.some((a) => a.action === `CREATE CLUSTER ${CLUSTER_NAME}`));
  });

  it('DeleteTopics by id: the name is shown only with DESCRIBE; DELETE on the cluster allows every topic', async () => {
    await topicsOf(b.broker).createTopic({ name: 'doomed', numPartitions: 1 });
    const id = topicsOf(b.broker).topic('doomed')!.topicId;
    const deleteById = () =>
      c
        .request(ApiKey.DeleteTopics, 6, { topics: [{ name: null, topicId: id }] })
        .then((r) => r.responses.map((x) => [x.name, x.errorCode]));
    authorizer.denied = ['DELETE CLUSTER kafka-cluster', '* TOPIC doomed'];
    assert.deepEqual(await deleteById(), [[null, TOPIC_DENIED]]);
    authorizer.denied = ['DELETE CLUSTER kafka-cluster', 'DELETE TOPIC doomed'];
    assert.deepEqual(await deleteById(), [['doomed', TOPIC_DENIED]]);
    assert.ok(topicsOf(b.broker).topic('doomed'));
    authorizer.denied = ['* TOPIC doomed'];
    assert.deepEqual(await deleteById(), [['doomed', ErrorCode.NONE]]);
    assert.equal(topicsOf(b.broker).topic('doomed'), undefined);
  });

  it('OffsetForLeaderEpoch: CLUSTER_ACTION (a replica) may ask about a topic it may not describe', async () => {
    authorizer.denied = ['DESCRIBE TOPIC secret'];
    const res = await c.request(ApiKey.OffsetForLeaderEpoch, 4, {
      replicaId: -1,
      topics: [{ topic: 'secret', partitions: [{ partition: 0, leaderEpoch: 0 }] }],
    });
    assert.equal(res.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  });
});
