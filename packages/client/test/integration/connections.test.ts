// Connections and metadata against real Tributary brokers (instrumented-broker.ts): per-broker
// ApiVersions negotiation (the highest version both sides support, seen in the versions the broker
// receives, including a broker capped at older versions); bootstrap servers tried in turn; a
// request timeout fails that request with a retriable REQUEST_TIMED_OUT and the next request
// reconnects; metadata refreshed after a NOT_LEADER_OR_FOLLOWER answer (produce and fetch) and
// after metadata.max.age.ms (new partitions seen without any error).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { CLIENT_API_VERSIONS } from '../../src/network/client-versions.ts';
import { KafkaClientError, RequestTimeoutError } from '../../src/network/errors.ts';
import { ApiKey, startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker.ts';
import { take } from './helpers.ts';
import { closedPort } from '../helpers/closed-port.ts';

let broker: InstrumentedBroker;

before(async () => {
  broker = await startInstrumentedBroker({ settings: { 'num.partitions': 1 } });
});
after(async () => {
  await broker.stop();
});

const versionsUsed = (b: InstrumentedBroker, apiKey: number) => [...new Set(b.of(apiKey).map((r) => r.apiVersion))];

describe('connections and metadata against a Tributary broker', () => {
  it('negotiates per broker: the highest version both support, also with an older broker', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'neg', messages: [{ value: 'a' }] });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'neg', partition: 0 }]);
    await take(consumer[Symbol.asyncIterator](), 1);
    await consumer.close();
    await kafka.close();
    const served = new Map(broker.broker.registry.advertised().map((a) => [a.apiKey, a.maxVersion]));
    for (const key of [ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets]) {
      assert.deepEqual(versionsUsed(broker, key), [Math.min(CLIENT_API_VERSIONS[key]!.maxVersion, served.get(key)!)], `API ${key}`);
    }

    // an older broker: Metadata up to v7, Produce up to v5, Fetch up to v8, ListOffsets up to v2
    const old = await startInstrumentedBroker({
      settings: { 'num.partitions': 1 },
      maxVersions: { [ApiKey.Metadata]: 7, [ApiKey.Produce]: 5, [ApiKey.Fetch]: 8, [ApiKey.ListOffsets]: 2 },
    });
    try {
      const k2 = new Kafka({ bootstrapServers: old.bootstrap });
      const p2 = k2.producer({ lingerMs: 0 });
      const [m] = await p2.send({ topic: 'neg', messages: [{ key: 'k', value: 'v', headers: { h: '1' } }] });
      assert.deepEqual([m!.partition, m!.offset], [0, 0n]);
      const c2 = k2.consumer({ autoOffsetReset: 'earliest' });
      c2.assign([{ topic: 'neg', partition: 0 }]);
      const [r] = await take(c2[Symbol.asyncIterator](), 1);
      assert.deepEqual([r!.offset, r!.key!.toString(), r!.value!.toString(), r!.headers[0]!.value!.toString()], [0n, 'k', 'v', '1']);
      await c2.close();
      await k2.close();
      assert.deepEqual(versionsUsed(old, ApiKey.Metadata), [7]);
      assert.deepEqual(versionsUsed(old, ApiKey.Produce), [5]);
      assert.deepEqual(versionsUsed(old, ApiKey.Fetch), [8]);
      assert.deepEqual(versionsUsed(old, ApiKey.ListOffsets), [2]);
    } finally {
      await old.stop();
    }
  });

  it('bootstrap servers are tried in turn (list or comma-separated string)', async () => {
    const dead = await closedPort();
    for (const bootstrapServers of [[`127.0.0.1:${dead}`, broker.bootstrap], `127.0.0.1:${dead}, ${broker.bootstrap}`]) {
      const kafka = new Kafka({ bootstrapServers, reconnectBackoffMaxMs: 100 });
      const c = await kafka.admin().describeCluster();
      assert.deepEqual(
        c.brokers.map((b) => b.port),
        [broker.port],
      );
      await kafka.close();
    }
  });

  it('a request timeout fails that request (retriable REQUEST_TIMED_OUT); the next one reconnects', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, requestTimeoutMs: 400 });
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'slow-configs', partitions: 1 }]);
    // the broker holds DescribeConfigs until the client gives up and closes the connection
    broker.intercept(
      ApiKey.DescribeConfigs,
      (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ results: [] }))),
    );
    await assert.rejects(admin.describeConfigs([{ type: 'topic', name: 'slow-configs' }]), (err: unknown) => {
      assert.ok(err instanceof RequestTimeoutError);
      assert.equal(err.type, 'REQUEST_TIMED_OUT');
      assert.equal(err.retriable, true);
      assert.match(err.message, /timed out after 400 ms/);
      return true;
    });
    broker.intercept(ApiKey.DescribeConfigs, null);
    const configs = await admin.describeConfigs([{ type: 'topic', name: 'slow-configs' }]);
    assert.equal(configs.get('topic:slow-configs')!['cleanup.policy'], 'delete');
    await kafka.close();
  });

  it('NOT_LEADER_OR_FOLLOWER on produce and on fetch: metadata is refreshed, the request retried', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    await kafka.admin().createTopics([{ name: 'moved', partitions: 1 }]);
    const producer = kafka.producer({ lingerMs: 0, retryBackoffMs: 10 });
    await producer.send({ topic: 'moved', messages: [{ value: 'warm-up' }] });
    let refused = 0;
    broker.intercept(ApiKey.Produce, (_ctx, req) => {
      if (refused++ > 0) return undefined;
      return {
        responses: req.topicData.map((t: any) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p: any) => ({
            index: p.index,
            errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
            baseOffset: -1n,
          })),
        })),
      };
    });
    const metadataBefore = broker.of(ApiKey.Metadata).length;
    const [m] = await producer.send({ topic: 'moved', messages: [{ value: 'after-refusal' }] });
    broker.intercept(ApiKey.Produce, null);
    assert.equal(refused, 2, 'refused once, then accepted');
    assert.deepEqual([m!.partition, m!.offset], [0, 1n]);
    assert.ok(broker.of(ApiKey.Metadata).length > metadataBefore, 'metadata refreshed after the error');

    let fetchRefused = 0;
    broker.intercept(ApiKey.Fetch, (_ctx, req) => {
      if (fetchRefused++ > 0) return undefined;
      return {
        responses: req.topics.map((t: any) => ({
          topic: t.topic,
          partitions: t.partitions.map((p: any) => ({
            partitionIndex: p.partition,
            errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
            highWatermark: -1n,
            records: null,
          })),
        })),
      };
    });
    const metadataBeforeFetch = broker.of(ApiKey.Metadata).length;
    const fetchesBefore = broker.of(ApiKey.Fetch).length;
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'moved', partition: 0 }]);
    const got = await take(consumer[Symbol.asyncIterator](), 2);
    broker.intercept(ApiKey.Fetch, null);
    assert.deepEqual(
      got.map((r) => [r.offset, r.value!.toString()]),
      [
        [0n, 'warm-up'],
        [1n, 'after-refusal'],
      ],
    );
    // the refused fetch at offset 0 is asked again at offset 0 (nothing skipped)
    const fetchOffsets = broker
      .of(ApiKey.Fetch)
      .slice(fetchesBefore, fetchesBefore + 2)
      .map((f) => f.body.topics[0].partitions[0].fetchOffset);
    assert.deepEqual(fetchOffsets, [0n, 0n]);
    assert.ok(broker.of(ApiKey.Metadata).length > metadataBeforeFetch, 'metadata refreshed after the fetch error');
    await consumer.close();
    await producer.close();
    await kafka.close();
  });

  it('metadata.max.age.ms: new partitions are seen without any error', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, metadataMaxAgeMs: 200 });
    const other = new Kafka({ bootstrapServers: broker.bootstrap });
    await other.admin().createTopics([{ name: 'growing', partitions: 1 }]);
    const seen: number[] = [];
    const producer = kafka.producer({
      lingerMs: 0,
      partitioner: ({ partitionCount }) => {
        seen.push(partitionCount);
        return partitionCount - 1;
      },
    });
    const [first] = await producer.send({ topic: 'growing', messages: [{ value: 'a' }] });
    assert.equal(first!.partition, 0);
    await other.admin().createPartitions('growing', 3);
    let last = first!;
    for (let i = 0; i < 50 && last.partition !== 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      [last] = await producer.send({ topic: 'growing', messages: [{ value: `b${i}` }] });
    }
    assert.deepEqual([last.partition, last.offset], [2, 0n]);
    assert.deepEqual([...new Set(seen)], [1, 3]);
    await producer.close();
    await kafka.close();
    await other.close();
  });

  it('an unreachable cluster: requests fail with a retriable connection error naming the broker', async () => {
    const dead = await closedPort();
    const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${dead}`, reconnectBackoffMaxMs: 50 });
    await assert.rejects(kafka.admin({ defaultApiTimeoutMs: 300 }).listTopics(), (err: unknown) => {
      assert.ok(err instanceof KafkaClientError);
      assert.equal(err.type, 'NETWORK_EXCEPTION');
      assert.equal(err.retriable, true);
      assert.ok(err.message.includes(`127.0.0.1:${dead}`), err.message);
      return true;
    });
    await kafka.close();
  });

  it('close() ends an admin call that is retrying a dead broker: ILLEGAL_STATE, not retriable, at once', async () => {
    const dead = await closedPort();
    const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${dead}`, reconnectBackoffMs: 5_000, reconnectBackoffMaxMs: 5_000 });
    const call = kafka.admin({ defaultApiTimeoutMs: 60_000 }).listTopics();
    const settled = assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof KafkaClientError);
      assert.deepEqual([err.type, err.retriable, err.message], ['ILLEGAL_STATE', false, 'client is closed']);
      return true;
    });
    await new Promise((r) => setTimeout(r, 200)); // the first attempt failed; the next waits out a 5 s reconnect backoff
    await kafka.close();
    // settled by close() itself: not after the 5 s backoff nor the 60 s admin timeout
    const state = await Promise.race([settled.then(() => 'settled'), new Promise((r) => setImmediate(() => r('pending')))]);
    assert.equal(state, 'settled');
  });
});
