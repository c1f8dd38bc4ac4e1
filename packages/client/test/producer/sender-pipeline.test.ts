// The sender against a scripted broker: it keeps up to maxInFlight Produce requests out at once
// (one wakeup fills them all, as Java's Sender loop does), and a batch the broker finds too large
// (MESSAGE_TOO_LARGE, a topic max.message.bytes below batch.size) is split in halves and retried
// until it fits: every record gets its own offset, in order, and an idempotent producer's halves
// carry contiguous sequences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, decodeRecordBatches } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { singleNodeMetadata, startFakeBroker, type FakeBroker } from '../helpers/fake-broker.ts';

interface Seen {
  count: number;
  seq: number;
  code: number;
  values: string[];
}

/** A one-partition broker: `maxRecords` per batch (more -> MESSAGE_TOO_LARGE); `hold` delays answers. */
async function broker(opts: { maxRecords?: number; hold?: () => Promise<void> } = {}) {
  let self: FakeBroker;
  const seen: Seen[] = [];
  let offset = 0n;
  self = await startFakeBroker(async (h, body) => {
    if (h.apiKey === ApiKey.Metadata) return singleNodeMetadata(self.port, body);
    if (h.apiKey === ApiKey.InitProducerId) return { body: { errorCode: 0, producerId: 7n, producerEpoch: 0 } };
    if (h.apiKey === ApiKey.Produce) {
      await opts.hold?.();
      const p = body.topicData[0].partitionData[0];
      const [b] = await decodeRecordBatches(p.records);
      const code = b.records.length > (opts.maxRecords ?? Infinity) ? ErrorCode.MESSAGE_TOO_LARGE : 0;
      seen.push({ count: b.records.length, seq: b.baseSequence, code, values: b.records.map((r) => r.value!.toString()) });
      const base = offset;
      if (code === 0) offset += BigInt(b.records.length);
      return {
        body: {
          responses: [
            {
              name: body.topicData[0].name,
              partitionResponses: [{ index: 0, errorCode: code, baseOffset: code === 0 ? base : -1n, logAppendTimeMs: -1n }],
            },
          ],
        },
      };
    }
    return undefined;
  });
  return { fake: self, seen };
}

test('one wakeup sends up to maxInFlight requests before any answer', async () => {
  let gate: Promise<void> | null = null;
  let release = () => {};
  const b = await broker({ hold: () => gate ?? Promise.resolve() });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.fake.port}` });
  try {
    // 200-byte batches hold one 100-byte record each: 12 batches for one partition
    const p = kafka.producer({ acks: 1, batchSize: 200, maxInFlight: 5 });
    await p.send({ topic: 't', messages: [{ value: 'warm' }] }); // metadata and connection
    gate = new Promise<void>((r) => (release = r));
    const before = b.fake.framesReceived;
    const sending = p.send({ topic: 't', messages: Array.from({ length: 12 }, (_, i) => ({ value: `${i}`.padStart(100, '.') })) });
    for (let i = 0; i < 200 && b.fake.framesReceived < before + 5; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(b.fake.framesReceived - before, 5, 'five Produce requests out, none answered');
    assert.equal(b.seen.length, 1);
    gate = null;
    release();
    const meta = await sending;
    assert.deepEqual(
      meta.map((m) => m.offset),
      Array.from({ length: 12 }, (_, i) => BigInt(i + 1)),
    );
    assert.deepEqual(
      b.seen.slice(1).map((s) => s.values.map((v) => v.replace(/\./g, ''))),
      Array.from({ length: 12 }, (_, i) => [`${i}`]),
    );
    await p.close();
  } finally {
    release();
    await kafka.close();
    await b.fake.close();
  }
});

test('MESSAGE_TOO_LARGE: the batch is split in halves until it fits; offsets per record stay exact', async () => {
  const b = await broker({ maxRecords: 3 });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.fake.port}` });
  try {
    const p = kafka.producer({ acks: 1 });
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const meta = await p.send({ topic: 't', messages: values.map((value) => ({ value })) });
    assert.deepEqual(
      meta.map((m) => m.offset),
      values.map((_, i) => BigInt(i)),
    );
    // 10 -> 5 + 5 (both in flight at once) -> 3 + 2 + 3 + 2: every record written once, in order
    assert.deepEqual(
      b.seen.map((s) => [s.count, s.code]),
      [
        [10, ErrorCode.MESSAGE_TOO_LARGE],
        [5, ErrorCode.MESSAGE_TOO_LARGE],
        [5, ErrorCode.MESSAGE_TOO_LARGE],
        [3, 0],
        [2, 0],
        [3, 0],
        [2, 0],
      ],
    );
    assert.deepEqual(
      b.seen.filter((s) => s.code === 0).flatMap((s) => s.values),
      values,
    );
    await p.close();
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});

test('MESSAGE_TOO_LARGE with idempotence: the halves carry contiguous sequences; one record too large fails', async () => {
  const b = await broker({ maxRecords: 2 });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.fake.port}` });
  try {
    const p = kafka.producer({ idempotent: true });
    const first = await p.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }, { value: 'd' }] });
    const second = await p.send({ topic: 't', messages: [{ value: 'e' }] });
    assert.deepEqual(
      [...first, ...second].map((m) => m.offset),
      [0n, 1n, 2n, 3n, 4n],
    );
    assert.deepEqual(
      b.seen.map((s) => [s.count, s.seq, s.code]),
      [
        [4, 0, ErrorCode.MESSAGE_TOO_LARGE],
        [2, 0, 0],
        [2, 2, 0],
        [1, 4, 0],
      ],
    );
    await p.close();
  } finally {
    await kafka.close();
    await b.fake.close();
  }
  const tiny = await broker({ maxRecords: 0 });
  const k2 = new Kafka({ bootstrapServers: `127.0.0.1:${tiny.fake.port}` });
  try {
    const p = k2.producer({ acks: 1 });
    await assert.rejects(p.send({ topic: 't', messages: [{ value: 'x' }, { value: 'y' }] }), (e: any) => {
      assert.equal(e.type, 'MESSAGE_TOO_LARGE');
      assert.equal(e.details.topic, 't');
      assert.equal(e.details.partition, 0);
      return true;
    });
    assert.deepEqual(
      tiny.seen.map((s) => s.count),
      [2, 1, 1],
    );
  } finally {
    await k2.close();
    await tiny.fake.close();
  }
});
