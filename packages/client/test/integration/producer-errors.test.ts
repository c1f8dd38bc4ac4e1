// Producer errors and close against real Tributary brokers: every failure is a KafkaClientError
// naming the topic and partition and saying whether a retry could help (MESSAGE_TOO_LARGE: no; an
// explicit partition the topic does not have: no, and nothing of that send is written; a broker
// gone for longer than delivery.timeout.ms: yes, REQUEST_TIMED_OUT). Idempotence against a broker
// without InitProducerId, and Produce against a broker older than v3, fail with a clear
// UNSUPPORTED_VERSION. close() flushes lingering records; close({ timeoutMs }) fails what is
// still unacknowledged with PRODUCER_CLOSED; a closed producer refuses sends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { UnsupportedVersionError } from '../../src/cluster/api-versions.ts';
import { ApiKey, startInstrumentedBroker } from './instrumented-broker.ts';

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

function isError(expected: { type: string; retriable: boolean; topic?: string; partition?: number; code?: number; message: RegExp }) {
  return (err: unknown) => {
    assert.ok(err instanceof KafkaClientError, `not a KafkaClientError: ${err}`);
    assert.deepEqual(
      { type: err.type, retriable: err.retriable, topic: err.topic, partition: err.partition, code: err.code },
      { type: expected.type, retriable: expected.retriable, topic: expected.topic, partition: expected.partition, code: expected.code },
    );
    assert.match(err.message, expected.message);
    return true;
  };
}

describe('producer errors against a Tributary broker', () => {
  it('MESSAGE_TOO_LARGE names the partition and is not retriable', async () => {
    await kafka.admin().createTopics([{ name: 'small-max', partitions: 2, configs: { 'max.message.bytes': '1024' } }]);
    const producer = kafka.producer({ lingerMs: 0 });
    await assert.rejects(
      producer.send({ topic: 'small-max', messages: [{ value: Buffer.alloc(4096), partition: 1 }] }),
      isError({
        type: 'MESSAGE_TOO_LARGE',
        retriable: false,
        topic: 'small-max',
        partition: 1,
        code: 10,
        message: /^produce to small-max-1 failed: MESSAGE_TOO_LARGE/,
      }),
    );
    const [ok] = await producer.send({ topic: 'small-max', messages: [{ value: 'fits', partition: 1 }] });
    assert.deepEqual([ok!.partition, ok!.offset], [1, 0n]);
    await producer.close();
  });

  it('a partition the topic does not have: not retriable, and nothing of the send is written', async () => {
    await kafka.admin().createTopics([{ name: 'two-parts', partitions: 2 }]);
    const producer = kafka.producer({ lingerMs: 0 });
    await assert.rejects(
      producer.send({
        topic: 'two-parts',
        messages: [
          { value: 'ok', partition: 0 },
          { value: 'no', partition: 5 },
        ],
      }),
      isError({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        retriable: false,
        topic: 'two-parts',
        partition: 5,
        code: 3,
        message: /partition 5 of topic two-parts does not exist \(the topic has 2\)/,
      }),
    );
    await producer.close();
    assert.deepEqual(
      (await kafka.admin().listOffsets('two-parts', 'latest')).map((o) => o.offset),
      [0n, 0n],
    );
  });

  it('a broker down for longer than delivery.timeout.ms: REQUEST_TIMED_OUT, retriable, naming the partition', async () => {
    const lone = await startBroker({ settings: { 'num.partitions': 1 } });
    const k = new Kafka({ bootstrapServers: lone.bootstrap, reconnectBackoffMaxMs: 100 });
    const producer = k.producer({ lingerMs: 0, deliveryTimeoutMs: 1500, retryBackoffMs: 50 });
    await producer.send({ topic: 'gone', messages: [{ value: 'before' }] });
    await lone.stop();
    await assert.rejects(
      producer.send({ topic: 'gone', messages: [{ value: 'after' }, { value: 'after-2' }] }),
      isError({
        type: 'REQUEST_TIMED_OUT',
        retriable: true,
        topic: 'gone',
        partition: 0,
        code: undefined,
        message: /^delivery timeout: 2 record\(s\) for gone-0 not acknowledged within delivery\.timeout\.ms \(1500 ms\)/,
      }),
    );
    await producer.close();
    await k.close();
  });

  it('idempotence against a broker without InitProducerId: a clear UNSUPPORTED_VERSION', async () => {
    const old = await startInstrumentedBroker({ without: [ApiKey.InitProducerId], settings: { 'num.partitions': 1 } });
    try {
      const k = new Kafka({ bootstrapServers: old.bootstrap });
      const producer = k.producer({ idempotent: true, lingerMs: 0 });
      await assert.rejects(producer.send({ topic: 'idem-old', messages: [{ value: 'a' }] }), (err: unknown) => {
        assert.ok(err instanceof UnsupportedVersionError);
        assert.deepEqual([err.type, err.code, err.retriable], ['UNSUPPORTED_VERSION', 35, false]);
        assert.match(
          err.message,
          /^idempotent producer: broker 127\.0\.0\.1:\d+ does not support InitProducerId \(needs Kafka 0\.11 or later\); use idempotent: false/,
        );
        return true;
      });
      await producer.close();
      // the same broker takes the records from a producer without idempotence (off explicitly: it is on by default)
      const plain = k.producer({ lingerMs: 0, idempotent: false });
      assert.equal((await plain.send({ topic: 'idem-old', messages: [{ value: 'a' }] }))[0]!.offset, 0n);
      await k.close();
      assert.equal(old.of(ApiKey.Produce).length, 1, 'the idempotent producer sent nothing');
    } finally {
      await old.stop();
    }
  });

  it('a broker whose Produce stops below v3: UNSUPPORTED_VERSION naming the API and both ranges', async () => {
    const old = await startInstrumentedBroker({ maxVersions: { [ApiKey.Produce]: 2 }, settings: { 'num.partitions': 1 } });
    try {
      const k = new Kafka({ bootstrapServers: old.bootstrap });
      const producer = k.producer({ lingerMs: 0 });
      await assert.rejects(
        producer.send({ topic: 'produce-v2', messages: [{ value: 'a' }] }),
        isError({
          type: 'UNSUPPORTED_VERSION',
          retriable: false,
          topic: 'produce-v2',
          partition: 0,
          code: undefined,
          message: /no common version of Produce: client 3-11, broker 0-2/,
        }),
      );
      await k.close();
    } finally {
      await old.stop();
    }
  });

  it('close() sends lingering records first; a closed producer refuses sends', async () => {
    await kafka.admin().createTopics([{ name: 'close-flush', partitions: 1 }]);
    const producer = kafka.producer({ lingerMs: 60_000 });
    const sends = [0, 1, 2].map((i) => producer.send({ topic: 'close-flush', messages: [{ value: `c${i}` }] }));
    await new Promise((r) => setImmediate(r));
    await producer.close();
    assert.deepEqual(
      (await Promise.all(sends)).map(([m]) => m!.offset),
      [0n, 1n, 2n],
    );
    await assert.rejects(
      producer.send({ topic: 'close-flush', messages: [{ value: 'late' }] }),
      isError({ type: 'ILLEGAL_STATE', retriable: false, message: /producer is closed/ }),
    );
    assert.deepEqual(
      (await kafka.admin().listOffsets('close-flush', 'latest')).map((o) => o.offset),
      [3n],
    );
  });

  it('close({ timeoutMs }) with the broker gone: unacknowledged records fail with PRODUCER_CLOSED', async () => {
    const lone = await startBroker({ settings: { 'num.partitions': 1 } });
    const k = new Kafka({ bootstrapServers: lone.bootstrap, reconnectBackoffMaxMs: 100 });
    const producer = k.producer({ lingerMs: 0, retryBackoffMs: 50 });
    await producer.send({ topic: 'closing', messages: [{ value: 'before' }] });
    await lone.stop();
    const pending = producer.send({ topic: 'closing', messages: [{ value: 'never' }] });
    const outcome = pending.then(
      () => 'sent',
      (err: unknown) => err,
    );
    await producer.close({ timeoutMs: 300 });
    isError({
      type: 'PRODUCER_CLOSED',
      retriable: false,
      topic: 'closing',
      partition: 0,
      code: undefined,
      message: /^producer closed: 1 record\(s\) for closing-0 not acknowledged within 300 ms/,
    })(await outcome);
    await k.close();
  });
});
