// confluent-kafka (Debian's python3-confluent-kafka over librdkafka 2.0.2) through
// py/confluent_driver.py: produce with each codec and each acks setting (0, 1, all), check the
// broker stored exactly those records in batches of that codec, and consume them back exactly
// (assign from the beginning, no group).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CODECS, assertRecords, assertStored, makeRecords, startTestBroker, uniqueTopic } from './harness.ts';
import { confluentConsume, confluentProduce } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic } from './wire-client.ts';

describe('confluent-kafka (librdkafka 2.0.2)', { timeout: 90_000 }, () => {
  it('produces with each codec and acks 0, 1 and all; consumes exactly', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await startTestBroker();
    t.after(() => kafka.stop());
    const jobs = CODECS.flatMap((codec) =>
      ([0, 1, 'all'] as const).map((acks) => {
        const tag = `ck-${codec}-${acks}`;
        return { topic: uniqueTopic(tag), codec, acks, records: makeRecords(tag, 60) };
      }),
    );
    for (const j of jobs) await createTopic(kafka.port, j.topic, 1);
    const produced = await confluentProduce(kafka.bootstrap, jobs);
    for (const [i, j] of jobs.entries()) {
      const p = produced[i]!;
      const label = `${j.codec} acks=${j.acks}`;
      assert.equal(p.unflushed, 0, `${label}: everything delivered`);
      assert.deepEqual(
        p.reports.map((r) => r.error),
        j.records.map(() => null),
        `${label}: delivery errors`,
      );
      // acks=0: librdkafka knows no offsets; otherwise they are 0..n-1 in order.
      if (j.acks !== 0)
        assert.deepEqual(
          p.reports.map((r) => r.offset),
          j.records.map((_, k) => k),
          `${label}: offsets`,
        );
      await assertStored(kafka.port, j.topic, j.records, j.codec, { allowSmallUncompressed: true }); // librdkafka
    }
    const consumed = await confluentConsume(
      kafka.bootstrap,
      jobs.map((j) => ({ topic: j.topic, count: j.records.length })),
    );
    for (const [i, j] of jobs.entries()) {
      const c = consumed[i]!;
      assert.deepEqual(c.errors, [], `${j.codec} acks=${j.acks}: consumer errors`);
      assert.equal(c.eof, true, 'reached the end of the partition');
      assertRecords(c.records, j.records, { label: `confluent consumed ${j.codec} acks=${j.acks}` });
    }
  });

  it('a record over the topic max.message.bytes fails with MSG_SIZE_TOO_LARGE; the others are stored', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await startTestBroker();
    t.after(() => kafka.stop());
    const topic = uniqueTopic('ck-too-large');
    await createTopic(kafka.port, topic, 1, { 'max.message.bytes': '10000' });
    const small = makeRecords('ck-small', 2);
    const big = { ...makeRecords('ck-big', 1)[0]!, value: 'y'.repeat(20_000) };
    // One producer (so one batch) per record, in order.
    const res = await confluentProduce(
      kafka.bootstrap,
      [small[0]!, big, small[1]!].map((r) => ({ topic, records: [r], codec: 'none' as const, acks: 'all' as const })),
    );
    assert.deepEqual(
      res.map((r) => r.reports.map((x) => x.code)),
      [[null], [10], [null]],
      JSON.stringify(res),
    ); // 10 = Broker: Message size too large
    await assertStored(kafka.port, topic, small, 'none');
  });
});
