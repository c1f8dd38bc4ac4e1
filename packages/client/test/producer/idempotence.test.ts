// Idempotent producing against a scripted broker: producer id from InitProducerId, sequences per
// partition in the batches, a retried batch keeps its sequence, DUPLICATE_SEQUENCE_NUMBER counts
// as success, UNKNOWN_PRODUCER_ID (state removed with the log's head) bumps the epoch through
// InitProducerId with the current id and epoch and restarts sequences, brokers without
// InitProducerId refuse idempotence clearly. (In-flight ordering: idempotence-inflight.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, decodeRecordBatches } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { UnsupportedVersionError } from '../../src/cluster/api-versions.ts';
import { singleNodeMetadata, startFakeBroker, defaultApiVersions, type FakeBroker } from '../helpers/fake-broker.ts';

async function broker(script: (attempt: number) => number, apiVersions = defaultApiVersions()) {
  let self: FakeBroker;
  const seen: Array<{ pid: bigint; epoch: number; seq: number; count: number; code: number }> = [];
  let pids = 1000n;
  let attempt = 0;
  let offset = 0n;
  self = await startFakeBroker(async (h, body) => {
    if (h.apiKey === ApiKey.Metadata) return singleNodeMetadata(self.port, body);
    if (h.apiKey === ApiKey.InitProducerId) {
      // KIP-360: the current id and epoch ask for the next epoch of the same id
      if (body.producerId >= 0n) return { body: { errorCode: 0, producerId: body.producerId, producerEpoch: body.producerEpoch + 1 } };
      return { body: { errorCode: 0, producerId: pids++, producerEpoch: 0 } };
    }
    if (h.apiKey === ApiKey.Produce) {
      const p = body.topicData[0].partitionData[0];
      const [b] = await decodeRecordBatches(p.records);
      const code = script(++attempt);
      seen.push({ pid: b.producerId, epoch: b.producerEpoch, seq: b.baseSequence, count: b.records.length, code });
      const base = offset;
      if (code === 0) offset += BigInt(b.records.length);
      return {
        body: {
          responses: [
            {
              name: body.topicData[0].name,
              partitionResponses: [
                {
                  index: 0,
                  errorCode: code,
                  baseOffset: code === 0 || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER ? base : -1n,
                  logAppendTimeMs: -1n,
                  // the log starts after everything acknowledged: the producer's state was removed with it
                  logStartOffset: offset + 1n,
                },
              ],
            },
          ],
        },
      };
    }
    return undefined;
  }, apiVersions);
  return { fake: self, seen };
}

test('sequences per partition, kept on retry; duplicates count as success', async () => {
  // attempt 1 ok, 2 NOT_LEADER (retried with the same sequence), 3 duplicate of 2, 4 ok
  const b = await broker((n) => (n === 2 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : n === 3 ? ErrorCode.DUPLICATE_SEQUENCE_NUMBER : 0));
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.fake.port}` });
  try {
    const p = kafka.producer({ idempotent: true, lingerMs: 0, retryBackoffMs: 5 });
    const m1 = await p.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] });
    const m2 = await p.send({ topic: 't', messages: [{ value: 'c' }] });
    const m3 = await p.send({ topic: 't', messages: [{ value: 'd' }] });
    assert.deepEqual(
      b.seen.map((s) => [s.pid, s.epoch, s.seq, s.count]),
      [
        [1000n, 0, 0, 2],
        [1000n, 0, 2, 1],
        [1000n, 0, 2, 1], // the retry: same sequence
        [1000n, 0, 3, 1],
      ],
    );
    assert.deepEqual(
      [...m1, ...m2, ...m3].map((m) => m.offset),
      [0n, 1n, 2n, 2n],
    );
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});

test('UNKNOWN_PRODUCER_ID past the log start: the epoch is bumped (InitProducerId with the current id) and sequences restart', async () => {
  const b = await broker((n) => (n === 2 ? ErrorCode.UNKNOWN_PRODUCER_ID : 0));
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.fake.port}` });
  try {
    const p = kafka.producer({ idempotent: true, lingerMs: 0, retryBackoffMs: 5 });
    await p.send({ topic: 't', messages: [{ value: 'a' }] });
    await p.send({ topic: 't', messages: [{ value: 'b' }] });
    assert.deepEqual(
      b.seen.map((s) => [s.pid, s.epoch, s.seq]),
      [
        [1000n, 0, 0],
        [1000n, 0, 1],
        [1000n, 1, 0],
      ],
    );
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});

test('a broker without InitProducerId: idempotent send fails with UNSUPPORTED_VERSION', async () => {
  const b = await broker(
    () => 0,
    defaultApiVersions().filter((k) => k.apiKey !== ApiKey.InitProducerId),
  );
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.fake.port}` });
  try {
    const p = kafka.producer({ idempotent: true, lingerMs: 0 });
    await assert.rejects(
      p.send({ topic: 't', messages: [{ value: 'a' }] }),
      (e: unknown) => e instanceof UnsupportedVersionError && /InitProducerId/.test((e as Error).message),
    );
    assert.throws(() => kafka.producer({ idempotent: true, acks: 1 }), /needs acks/);
  } finally {
    await kafka.close();
    await b.fake.close();
  }
});
