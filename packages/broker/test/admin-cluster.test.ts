// DeleteRecords, DescribeCluster and DescribeLogDirs over a real socket: low watermarks and their
// errors (reads and ListOffsets follow, the deletion survives a restart), cluster identity and
// endpoint types, per-directory partition sizes and filesystem space.
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

async function produce(c: KafkaTestClient, topic: string, partition: number, n: number) {
  const records = await encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: 1_700_000_000_000 + i })),
  });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

async function deleteRecords(c: KafkaTestClient, topic: string, partitions: Array<[number, bigint]>, version = 2) {
  const res = await c.request(ApiKey.DeleteRecords, version, {
    topics: [{ name: topic, partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) }],
    timeoutMs: 1000,
  });
  return res.topics[0]!.partitions.map((p) => [p.partitionIndex, p.lowWatermark, p.errorCode]);
}

async function earliest(c: KafkaTestClient, topic: string, partition: number) {
  const res = await c.request(ApiKey.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -2n }] }],
  });
  return res.topics[0]!.partitions[0]!.offset;
}

describe('DeleteRecords', async () => {
  const b = await startTestBroker({}, {}, { keep: true });
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  await tm.createTopic({ name: 'dr', numPartitions: 3 });
  await tm.createTopic({ name: 'compacted', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
  await tm.createTopic({ name: '__consumer_offsets', numPartitions: 1 });
  let stopped = false;
  after(async () => {
    c.close();
    if (!stopped) await b.stop();
  });

  it('raises the low watermark; -1 is the high watermark; errors as Kafka', async () => {
    for (const p of [0, 1, 2]) for (let i = 0; i < 2; i++) assert.equal((await produce(c, 'dr', p, 5)).errorCode, 0);
    assert.deepEqual(
      await deleteRecords(c, 'dr', [
        [0, 3n],
        [1, -1n],
        [2, 11n],
        [3, 0n],
      ]),
      [
        [0, 3n, 0],
        [1, 10n, 0],
        [2, -1n, ErrorCode.OFFSET_OUT_OF_RANGE],
        [3, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    );
    assert.deepEqual(
      await deleteRecords(
        c,
        'dr',
        [
          [0, 1n],
          [0, 7n],
          [2, -2n],
        ],
        0,
      ),
      [
        [0, 3n, 0],
        [0, 7n, 0],
        [2, -1n, ErrorCode.OFFSET_OUT_OF_RANGE],
      ],
    );
    assert.deepEqual(await deleteRecords(c, 'nope', [[0, 0n]], 1), [[0, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    assert.deepEqual(await deleteRecords(c, 'compacted', [[0, 0n]]), [[0, -1n, ErrorCode.POLICY_VIOLATION]]);
    assert.deepEqual(await deleteRecords(c, '__consumer_offsets', [[0, 0n]]), [[0, -1n, ErrorCode.INVALID_TOPIC_EXCEPTION]]);
    assert.equal(await earliest(c, 'dr', 0), 7n);
    assert.equal(await earliest(c, 'dr', 1), 10n);
    // A fetch below the low watermark is out of range; at it, it returns the batch holding it.
    const fetch = (offset: bigint) =>
      c
        .request(ApiKey.Fetch, 12, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: 'dr',
              partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
            },
          ],
        })
        .then((r) => r.responses[0]!.partitions[0]!);
    const low = await fetch(6n);
    assert.equal(low.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const at = await fetch(7n);
    assert.deepEqual([at.errorCode, at.logStartOffset, at.highWatermark], [0, 7n, 10n]);
  });

  it('the low watermark survives a restart', async () => {
    c.close();
    await b.stop();
    stopped = true;
    const again = await startTestBroker({ 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(again.port);
    try {
      assert.equal(await earliest(c2, 'dr', 0), 7n);
      assert.equal(await earliest(c2, 'dr', 1), 10n);
    } finally {
      c2.close();
      await again.stop();
    }
  });
});

describe('DescribeCluster and DescribeLogDirs', async () => {
  const b = await startTestBroker();
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('DescribeCluster: cluster id, this node as controller and broker, endpoint types', async () => {
    for (const v of [0, 1]) {
      const res = await c.request(ApiKey.DescribeCluster, v, { includeClusterAuthorizedOperations: false });
      assert.deepEqual(res, {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        endpointType: 1,
        clusterId: b.broker.services.clusterId,
        controllerId: 1,
        brokers: [{ brokerId: 1, host: '127.0.0.1', port: b.port, rack: null }],
        clusterAuthorizedOperations: -2147483648,
      });
    }
    const ops = await c.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    assert.equal(ops.clusterAuthorizedOperations, 8096);
    const ctl = await c.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    assert.deepEqual(
      [ctl.errorCode, ctl.errorMessage, ctl.brokers],
      [
        ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
        [],
      ],
    );
  });

  it('DescribeLogDirs: partitions with their sizes per directory, filters, space (v4)', async () => {
    await tm.createTopic({ name: 'l1', numPartitions: 2 });
    await tm.createTopic({ name: 'l2', numPartitions: 1 });
    assert.equal((await produce(c, 'l1', 1, 4)).errorCode, 0);
    const size = tm.partition('l1', 1)!.log.size;
    assert.ok(size > 61);
    const all = await c.request(ApiKey.DescribeLogDirs, 4, { topics: null });
    assert.equal(all.errorCode, 0);
    assert.equal(all.results.length, 1);
    const dir = all.results[0]!;
    assert.deepEqual([dir.errorCode, dir.logDir], [0, b.dataDir]);
    assert.deepEqual(dir.topics, [
      {
        name: 'l1',
        partitions: [
          { partitionIndex: 0, partitionSize: 0n, offsetLag: 0n, isFutureKey: false },
          { partitionIndex: 1, partitionSize: BigInt(size), offsetLag: 0n, isFutureKey: false },
        ],
      },
      { name: 'l2', partitions: [{ partitionIndex: 0, partitionSize: 0n, offsetLag: 0n, isFutureKey: false }] },
    ]);
    const st = statfsSync(b.dataDir, { bigint: true });
    assert.equal(dir.totalBytes, st.blocks * st.bsize);
    assert.ok(dir.usableBytes > 0n && dir.usableBytes <= dir.totalBytes);
    const some = await c.request(ApiKey.DescribeLogDirs, 1, {
      topics: [
        { topic: 'l1', partitions: [1, 7] },
        { topic: 'nope', partitions: [0] },
      ],
    });
    assert.deepEqual(some.results[0]!.topics, [
      { name: 'l1', partitions: [{ partitionIndex: 1, partitionSize: BigInt(size), offsetLag: 0n, isFutureKey: false }] },
    ]);
    assert.equal(some.results[0]!.totalBytes, -1n, 'no space before v4');
    const none = await c.request(ApiKey.DescribeLogDirs, 3, { topics: [] });
    assert.deepEqual([none.errorCode, none.results[0]!.topics], [0, []]);
  });
});
