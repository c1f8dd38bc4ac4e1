// Client quotas against real clients: a producer_byte_rate of 500 KB/s set for one client id
// throttles confluent-kafka (librdkafka) producing 5 MB to that rate (measured over the run, within
// 20%) and librdkafka reports throttle_time_ms > 0 (throttle_cb), while another client id is not
// throttled; our own client under the same quota is held to it too; the quotas are described
// exactly through our admin client. The broker runs quota.window.num=2 (samples of 1 s): with
// Kafka's default of 11 the first 10 s of quota go through as one burst, which a run of a few
// seconds could not average out.
// (confluent-kafka 1.7 and kafka-python 2.0.2 have no client quota admin API, so only ours describes.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kafka } from '@tributary/client';
import { startBroker } from '@tributary/testkit';
import { runPython, uniqueTopic } from './harness.ts';
import { needTool } from './tools.ts';

const QUOTA = 500_000;
const TOTAL = 5_000_000;

interface ProducerRun {
  bytes: number;
  seconds: number;
  throttles: number[];
  errors: number;
  undelivered: number;
}

describe('client quotas', { timeout: 180_000 }, () => {
  it('throttle a producer to its producer_byte_rate; other client ids are not', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await startBroker({ settings: { 'num.partitions': 1, 'quota.window.num': 2, 'quota.window.size.seconds': 1 } });
    t.after(() => kafka.stop());
    const client = new Kafka({ clientId: 'quota-admin', bootstrapServers: [kafka.bootstrap] });
    const admin = client.admin();
    t.after(() => client.close());
    const topic = uniqueTopic('quota');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    await admin.alterClientQuotas([{ entity: { 'client-id': 'limited' }, ops: { producer_byte_rate: QUOTA } }]);
    await admin.alterClientQuotas([{ entity: { user: null }, ops: { consumer_byte_rate: 1e9 } }]);
    assert.deepEqual(await admin.describeClientQuotas([]), [
      { entity: { 'client-id': 'limited' }, quotas: { producer_byte_rate: QUOTA } },
      { entity: { user: null }, quotas: { consumer_byte_rate: 1e9 } },
    ]);
    assert.deepEqual(
      await admin.describeClientQuotas([{ entityType: 'client-id', matchType: 'exact', match: 'limited' }], { strict: true }),
      [{ entity: { 'client-id': 'limited' }, quotas: { producer_byte_rate: QUOTA } }],
    );

    const produce = (clientId: string) =>
      runPython<ProducerRun>(
        'quota_producer.py',
        { bootstrap: kafka.bootstrap, topic, client_id: clientId, bytes: TOTAL, value_size: 10_000, timeout_ms: 60_000 },
        90_000,
      );
    const limited = await produce('limited');
    assert.deepEqual([limited.bytes, limited.errors, limited.undelivered], [TOTAL, 0, 0]);
    const rate = limited.bytes / limited.seconds;
    t.diagnostic(
      `limited: ${Math.round(rate)} B/s over ${limited.seconds.toFixed(2)} s, ${limited.throttles.length} throttles, max ${Math.max(...limited.throttles)} ms`,
    );
    assert.ok(Math.abs(rate - QUOTA) / QUOTA <= 0.2, `measured ${Math.round(rate)} B/s against a quota of ${QUOTA}`);
    assert.ok(
      limited.throttles.some((ms) => ms > 0),
      'librdkafka saw throttle_time_ms > 0',
    );

    const free = await produce('unlimited');
    assert.deepEqual([free.bytes, free.errors, free.undelivered], [TOTAL, 0, 0]);
    assert.deepEqual(
      free.throttles.filter((ms) => ms > 0),
      [],
      'another client id is not throttled',
    );
  });

  it('holds our client to its quota too', async (t) => {
    const kafka = await startBroker({ settings: { 'num.partitions': 1, 'quota.window.num': 2, 'quota.window.size.seconds': 1 } });
    t.after(() => kafka.stop());
    const client = new Kafka({ clientId: 'ours-limited', bootstrapServers: [kafka.bootstrap] });
    const admin = client.admin();
    const producer = client.producer({ lingerMs: 5, batchSize: 100_000, acks: 1 });
    t.after(() => client.close());
    const topic = uniqueTopic('quota-ours');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    await admin.alterClientQuotas([{ entity: { 'client-id': 'ours-limited' }, ops: { producer_byte_rate: QUOTA } }]);
    const value = Buffer.alloc(10_000, 1);
    const start = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL / value.length; i++) sends.push(producer.send({ topic, messages: [{ partition: 0, value }] }));
    await Promise.all(sends);
    const seconds = (performance.now() - start) / 1000;
    const rate = TOTAL / seconds;
    t.diagnostic(`ours: ${Math.round(rate)} B/s over ${seconds.toFixed(2)} s`);
    assert.ok(Math.abs(rate - QUOTA) / QUOTA <= 0.2, `measured ${Math.round(rate)} B/s against a quota of ${QUOTA}`);
  });
});
