// Quotas enforced end to end over a real socket: a producer_byte_rate set for the client id gets
// Produce answered with Kafka's throttle_time_ms and the connection muted for that long (the next
// request is not read before), another client is not limited, removing the quota lifts it; a
// consumer_byte_rate answers a throttled Fetch empty with its throttle time; request_percentage
// throttles on request handling time.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

async function setQuota(c: KafkaTestClient, clientId: string, key: string, value: number | null) {
  const res = await c.request(ApiKey.AlterClientQuotas, 1, {
    entries: [{ entity: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key, value: value ?? 0, remove: value === null }] }],
    validateOnly: false,
  });
  assert.equal(res.entries[0]!.errorCode, 0);
}

async function produce(c: KafkaTestClient, bytes: number) {
  const records = await encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(bytes, 7), timestamp: Date.now() }] });
  return c.request(ApiKey.Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'q', partitionData: [{ index: 0, records }] }] });
}

describe('client quota enforcement', async () => {
  // 2 samples of 1 s: a fresh rate is measured over 1 s, so the throttle of a burst is ~exact
  const b = await startTestBroker({ 'quota.window.num': 2, 'quota.window.size.seconds': 1 });
  await topicsOf(b.broker).createTopic({ name: 'q', numPartitions: 1 });
  const c = await kafkaClient(b.port); // client id "test"
  after(async () => {
    c.close();
    await b.stop();
  });

  it('is not limited without a quota', async () => {
    const r = await produce(c, 100_000);
    assert.deepEqual([r.throttleTimeMs, r.responses[0]!.partitionResponses[0]!.errorCode], [0, 0]);
  });

  it('throttles a producer over producer_byte_rate and mutes its connection for the throttle time', async () => {
    await setQuota(c, 'test', 'producer_byte_rate', 10_000);
    const first = await produce(c, 5_000);
    assert.equal(first.throttleTimeMs, 0, 'within 10000 B over the 1 s window');
    const r = await produce(c, 25_000);
    const answered = performance.now();
    // ~30100 bytes over a window of 1 s and a few ms: (30100 - 10000) / 10000 x 1000 ms
    assert.ok(r.throttleTimeMs > 1900 && r.throttleTimeMs < 2100, `throttle ${r.throttleTimeMs}`);
    assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, 0, 'the records were appended');
    await c.request(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false });
    const waited = performance.now() - answered;
    assert.ok(waited >= r.throttleTimeMs - 50, `the next request was read after ${waited} ms of a ${r.throttleTimeMs} ms throttle`);
  });

  it('lifts the throttle when the quota is removed', async () => {
    await setQuota(c, 'test', 'producer_byte_rate', null);
    const r = await produce(c, 200_000);
    assert.equal(r.throttleTimeMs, 0);
  });

  it('applies a user quota to the principal of PLAINTEXT connections, User:ANONYMOUS', async () => {
    const user = async (value: number | null) => {
      const res = await c.request(ApiKey.AlterClientQuotas, 1, {
        entries: [
          {
            entity: [{ entityType: 'user', entityName: 'ANONYMOUS' }],
            ops: [{ key: 'producer_byte_rate', value: value ?? 0, remove: value === null }],
          },
        ],
        validateOnly: false,
      });
      assert.equal(res.entries[0]!.errorCode, 0);
    };
    await user(1_000);
    const r = await produce(c, 3_000); // ~3 KB over a fresh rate's 1 s window: ~2 s of throttle
    assert.ok(r.throttleTimeMs > 0, `throttle ${r.throttleTimeMs}`);
    await user(null);
  });

  it('answers a throttled consumer Fetch empty, with its throttle time', async () => {
    // batches of 100 KB, 5 KB, 25 KB, 200 KB: a fetch is capped to the quota's window (200 KB), so
    // the first takes 130 KB within the quota, the second goes over
    await setQuota(c, 'test', 'consumer_byte_rate', 200_000);
    const fetch = () =>
      c.request(ApiKey.Fetch, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 10_000_000,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'q',
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: 10_000_000,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
    const first = await fetch();
    assert.equal(first.throttleTimeMs, 0);
    assert.ok(first.responses[0]!.partitions[0]!.records!.length > 130_000);
    assert.ok(first.responses[0]!.partitions[0]!.records!.length < 200_000, 'capped to the quota window');
    const r = await fetch();
    assert.ok(r.throttleTimeMs > 0);
    assert.deepEqual(r.responses, [], 'no records are sent while over the quota');
    await setQuota(c, 'test', 'consumer_byte_rate', null);
  });

  it('throttles on request time over request_percentage, at most one quota window; ApiVersions is exempt', async () => {
    const metadata = () =>
      c.request(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false });
    assert.equal((await metadata()).throttleTimeMs, 0);
    await setQuota(c, 'test', 'request_percentage', 0.0001);
    // the AlterClientQuotas answer itself may already be throttled; wait for the mute to pass
    let r = await metadata();
    r = await metadata();
    assert.ok(r.throttleTimeMs > 0 && r.throttleTimeMs <= 1000, `throttle ${r.throttleTimeMs}`);
    const v = await c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    assert.equal(v.throttleTimeMs, 0);
    await setQuota(c, 'test', 'request_percentage', null);
    await metadata(); // recorded before the removal reached the broker: may still be throttled
    assert.equal((await metadata()).throttleTimeMs, 0);
  });
});
