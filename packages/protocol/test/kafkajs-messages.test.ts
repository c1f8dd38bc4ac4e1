// Interop with KafkaJS's protocol code (an independent implementation of the non-flexible
// versions): requests KafkaJS encodes decode with our codec, and re-encoding them with our codec
// gives the same bytes; responses we encode decode with KafkaJS's response decoders.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { decodeRequestFrame, encodeRequestFrame, encodeResponseFrame } from '../src/frames.ts';
import { ApiKey } from '../src/generated/api-keys.ts';

const require = createRequire(import.meta.url);
type KjsRequest = { apiKey: number; apiVersion: number; encode: () => Promise<unknown> };
const kjsFrame = require('kafkajs/src/protocol/request') as (o: {
  correlationId: number;
  clientId: string;
  request: KjsRequest;
}) => Promise<{ buffer: Buffer }>;
const kjsReq = (path: string) => require(`kafkajs/src/protocol/requests/${path}/request`) as (o: object) => KjsRequest;
const kjsRes = (path: string) => require(`kafkajs/src/protocol/requests/${path}/response`) as { decode: (b: Buffer) => Promise<any> };

async function checkRequest(path: string, args: object, expected: (body: any) => void): Promise<void> {
  const request = kjsReq(path)(args);
  const frame = (await kjsFrame({ correlationId: 77, clientId: 'kafkajs', request })).buffer;
  const { header, body } = decodeRequestFrame(frame.subarray(4));
  assert.deepEqual(header, { apiKey: request.apiKey, apiVersion: request.apiVersion, correlationId: 77, clientId: 'kafkajs' });
  expected(body);
  const ours = encodeRequestFrame(header as never, body as never);
  assert.deepEqual(ours, frame, `${path}: our re-encoding differs from KafkaJS's bytes`);
}

async function kjsDecodeResponse<K extends ApiKey>(path: string, apiKey: K, version: number, body: object): Promise<any> {
  const frame = encodeResponseFrame(apiKey, version, 5, body as never);
  assert.equal(frame.readInt32BE(4), 5);
  return kjsRes(path).decode(frame.subarray(8));
}

describe('KafkaJS requests decode with our codec, byte for byte', () => {
  it('Metadata v6', () =>
    checkRequest('metadata/v6', { topics: ['a', 'bb'], allowAutoTopicCreation: false }, (b) => {
      assert.deepEqual(
        b.topics.map((t: { name: string }) => t.name),
        ['a', 'bb'],
      );
      assert.equal(b.allowAutoTopicCreation, false);
    }));
  it('ApiVersions v2', () => checkRequest('apiVersions/v2', {}, (b) => assert.equal(b.clientSoftwareName, '')));
  it('FindCoordinator v2', () =>
    checkRequest('findCoordinator/v2', { coordinatorKey: 'group-1', coordinatorType: 0 }, (b) => assert.equal(b.key, 'group-1')));
  it('JoinGroup v5', () =>
    checkRequest(
      'joinGroup/v5',
      {
        groupId: 'g',
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        groupProtocols: [{ name: 'range', metadata: Buffer.from([0, 1, 2]) }],
      },
      (b) => {
        assert.equal(b.groupId, 'g');
        assert.equal(b.rebalanceTimeoutMs, 60000);
        assert.equal(b.groupInstanceId, null);
        assert.deepEqual(b.protocols, [{ name: 'range', metadata: Buffer.from([0, 1, 2]) }]);
      },
    ));
  it('Fetch v11', () =>
    checkRequest(
      'fetch/v11',
      {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 10485760,
        isolationLevel: 1,
        topics: [{ topic: 't', partitions: [{ partition: 2, fetchOffset: '42', maxBytes: 1048576 }] }],
        rackId: 'r1',
      },
      (b) => {
        assert.equal(b.maxWaitMs, 500);
        assert.equal(b.rackId, 'r1');
        assert.equal(b.topics[0].partitions[0].fetchOffset, 42n);
        assert.equal(b.topics[0].partitions[0].partition, 2);
      },
    ));
  it('ListOffsets v3', () =>
    checkRequest(
      'listOffsets/v3',
      { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -2 }] }] },
      (b) => assert.equal(b.topics[0].partitions[0].timestamp, -2n),
    ));
  it('OffsetCommit v5', () =>
    checkRequest(
      'offsetCommit/v5',
      { groupId: 'g', groupGenerationId: 3, memberId: 'm', topics: [{ topic: 't', partitions: [{ partition: 1, offset: '10' }] }] },
      (b) => {
        assert.equal(b.generationIdOrMemberEpoch, 3);
        assert.equal(b.topics[0].partitions[0].committedOffset, 10n);
        assert.equal(b.topics[0].partitions[0].committedMetadata, null);
      },
    ));
  it('Produce v7 (records stay an opaque byte slice)', () =>
    checkRequest(
      'produce/v7',
      {
        acks: -1,
        timeout: 30000,
        topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: 1700000000000 }] }] }],
      },
      (b) => {
        assert.equal(b.acks, -1);
        const records = b.topicData[0].partitionData[0].records as Buffer;
        assert.equal(records.readInt8(16), 2, 'magic 2 batch');
      },
    ));
});

describe('our responses decode with KafkaJS', () => {
  it('Metadata v6', async () => {
    const d = await kjsDecodeResponse('metadata/v6', ApiKey.Metadata, 6, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'cid',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    });
    assert.deepEqual(d.brokers, [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }]);
    assert.equal(d.clusterId, 'cid');
    assert.equal(d.topicMetadata[0].topic, 't');
    assert.deepEqual(d.topicMetadata[0].partitionMetadata[0].isr, [1]);
  });
  it('ApiVersions v2', async () => {
    const d = await kjsDecodeResponse('apiVersions/v2', ApiKey.ApiVersions, 2, {
      errorCode: 0,
      apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
      throttleTimeMs: 0,
    });
    assert.deepEqual(d.apiVersions, [{ apiKey: 3, minVersion: 0, maxVersion: 12 }]);
  });
  it('FindCoordinator v2', async () => {
    const d = await kjsDecodeResponse('findCoordinator/v2', ApiKey.FindCoordinator, 2, {
      errorCode: 0,
      errorMessage: null,
      nodeId: 1,
      host: 'h',
      port: 9092,
    });
    assert.deepEqual(d.coordinator, { nodeId: 1, host: 'h', port: 9092 });
  });
  it('JoinGroup v5', async () => {
    const d = await kjsDecodeResponse('joinGroup/v5', ApiKey.JoinGroup, 5, {
      generationId: 1,
      protocolName: 'range',
      leader: 'm1',
      memberId: 'm1',
      members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([9]) }],
    });
    assert.equal(d.generationId, 1);
    assert.equal(d.groupProtocol, 'range');
    assert.deepEqual(d.members, [{ memberId: 'm1', groupInstanceId: null, memberMetadata: Buffer.from([9]) }]);
  });
  it('Produce v7', async () => {
    const d = await kjsDecodeResponse('produce/v7', ApiKey.Produce, 7, {
      responses: [
        { name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 12n, logAppendTimeMs: -1n, logStartOffset: 0n }] },
      ],
    });
    assert.equal(d.topics[0].partitions[0].baseOffset, '12');
  });
  it('Fetch v11 with an empty records set', async () => {
    const d = await kjsDecodeResponse('fetch/v11', ApiKey.Fetch, 11, {
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 0,
              highWatermark: 5n,
              lastStableOffset: 5n,
              logStartOffset: 0n,
              abortedTransactions: [],
              records: Buffer.alloc(0),
            },
          ],
        },
      ],
    });
    assert.equal(d.responses[0].partitions[0].highWatermark, '5');
    assert.deepEqual(d.responses[0].partitions[0].messages, []);
  });
});
