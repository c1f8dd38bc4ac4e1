// Long poll: a consumer waiting on an empty partition (Fetch with max.wait 5 s, min.bytes 1) gets a
// record produced later within 100 ms of the Produce request being sent — the broker answers on
// the append, not on a timer. Measured for a raw Fetch (our codec, v11 and v12) and for KafkaJS's
// Fetch path, and the waiting fetch must not block other connections meanwhile.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import type { TestBroker } from '@tributary/testkit';
import { startTestBroker, uniqueTopic } from './harness.ts';
import { kafkajsFetch } from './js-clients.ts';
import { WireClient, createTopic, withWire } from './wire-client.ts';

const BOUND_MS = 100;
const WAIT_BEFORE_PRODUCE_MS = 300;

async function broker(t: TestContext): Promise<TestBroker> {
  const kafka = await startTestBroker();
  t.after(() => kafka.stop());
  return kafka;
}

/** Resolves once the broker holds a parked Fetch (so the gap measures the wake-up, not a client's start-up). */
async function fetchParked(kafka: TestBroker): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (kafka.broker.services.replicas.fetchPurgatory.size === 0) {
    if (performance.now() > deadline) throw new Error('no Fetch was parked within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Produces one record WAIT_BEFORE_PRODUCE_MS after a Fetch was parked, on an open connection;
 * resolves with the time the Produce request was written (the gap is measured from there: it
 * includes the append).
 */
async function produceLater(kafka: TestBroker, topic: string, value: string): Promise<number> {
  const batch = await encodeRecordBatch({ records: [{ key: 'k', value }] });
  const producer = await WireClient.connect(kafka.port);
  try {
    await fetchParked(kafka);
    await new Promise((r) => setTimeout(r, WAIT_BEFORE_PRODUCE_MS));
    const sentAt = performance.now();
    const res = await producer.request(ApiKey.Produce, 7, {
      acks: -1,
      timeoutMs: 5_000,
      transactionalId: null,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    });
    assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    return sentAt;
  } finally {
    producer.close();
  }
}

describe('long poll', { timeout: 30_000 }, () => {
  for (const version of [11, 12]) {
    it(`a Fetch v${version} waiting on an empty partition answers within ${BOUND_MS} ms of a produce`, async (t) => {
      const kafka = await broker(t);
      const topic = uniqueTopic('longpoll');
      await createTopic(kafka.port, topic, 1);
      const consumer = await WireClient.connect(kafka.port);
      t.after(() => consumer.close());
      const started = performance.now();
      const fetch = consumer
        .request(ApiKey.Fetch, version, {
          replicaId: -1,
          maxWaitMs: 5_000,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [
            {
              topic,
              partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, logStartOffset: -1n, currentLeaderEpoch: -1 }],
            },
          ],
        })
        .then((res) => ({ res, at: performance.now() }));
      // Meanwhile another connection is served at once.
      await withWire(kafka.port, (c) => c.request(ApiKey.Metadata, 1, { topics: [{ name: topic }] }, 1_000));
      const sentAt = await produceLater(kafka, topic, 'wake up');
      const { res, at } = await fetch;
      const p = res.responses[0]!.partitions[0]!;
      assert.equal(p.errorCode, ErrorCode.NONE);
      const records = (await decodeRecordBatches(p.records!)).flatMap((b) => b.records);
      assert.deepEqual(
        records.map((r) => [Number(r.offset), r.value?.toString()]),
        [[0, 'wake up']],
      );
      assert.ok(at - started >= WAIT_BEFORE_PRODUCE_MS - 5, `the fetch waited for data (answered after ${(at - started).toFixed(0)} ms)`);
      const gap = at - sentAt;
      t.diagnostic(`delivery gap from sending the produce: ${gap.toFixed(1)} ms`);
      assert.ok(gap < BOUND_MS, `record delivered ${gap.toFixed(1)} ms after the produce (bound ${BOUND_MS} ms)`);
    });
  }

  it(`KafkaJS fetching an empty partition gets a later record within ${BOUND_MS} ms`, async (t) => {
    const kafka = await broker(t);
    const topic = uniqueTopic('longpoll-kjs');
    await createTopic(kafka.port, topic, 1);
    // maxWaitTime 5 s: the record must arrive on the append, not on the timer.
    const consumed = kafkajsFetch(kafka.bootstrap, topic, 1, 0, 10_000, 5_000).then((r) => ({ r, at: performance.now() }));
    const sentAt = await produceLater(kafka, topic, 'wake up kafkajs');
    const { r, at } = await consumed;
    assert.deepEqual(
      r.map((x) => [x.offset, x.value]),
      [[0, 'wake up kafkajs']],
    );
    const gap = at - sentAt;
    t.diagnostic(`KafkaJS delivery gap: ${gap.toFixed(1)} ms`);
    assert.ok(gap < BOUND_MS, `KafkaJS got the record ${gap.toFixed(1)} ms after the produce (bound ${BOUND_MS} ms)`);
  });
});
