// @platformatic/kafka 2.x (flexible versions only) against an in-process broker: admin (create,
// list, metadata, delete), produce with each codec it supports on Node 20
// (zstd needs Node 22's zlib) and read back exactly with its Consumer.fetch (Fetch v12).
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TestBroker } from '@tributary/testkit';
import { assertRecords, assertStored, makeRecords, startTestBroker, uniqueTopic } from './harness.ts';
import { Admin, PLATFORMATIC_CODECS, platformaticBase, platformaticFetch, platformaticProduce } from './js-clients.ts';
import { createTopic } from './wire-client.ts';

async function broker(t: TestContext): Promise<TestBroker> {
  const kafka = await startTestBroker();
  t.after(() => kafka.stop());
  return kafka;
}

describe('@platformatic/kafka 2.x', { timeout: 60_000 }, () => {
  it('admin: creates topics, lists them and reads metadata', async (t) => {
    const kafka = await broker(t);
    const admin = new Admin(platformaticBase(kafka.bootstrap));
    t.after(() => admin.close());
    const a = uniqueTopic('plt-admin-a');
    const created = await admin.createTopics({ topics: [a], partitions: 3, replicas: 1 });
    assert.deepEqual(
      created.map((c) => [c.name, c.partitions, c.replicas]),
      [[a, 3, 1]],
    );
    assert.ok((await admin.listTopics()).includes(a));
    const md = await admin.metadata({ topics: [a] });
    const tm = md.topics.get(a)!;
    assert.equal(tm.partitionsCount, 3);
    assert.match(tm.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.notEqual(tm.id, '00000000-0000-0000-0000-000000000000', 'Metadata v10+ gives topics a non-zero id');
    for (const p of tm.partitions) assert.deepEqual([p.leader, p.replicas, p.isr], [1, [1], [1]]);
    assert.deepEqual([...md.brokers.keys()], [1]);
    await admin.deleteTopics({ topics: [a] });
    assert.ok(!(await admin.listTopics()).includes(a));
  });

  for (const codec of PLATFORMATIC_CODECS) {
    it(`produces with ${codec} and reads the records back exactly`, async (t) => {
      const kafka = await broker(t);
      const topic = uniqueTopic(`plt-${codec}`);
      await createTopic(kafka.port, topic, 1);
      const records = makeRecords(`plt-${codec}`, 120);
      await platformaticProduce(kafka.bootstrap, topic, records, codec);
      await assertStored(kafka.port, topic, records, codec);
      assertRecords(await platformaticFetch(kafka.bootstrap, topic, records.length), records, { label: 'platformatic fetched' });
    });
  }
});
