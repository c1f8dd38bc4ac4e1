// KafkaJS 2.2 against an in-process broker: admin (create / list / metadata / offsets; describe
// configs, delete), produce with each codec and read back exactly
// (count, order, keys, values, headers, timestamps, offsets from 0). Consumption uses KafkaJS's
// own Fetch path; its group consumer is covered with the group coordinator (issue 5).
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TestBroker } from '@tributary/testkit';
import { CODECS, assertRecords, assertStored, makeRecords, startTestBroker, uniqueTopic } from './harness.ts';
import { kafkajs, kafkajsFetch, kafkajsProduce } from './js-clients.ts';
import { createTopic } from './wire-client.ts';

async function broker(t: TestContext): Promise<TestBroker> {
  const kafka = await startTestBroker();
  t.after(() => kafka.stop());
  return kafka;
}

describe('KafkaJS 2.2', { timeout: 60_000 }, () => {
  it('admin: creates topics, lists them, reads metadata and offsets', async (t) => {
    const kafka = await broker(t);
    const admin = kafkajs(kafka.bootstrap).admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const a = uniqueTopic('kjs-admin-a');
    const b = uniqueTopic('kjs-admin-b');
    assert.equal(
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: a, numPartitions: 3 },
          { topic: b, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        ],
      }),
      true,
    );
    // Creating it again: KafkaJS reports TOPIC_ALREADY_EXISTS as `false`, not an error.
    assert.equal(await admin.createTopics({ topics: [{ topic: a, numPartitions: 3 }] }), false);
    const listed = await admin.listTopics();
    assert.ok(listed.includes(a) && listed.includes(b), `listTopics: ${listed}`);
    const md = await admin.fetchTopicMetadata({ topics: [a] });
    assert.deepEqual(
      md.topics.map((x) => x.name),
      [a],
    );
    assert.deepEqual(md.topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(), [
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    await kafkajsProduce(kafka.bootstrap, b, makeRecords('kjs-admin', 5), 'none');
    assert.deepEqual(await admin.fetchTopicOffsets(b), [{ partition: 0, offset: '5', high: '5', low: '0' }]);
    assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp(b, 1_700_000_000_003), [{ partition: 0, offset: '3' }]);
    const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: b, configNames: ['retention.ms'] }], includeSynonyms: false });
    assert.deepEqual(
      cfg.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
      [['retention.ms', '3600000']],
    );
    await admin.deleteTopics({ topics: [a, b], timeout: 5_000 });
    const after = await admin.listTopics();
    assert.ok(!after.includes(a) && !after.includes(b), `deleted topics still listed: ${after}`);
  });

  for (const codec of CODECS) {
    it(`produces with ${codec} and reads the records back exactly`, async (t) => {
      const kafka = await broker(t);
      const topic = uniqueTopic(`kjs-${codec}`);
      await createTopic(kafka.port, topic, 1);
      const records = makeRecords(`kjs-${codec}`, 120);
      await kafkajsProduce(kafka.bootstrap, topic, records, codec);
      await assertStored(kafka.port, topic, records, codec);
      assertRecords(await kafkajsFetch(kafka.bootstrap, topic, records.length), records, { label: 'KafkaJS fetched' });
    });
  }
});
