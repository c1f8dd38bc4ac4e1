// The producer end to end against a codec-based fake broker: partitions and offsets per message,
// retry after NOT_LEADER_OR_FOLLOWER with a metadata refresh, non-retriable errors naming the
// partition, acks=0, compression, flush.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, decodeRecordBatches, ErrorCode, CompressionType } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { partitionForKey } from '../../src/partitioner/murmur2.ts';
import { singleNodeMetadata, startFakeBroker, type FakeBroker } from '../helpers/fake-broker.ts';

interface Log {
  next: bigint[];
  batches: Array<{ partition: number; compression: number; values: string[] }>;
}

async function broker(partitions = 3, produceError?: (partition: number, attempt: number) => number) {
  let self: FakeBroker;
  const log: Log = { next: Array.from({ length: partitions }, () => 0n), batches: [] };
  const attempts = new Map<number, number>();
  let metadataRequests = 0;
  self = await startFakeBroker(async (h, body) => {
    if (h.apiKey === ApiKey.Metadata) {
      metadataRequests++;
      return singleNodeMetadata(self.port, body, partitions);
    }
    if (h.apiKey === ApiKey.Produce) {
      const responses = [];
      for (const t of body.topicData) {
        const partitionResponses = [];
        for (const p of t.partitionData) {
          const n = (attempts.get(p.index) ?? 0) + 1;
          attempts.set(p.index, n);
          const err = produceError?.(p.index, n) ?? 0;
          if (err) {
            partitionResponses.push({ index: p.index, errorCode: err, baseOffset: -1n, logAppendTimeMs: -1n });
            continue;
          }
          const batches = await decodeRecordBatches(p.records);
          const base = log.next[p.index];
          for (const b of batches) {
            log.batches.push({ partition: p.index, compression: b.compression, values: b.records.map((r) => r.value!.toString()) });
            log.next[p.index] += BigInt(b.records.length);
          }
          partitionResponses.push({ index: p.index, errorCode: 0, baseOffset: base, logAppendTimeMs: -1n });
        }
        responses.push({ name: t.name, partitionResponses });
      }
      return body.acks === 0 ? null : { body: { responses } };
    }
    return undefined;
  });
  return { fake: self, log, metadataRequests: () => metadataRequests };
}

test('send: keyed messages land on murmur2 partitions with consecutive offsets', async () => {
  const b = await broker(3);
  const kafka = new Kafka({ bootstrapServers: [`127.0.0.1:${b.fake.port}`], clientId: 't' });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    const keys = ['a', 'b', 'c', 'd', 'a', 'a'];
    const meta = await producer.send({ topic: 'orders', messages: keys.map((k, i) => ({ key: k, value: `v${i}` })) });
    assert.deepEqual(
      meta.map((m) => m.partition),
      keys.map((k) => partitionForKey(Buffer.from(k), 3)),
    );
    // offsets per partition count up from 0 in send order
    const seen = new Map<number, bigint>();
    for (const m of meta) {
      const expected = seen.get(m.partition) ?? 0n;
      assert.equal(m.offset, expected);
      seen.set(m.partition, expected + 1n);
      assert.equal(m.topic, 'orders');
    }
    const again = await producer.send({ topic: 'orders', messages: [{ key: 'a', value: 'later', headers: { h: 'x' }, timestamp: 1234 }] });
    assert.equal(again[0].offset, seen.get(partitionForKey(Buffer.from('a'), 3)));
    assert.equal(again[0].timestamp, 1234);
    await producer.close();
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});

test('retriable NOT_LEADER_OR_FOLLOWER is retried after a metadata refresh', async () => {
  const b = await broker(1, (_p, attempt) => (attempt === 1 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : 0));
  const kafka = new Kafka({ bootstrapServers: [`127.0.0.1:${b.fake.port}`] });
  try {
    const producer = kafka.producer({ lingerMs: 0, retryBackoffMs: 10 });
    const before = b.metadataRequests();
    const [m] = await producer.send({ topic: 't', messages: [{ value: 'x' }] });
    assert.equal(m.offset, 0n);
    assert.ok(b.metadataRequests() > before, 'metadata refreshed');
    assert.equal(b.log.batches.length, 1);
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});

test('a non-retriable error fails the send, naming topic and partition', async () => {
  const b = await broker(1, () => ErrorCode.RECORD_LIST_TOO_LARGE);
  const kafka = new Kafka({ bootstrapServers: [`127.0.0.1:${b.fake.port}`] });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await assert.rejects(producer.send({ topic: 't', messages: [{ value: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof KafkaClientError);
      assert.equal(e.type, 'RECORD_LIST_TOO_LARGE');
      assert.equal(e.retriable, false);
      assert.equal(e.details.topic, 't');
      assert.equal(e.details.partition, 0);
      assert.match(e.message, /t-0/);
      return true;
    });
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});

test('acks=0 resolves with offset -1; compression reaches the broker; linger batches records', async () => {
  const b = await broker(1);
  const kafka = new Kafka({ bootstrapServers: [`127.0.0.1:${b.fake.port}`] });
  try {
    const fire = kafka.producer({ acks: 0, lingerMs: 0 });
    const [m] = await fire.send({ topic: 't', messages: [{ value: 'x' }] });
    assert.equal(m.offset, -1n);
    const lz4 = kafka.producer({ compression: 'lz4', lingerMs: 20 });
    const sends = [
      lz4.send({ topic: 't', messages: [{ value: 'a' }] }),
      lz4.send({ topic: 't', messages: [{ value: 'b' }, { value: 'c' }] }),
    ];
    await lz4.flush();
    const results = (await Promise.all(sends)).flat();
    assert.deepEqual(
      results.map((r) => r.offset),
      [1n, 2n, 3n],
    );
    // wait until the acks=0 batch is in the log too, then check the compressed one
    const last = b.log.batches[b.log.batches.length - 1];
    assert.equal(last.compression, CompressionType.Lz4);
    assert.deepEqual(last.values, ['a', 'b', 'c']); // one batch: linger collected them
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});
