// The default handler set: listed in API key order, and every handler answers a failure (a throw,
// or a rejected promise) with Kafka's error response for its API, at every version it serves:
// UNKNOWN_SERVER_ERROR (-1) where Kafka's getErrorResponse puts it, the connection kept open and
// the next request on it answered. Runs on an in-memory connection (no broker, no socket).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, type Encodable, type RequestOf } from '@tributary/protocol';
import { defaultHandlers } from '../../src/handlers/index.ts';
import { HandlerRegistry, type AnyApiHandler } from '../../src/server/handler-registry.ts';
import { openDispatcher } from '../helpers/dispatcher-harness.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const topicPartitions = [{ name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] }];

type Sample = (version: number) => Encodable<RequestOf<ApiKey>>;
/** The array fields to descend to reach the ErrorCode fields ([]: the top-level one); null: none. */
type Where = (version: number) => readonly string[] | null;

const topLevel: Where = () => [];
const perPartition: Where = () => ['topics', 'partitions'];

/** The ErrorCode fields of a decoded response at `path`. */
function codesAt(value: unknown, path: readonly string[]): number[] {
  if (path.length === 0) {
    const v = value as { errorCode?: number; partitionErrorCode?: number };
    return [v.errorCode ?? v.partitionErrorCode!];
  }
  const items = (value as Record<string, unknown[]>)[path[0]!]!;
  return items.flatMap((item) => codesAt(item, path.slice(1)));
}

/**
 * Per API: a request naming topics / partitions / groups (a function of the version where fields
 * come and go), and where Kafka's error response puts the error codes. Produce with acks=0 expects
 * no response: its failure closes the connection (tested below).
 */
const CASES: Record<number, { sample: Sample; where: Where }> = {
  [ApiKey.Produce]: {
    sample: () => ({
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 't',
          partitionData: [
            { index: 0, records: null },
            { index: 1, records: null },
          ],
        },
      ],
    }),
    where: () => ['responses', 'partitionResponses'],
  },
  [ApiKey.Fetch]: {
    sample: () => ({
      maxWaitMs: 0,
      minBytes: 1,
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 },
            { partition: 1, fetchOffset: 0n, partitionMaxBytes: 1024 },
          ],
        },
      ],
    }),
    where: () => ['responses', 'partitions'],
  },
  [ApiKey.ListOffsets]: { sample: () => ({ replicaId: -1, topics: topicPartitions }), where: perPartition },
  [ApiKey.Metadata]: { sample: () => ({ topics: [{ name: 't' }, { name: 'u' }] }), where: () => ['topics'] },
  [ApiKey.OffsetCommit]: { sample: () => ({ groupId: 'g', topics: topicPartitions }), where: perPartition },
  [ApiKey.OffsetFetch]: {
    sample: (v) =>
      v >= 8
        ? {
            groups: [
              { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] },
              { groupId: 'h', topics: null },
            ],
          }
        : { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
    where: (v) => (v >= 8 ? ['groups'] : v >= 2 ? [] : ['topics', 'partitions']),
  },
  [ApiKey.FindCoordinator]: {
    sample: (v) => (v >= 4 ? { coordinatorKeys: ['g', 'h'] } : { key: 'g' }),
    where: (v) => (v >= 4 ? ['coordinators'] : []),
  },
  [ApiKey.JoinGroup]: {
    sample: () => ({
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    }),
    where: topLevel,
  },
  [ApiKey.Heartbeat]: { sample: () => ({ groupId: 'g', generationId: 1, memberId: 'm' }), where: topLevel },
  [ApiKey.LeaveGroup]: {
    sample: (v) => (v >= 3 ? { groupId: 'g', members: [{ memberId: 'm' }] } : { groupId: 'g', memberId: 'm' }),
    where: topLevel,
  },
  [ApiKey.SyncGroup]: { sample: () => ({ groupId: 'g', generationId: 1, memberId: 'm', assignments: [] }), where: topLevel },
  [ApiKey.DescribeGroups]: { sample: () => ({ groups: ['g', 'h'] }), where: () => ['groups'] },
  [ApiKey.ListGroups]: { sample: () => ({}), where: topLevel },
  [ApiKey.ApiVersions]: { sample: (v) => (v >= 3 ? { clientSoftwareName: 'test', clientSoftwareVersion: '1.0' } : {}), where: topLevel },
  [ApiKey.CreateTopics]: {
    sample: () => ({
      topics: [
        { name: 't', numPartitions: 1, replicationFactor: 1 },
        { name: 'u', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 1000,
    }),
    where: () => ['topics'],
  },
  [ApiKey.DeleteTopics]: {
    sample: (v) =>
      v >= 6
        ? {
            topics: [
              { name: 't', topicId: ZERO_UUID },
              { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
            ],
          }
        : { topicNames: ['t', 'u'] },
    where: () => ['responses'],
  },
  [ApiKey.DeleteRecords]: {
    sample: () => ({
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, offset: 1n },
            { partitionIndex: 1, offset: -1n },
          ],
        },
      ],
    }),
    where: perPartition,
  },
  [ApiKey.InitProducerId]: { sample: () => ({ transactionalId: null, transactionTimeoutMs: 1000 }), where: topLevel },
  [ApiKey.OffsetForLeaderEpoch]: {
    sample: () => ({
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, leaderEpoch: 1 },
            { partition: 1, leaderEpoch: 2 },
          ],
        },
      ],
    }),
    where: perPartition,
  },
  [ApiKey.TxnOffsetCommit]: {
    sample: () => ({
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 1n,
      producerEpoch: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 1n, committedMetadata: null },
            { partitionIndex: 1, committedOffset: 2n, committedMetadata: null },
          ],
        },
      ],
    }),
    where: perPartition,
  },
  [ApiKey.AddPartitionsToTxn]: {
    sample: (v) =>
      v >= 4
        ? {
            transactions: [
              { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, verifyOnly: false, topics: [{ name: 't', partitions: [0, 1] }] },
            ],
          }
        : {
            v3AndBelowTransactionalId: 'tx',
            v3AndBelowProducerId: 1n,
            v3AndBelowProducerEpoch: 0,
            v3AndBelowTopics: [{ name: 't', partitions: [0, 1] }],
          },
    where: (v) => (v >= 4 ? [] : ['resultsByTopicV3AndBelow', 'resultsByPartition']),
  },
  [ApiKey.AddOffsetsToTxn]: { sample: () => ({ transactionalId: 'tx', producerId: 1n, producerEpoch: 0, groupId: 'g' }), where: topLevel },
  [ApiKey.EndTxn]: { sample: () => ({ transactionalId: 'tx', producerId: 1n, producerEpoch: 0, committed: true }), where: topLevel },
  [ApiKey.WriteTxnMarkers]: {
    sample: () => ({
      markers: [
        {
          producerId: 7n,
          producerEpoch: 0,
          transactionResult: true,
          coordinatorEpoch: 0,
          topics: [{ name: 't', partitionIndexes: [0, 1] }],
        },
      ],
    }),
    where: () => ['markers', 'topics', 'partitions'],
  },
  [ApiKey.DescribeConfigs]: {
    sample: () => ({
      resources: [
        { resourceType: 2, resourceName: 't', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: null },
      ],
    }),
    where: () => ['results'],
  },
  [ApiKey.AlterConfigs]: {
    sample: () => ({ resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1' }] }] }),
    where: () => ['responses'],
  },
  [ApiKey.AlterReplicaLogDirs]: {
    sample: () => ({ dirs: [{ path: '/d/b', topics: [{ name: 't', partitions: [0, 1] }] }] }),
    where: () => ['results', 'partitions'],
  },
  [ApiKey.DescribeLogDirs]: { sample: () => ({ topics: null }), where: (v) => (v >= 3 ? [] : null) }, // ignorable before v3
  [ApiKey.CreatePartitions]: {
    sample: () => ({ topics: [{ name: 't', count: 2, assignments: null }], timeoutMs: 1000 }),
    where: () => ['results'],
  },
  [ApiKey.DeleteGroups]: { sample: () => ({ groupsNames: ['g', 'h'] }), where: () => ['results'] },
  [ApiKey.ElectLeaders]: {
    sample: () => ({ electionType: 0, topicPartitions: [{ topic: 't', partitions: [0, 1] }], timeoutMs: 1000 }),
    where: () => ['replicaElectionResults', 'partitionResult'],
  },
  [ApiKey.SaslHandshake]: { sample: () => ({ mechanism: 'PLAIN' }), where: topLevel },
  [ApiKey.SaslAuthenticate]: { sample: () => ({ authBytes: Buffer.from('x') }), where: topLevel },
  [ApiKey.DescribeUserScramCredentials]: { sample: () => ({ users: [{ name: 'a' }] }), where: topLevel },
  [ApiKey.AlterUserScramCredentials]: {
    sample: () => ({ deletions: [{ name: 'a', mechanism: 1 }], upsertions: [] }),
    where: () => ['results'],
  },
  [ApiKey.DescribeAcls]: {
    sample: (v) => ({
      resourceTypeFilter: 1,
      patternTypeFilter: v >= 1 ? 1 : 3,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    }),
    where: topLevel,
  },
  [ApiKey.CreateAcls]: {
    sample: () => ({
      creations: [
        { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 3, permissionType: 3 },
      ],
    }),
    where: () => ['results'],
  },
  [ApiKey.DeleteAcls]: {
    sample: (v) => ({
      filters: [
        {
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: v >= 1 ? 1 : 3,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    }),
    where: () => ['filterResults'],
  },
  [ApiKey.IncrementalAlterConfigs]: {
    sample: () => ({
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }],
    }),
    where: () => ['responses'],
  },
  [ApiKey.AlterPartitionReassignments]: {
    sample: () => ({ timeoutMs: 1000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1] }] }] }),
    where: () => ['responses', 'partitions'],
  },
  [ApiKey.ListPartitionReassignments]: { sample: () => ({ timeoutMs: 1000, topics: null }), where: topLevel },
  [ApiKey.OffsetDelete]: { sample: () => ({ groupId: 'g', topics: topicPartitions }), where: topLevel },
  [ApiKey.DescribeClientQuotas]: { sample: () => ({ components: [], strict: false }), where: topLevel },
  [ApiKey.AlterClientQuotas]: {
    sample: () => ({
      entries: [{ entity: [{ entityType: 'user', entityName: 'a' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }],
      validateOnly: false,
    }),
    where: () => ['entries'],
  },
  [ApiKey.DescribeQuorum]: {
    sample: () => ({ topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
    where: topLevel,
  },
  [ApiKey.DescribeCluster]: { sample: () => ({}), where: topLevel },
  [ApiKey.UpdateFeatures]: {
    sample: () => ({
      timeoutMs: 1000,
      featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 17, allowDowngrade: false, upgradeType: 1 }],
      validateOnly: false,
    }),
    where: topLevel,
  },
  [ApiKey.UnregisterBroker]: { sample: () => ({ brokerId: 1 }), where: topLevel },
  [ApiKey.DescribeTransactions]: { sample: () => ({ transactionalIds: ['a', 'b'] }), where: () => ['transactionStates'] },
  [ApiKey.ListTransactions]: { sample: () => ({ stateFilters: [], producerIdFilters: [] }), where: topLevel },
  [ApiKey.DescribeProducers]: { sample: () => ({ topics: [{ name: 't', partitionIndexes: [0, 1] }] }), where: perPartition },
};

/** The handler, failing: a synchronous throw, or a rejected promise. */
function failing(h: AnyApiHandler, how: 'throw' | 'reject'): AnyApiHandler {
  return {
    ...h,
    handle: () => {
      if (how === 'throw') throw new Error(`${h.name} bug`);
      return Promise.reject(new Error(`${h.name} async bug`));
    },
  };
}

function registryOf(how: 'throw' | 'reject'): HandlerRegistry {
  const r = new HandlerRegistry();
  for (const h of defaultHandlers) r.register(failing(h, how));
  return r;
}

describe('default handlers', () => {
  it('are listed in API key order, one per key', () => {
    const keys = defaultHandlers.map((h) => h.apiKey);
    assert.deepEqual(
      keys,
      [...new Set(keys)].sort((a, b) => a - b),
    );
  });

  it('each has an errorResponse', () => {
    const without = defaultHandlers.filter((h) => !h.errorResponse).map((h) => h.name);
    assert.deepEqual(without, []);
    for (const h of defaultHandlers) assert.ok(CASES[h.apiKey], `a test case for ${h.name}`);
  });

  for (const how of ['throw', 'reject'] as const) {
    describe(`a handler that fails (${how})`, () => {
      const registry = registryOf(how);
      for (const h of defaultHandlers) {
        const c = CASES[h.apiKey];
        if (!c) continue;
        it(`${h.name}: UNKNOWN_SERVER_ERROR at every version ${h.minVersion}-${h.maxVersion}, connection kept`, async () => {
          for (let v = h.minVersion; v <= h.maxVersion; v++) {
            const d = openDispatcher(registry);
            d.send(h.apiKey, v, 1, c.sample(v));
            d.send(h.apiKey, v, 2, c.sample(v));
            for (const correlationId of [1, 2]) {
              const res = await d.response(h.apiKey, v);
              assert.equal(res.correlationId, correlationId);
              const where = c.where(v);
              if (where === null) continue;
              const codes = codesAt(res.body, where);
              assert.ok(codes.length > 0, `${h.name} v${v} carries an error code`);
              assert.ok(
                codes.every((code) => code === ErrorCode.UNKNOWN_SERVER_ERROR),
                `${h.name} v${v}: ${JSON.stringify(codes)}`,
              );
            }
            assert.equal(d.connection.isClosed, false);
            const logged = d.logged.filter((e) => e.level === 'error');
            assert.equal(logged.length, 2);
            assert.equal(logged[0]!.fields!.api, h.name);
            assert.match(String(logged[0]!.fields!.error), /bug/);
            d.wire.end();
          }
        });
      }
    });
  }

  it('Produce with acks=0: no response is expected, so a failure closes the connection (as Kafka)', async () => {
    const d = openDispatcher(registryOf('throw'));
    d.send(ApiKey.Produce, 9, 1, { acks: 0, timeoutMs: 1000, topicData: [] });
    await d.wire.closed;
    await d.connection.whenClosed();
    assert.equal(d.logged.filter((e) => e.level === 'error')[0]!.fields!.api, 'Produce');
  });
});
