// ListOffsets over a real socket: earliest, latest, by timestamp, max timestamp, v0, errors.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, CompressionType, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

describe('ListOffsets', async () => {
  const b = await startTestBroker();
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  await tm.createTopic({ name: 'lo', numPartitions: 1, configs: { 'segment.bytes': '200' } });
  await tm.createTopic({ name: 'empty', numPartitions: 1 });
  // three batches of two records; timestamps 1000,1001 / 2000,2001 / 1500,1501
  for (const base of [1000, 2000, 1500]) {
    const records = await encodeRecordBatch({
      records: [
        { value: 'a', timestamp: base },
        { value: 'b', timestamp: base + 1 },
      ],
    });
    await tm.partition('lo', 0)!.appendRecordsToLeader(records, { requiredAcks: 1, origin: 'client' });
  }
  after(async () => {
    c.close();
    await b.stop();
  });

  const ask = (
    version: number,
    topic: string,
    timestamp: bigint,
    extra: { isolationLevel?: number; currentLeaderEpoch?: number; partition?: number } = {},
  ) =>
    c
      .request(ApiKey.ListOffsets, version, {
        replicaId: -1,
        isolationLevel: extra.isolationLevel ?? 0,
        topics: [
          {
            name: topic,
            partitions: [
              { partitionIndex: extra.partition ?? 0, currentLeaderEpoch: extra.currentLeaderEpoch ?? -1, timestamp, maxNumOffsets: 1 },
            ],
          },
        ],
      })
      .then((r) => r.topics[0]!.partitions[0]!);

  it('earliest, latest, max timestamp', async () => {
    tm.partition('lo', 0)!.log.deleteRecordsBefore(1);
    const e = await ask(8, 'lo', -2n);
    assert.deepEqual([e.errorCode, e.offset, e.timestamp, e.leaderEpoch], [0, 1n, -1n, 0]);
    const l = await ask(8, 'lo', -1n);
    assert.deepEqual([l.errorCode, l.offset, l.timestamp, l.leaderEpoch], [0, 6n, -1n, 0]);
    assert.equal((await ask(2, 'lo', -1n, { isolationLevel: 1 })).offset, 6n);
    const m = await ask(7, 'lo', -3n);
    assert.deepEqual([m.offset, m.timestamp], [3n, 2001n]);
    assert.deepEqual(
      [(await ask(8, 'empty', -3n)).offset, (await ask(8, 'empty', -1n)).offset, (await ask(8, 'empty', -2n)).offset],
      [-1n, 0n, 0n],
    );
    assert.equal((await ask(8, 'lo', -4n)).offset, 1n);
  });

  it('max timestamp (v7+): the record carrying it, inside its batch, compressed or not, LogAppendTime its first', async () => {
    const T = Date.now() - 60_000;
    const produce = async (topic: string, timestamps: number[], compression: CompressionType) => {
      const records = await encodeRecordBatch({ records: timestamps.map((timestamp, i) => ({ value: `v${i}`, timestamp })), compression });
      const res = await c.request(ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
      });
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    };
    const cases = [
      ['maxts-none', CompressionType.None],
      ['maxts-gzip', CompressionType.Gzip],
      ['maxts-snappy', CompressionType.Snappy],
      ['maxts-lz4', CompressionType.Lz4],
      ['maxts-zstd', CompressionType.Zstd],
    ] as const;
    for (const [topic, compression] of cases) {
      await tm.createTopic({ name: topic, numPartitions: 1 });
      await produce(topic, [T, T + 1], compression); // offsets 0, 1
      await produce(topic, [T + 100, T + 400, T + 250], compression); // 2, 3, 4
      await produce(topic, [T + 300], compression); // 5
      for (const version of [7, 8]) {
        const m = await ask(version, topic, -3n);
        assert.deepEqual([m.errorCode, m.offset, m.timestamp, m.leaderEpoch], [0, 3n, BigInt(T + 400), 0], `${topic} v${version}`);
      }
    }
    await tm.createTopic({ name: 'maxts-append', numPartitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } });
    // one batch (two could share an append time, and then the first batch wins): every record stamped with the append time
    await produce('maxts-append', [T + 100, T + 400, T + 250], CompressionType.Lz4); // 0, 1, 2
    const a = await ask(7, 'maxts-append', -3n);
    assert.deepEqual([a.errorCode, a.offset], [0, 0n]);
    assert.ok(a.timestamp >= BigInt(T + 60_000), `append time ${a.timestamp}`);
  });

  it('by timestamp: first offset with a timestamp at or after it', async () => {
    const at = async (ts: number) => {
      const r = await ask(5, 'lo', BigInt(ts));
      return [r.offset, r.timestamp];
    };
    // the first record at or after the log start offset (1), with its own timestamp, as Kafka
    assert.deepEqual(await at(0), [1n, 1001n]);
    assert.deepEqual(await at(1001), [1n, 1001n]);
    assert.deepEqual(await at(1002), [2n, 2000n]);
    assert.deepEqual(await at(2001), [3n, 2001n]);
    assert.deepEqual(await at(2002), [-1n, -1n]);
    assert.deepEqual(await at(1500), [2n, 2000n]);
  });

  it('v0 old-style offsets and errors', async () => {
    assert.deepEqual((await ask(0, 'lo', -1n)).oldStyleOffsets, [6n]);
    assert.deepEqual((await ask(0, 'lo', -2n)).oldStyleOffsets, [1n]);
    assert.equal((await ask(1, 'nope', -1n)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await ask(1, 'lo', -1n, { partition: 3 })).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await ask(4, 'lo', -1n, { currentLeaderEpoch: 5 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    const dup = await c.request(ApiKey.ListOffsets, 1, {
      replicaId: -1,
      topics: [
        {
          name: 'lo',
          partitions: [
            { partitionIndex: 0, timestamp: -1n },
            { partitionIndex: 0, timestamp: -2n },
          ],
        },
      ],
    });
    assert.deepEqual(
      dup.topics[0]!.partitions.map((p) => p.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
  });
});

describe('Partition.deleteRecords', () => {
  it('raises the log start offset up to the HW; policy and range checked', async () => {
    const b = await startTestBroker();
    try {
      const tm = topicsOf(b.broker);
      await tm.createTopic({ name: 'dr', numPartitions: 1 });
      await tm.createTopic({ name: 'compacted', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
      const p = tm.partition('dr', 0)!;
      await p.appendRecordsToLeader(await encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] }), {
        requiredAcks: 1,
        origin: 'client',
      });
      assert.equal(p.deleteRecords(2), 2);
      assert.equal(p.logStartOffset, 2);
      assert.equal(p.deleteRecords(-1), 3);
      assert.throws(
        () => p.deleteRecords(4),
        (e: { errorCode: number }) => e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE,
      );
      assert.throws(
        () => tm.partition('compacted', 0)!.deleteRecords(0),
        (e: { errorCode: number }) => e.errorCode === ErrorCode.POLICY_VIOLATION,
      );
    } finally {
      await b.stop();
    }
  });
});
