// kafka-python 2.0.2 (Debian's python3-kafka; pure Python, non-flexible versions, broker version
// inferred from ApiVersions) driven through py/kafka_python_driver.py: admin create, describe,
// describe configs, delete; produce and consume (none, gzip: the
// other codecs need Python modules Debian's package does not pull in), offsets_for_times.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TestBroker } from '@tributary/testkit';
import { assertRecords, assertStored, makeRecords, runPython, startTestBroker, uniqueTopic } from './harness.ts';
import { KAFKA_PYTHON, kafkaPythonConsume, kafkaPythonProduce } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic } from './wire-client.ts';

async function broker(t: TestContext): Promise<TestBroker | null> {
  if (!needTool(t, 'kafka-python')) return null;
  const kafka = await startTestBroker();
  t.after(() => kafka.stop());
  return kafka;
}

describe('kafka-python 2.0.2', { timeout: 60_000 }, () => {
  it('admin: creates and describes topics; describes configs and deletes them', async (t) => {
    const kafka = await broker(t);
    if (!kafka) return;
    const a = uniqueTopic('kp-admin-a');
    const b = uniqueTopic('kp-admin-b');
    const topics = [
      { name: a, partitions: 3, configs: { 'retention.ms': '3600000' } },
      { name: b, partitions: 1 },
    ];
    const res = await runPython<any>(KAFKA_PYTHON, { op: 'admin', bootstrap: kafka.bootstrap, topics, steps: ['create', 'describe'] });
    assert.deepEqual(
      res.create,
      [
        [a, 0],
        [b, 0],
      ].sort(),
    );
    assert.deepEqual(res.list_after_create, [a, b].sort());
    assert.deepEqual(
      res.describe,
      [
        {
          topic: a,
          error_code: 0,
          is_internal: false,
          partitions: [
            [0, 1, [1], [1], 0],
            [1, 1, [1], [1], 0],
            [2, 1, [1], [1], 0],
          ],
        },
        { topic: b, error_code: 0, is_internal: false, partitions: [[0, 1, [1], [1], 0]] },
      ].sort((x, y) => (x.topic < y.topic ? -1 : 1)),
    );
    // Creating an existing topic: TOPIC_ALREADY_EXISTS (36) raised by kafka-python.
    const again = await runPython<any>(KAFKA_PYTHON, {
      op: 'admin',
      bootstrap: kafka.bootstrap,
      topics: [topics[1]],
      steps: ['create'],
    }).catch((e: Error) => e);
    assert.ok(
      again instanceof Error && /TopicAlreadyExists/.test(again.message),
      `second create: ${again instanceof Error ? again.message.slice(-300) : JSON.stringify(again)}`,
    );
    const res2 = await runPython<any>(KAFKA_PYTHON, { op: 'admin', bootstrap: kafka.bootstrap, topics, steps: ['configs', 'delete'] });
    assert.equal(res2.configs_error, 0);
    assert.equal(res2.configs['retention.ms'], '3600000');
    assert.equal(res2.configs['cleanup.policy'], 'delete');
    assert.deepEqual(
      res2.delete,
      [
        [a, 0],
        [b, 0],
      ].sort(),
    );
    assert.deepEqual(res2.list_after_delete, []);
  });

  it('produces and consumes exactly, uncompressed and gzip', async (t) => {
    const kafka = await broker(t);
    if (!kafka) return;
    const jobs = (['none', 'gzip'] as const).map((compression) => ({
      topic: uniqueTopic(`kp-${compression}`),
      compression,
      records: makeRecords(`kp-${compression}`, 150),
    }));
    for (const j of jobs) await createTopic(kafka.port, j.topic, 1);
    const produced = await kafkaPythonProduce(kafka.bootstrap, jobs);
    const consumed = await kafkaPythonConsume(
      kafka.bootstrap,
      jobs.map((j) => ({ topic: j.topic, count: j.records.length })),
    );
    for (const [i, j] of jobs.entries()) {
      assert.deepEqual(
        produced[i]!.offsets,
        j.records.map((_, k) => k),
        `${j.compression}: acknowledged offsets`,
      );
      await assertStored(kafka.port, j.topic, j.records, j.compression);
      assertRecords(consumed[i]!.records, j.records, { label: `kafka-python consumed ${j.compression}` });
      assert.equal(consumed[i]!.extra, 0, 'no records beyond the produced ones');
      assert.ok(
        consumed[i]!.records.every((r) => r.timestamp_type === 0),
        'CreateTime',
      );
    }
  });

  it('makes progress over records larger than its fetch budgets (the first batch is returned whole)', async (t) => {
    const kafka = await broker(t);
    if (!kafka) return;
    const topic = uniqueTopic('kp-big');
    await createTopic(kafka.port, topic, 1);
    const records = makeRecords('kp-big', 12).map((r, i) => ({ ...r, value: `${i}:` + 'x'.repeat(60_000 + i) }));
    await kafkaPythonProduce(kafka.bootstrap, [{ topic, records, compression: 'none' }]);
    const [consumed] = await kafkaPythonConsume(kafka.bootstrap, [{ topic, count: records.length }], {
      max_partition_fetch_bytes: 1024,
      fetch_max_bytes: 2048,
    });
    assertRecords(consumed!.records, records, { label: 'records over the fetch budget' });
  });

  it('reads LogAppendTime topics: broker timestamps, timestamp type 1', async (t) => {
    const kafka = await broker(t);
    if (!kafka) return;
    const topic = uniqueTopic('kp-lat');
    await createTopic(kafka.port, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const records = makeRecords('kp-lat', 30); // CreateTime 2023-11-14: the broker must replace it
    const before = Date.now();
    const [produced] = await kafkaPythonProduce(kafka.bootstrap, [{ topic, records, compression: 'gzip' }]);
    const after = Date.now();
    const [consumed] = await kafkaPythonConsume(kafka.bootstrap, [{ topic, count: records.length }]);
    const ts = consumed!.records.map((r) => r.timestamp);
    assertRecords(
      consumed!.records,
      records.map(({ timestamp: _, ...r }) => r),
      { label: 'LogAppendTime records' },
    );
    assert.ok(
      consumed!.records.every((r) => r.timestamp_type === 1),
      'timestamp type LogAppendTime',
    );
    for (const x of ts) assert.ok(x >= before - 1000 && x <= after + 1000, `log append time ${x} within the produce window`);
    assert.deepEqual(produced!.timestamps, ts, 'the produce response carries the same log append times');
  });

  it('finds offsets by timestamp (offsets_for_times), beginning and end offsets', async (t) => {
    const kafka = await broker(t);
    if (!kafka) return;
    const topic = uniqueTopic('kp-times');
    await createTopic(kafka.port, topic, 1);
    const base = 1_700_000_000_000;
    const records = makeRecords('kp-times', 40).map((r, i) => ({ ...r, timestamp: base + i * 10 }));
    await kafkaPythonProduce(kafka.bootstrap, [{ topic, records, compression: 'none' }]);
    const res = await runPython<Record<string, unknown>>(KAFKA_PYTHON, {
      op: 'offsets_for_times',
      bootstrap: kafka.bootstrap,
      topic,
      timestamps: [0, base, base + 55, base + 390, base + 391],
    });
    assert.deepEqual(res, {
      '0': [0, base],
      [String(base)]: [0, base],
      [String(base + 55)]: [6, base + 60],
      [String(base + 390)]: [39, base + 390],
      [String(base + 391)]: null,
      beginning: 0,
      end: 40,
    });
  });
});
