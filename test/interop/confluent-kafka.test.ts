// confluent-kafka (Debian's python3-confluent-kafka over librdkafka 2.0.2) through
// py/confluent_driver.py: produce with each codec and each acks setting (0, 1, all), check the
// broker stored exactly those records in batches of that codec, and consume them back exactly
// (assign from the beginning, no group).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIBRDKAFKA_CODEC_GROUPS, DATA_PATH, librdkafkaCodecNotLanded, assertRecords, assertStored, makeRecords, notLanded, startTestBroker, uniqueTopic } from './harness.ts';
import { confluentConsume, confluentProduce } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic } from './wire-client.ts';


describe('confluent-kafka (librdkafka 2.0.2)', { timeout: 90_000 }, () => {
  for (const codecs of LIBRDKAFKA_CODEC_GROUPS) {
    it(`produces with ${codecs.join(', ')} and acks 0, 1 and all; consumes exactly`, async (t) => {
      if (!needTool(t, 'confluent-kafka')) return;
      const kafka = await startTestBroker();
      t.after(() => kafka.stop());
      if (await notLanded(t, kafka.port, DATA_PATH, 'broker data path')) return;
      if (await librdkafkaCodecNotLanded(t, kafka.port, codecs)) return;
      const jobs = codecs.flatMap((codec) => ([0, 1, 'all'] as const).map((acks) => {
        const tag = `ck-${codec}-${acks}`;
        return { topic: uniqueTopic(tag), codec, acks, records: makeRecords(tag, 60) };
      }));
      for (const j of jobs) await createTopic(kafka.port, j.topic, 1);
      const produced = await confluentProduce(kafka.bootstrap, jobs);
      for (const [i, j] of jobs.entries()) {
        const p = produced[i]!;
        const label = `${j.codec} acks=${j.acks}`;
        assert.equal(p.unflushed, 0, `${label}: everything delivered`);
        assert.deepEqual(p.reports.map((r) => r.error), j.records.map(() => null), `${label}: delivery errors`);
        // acks=0: librdkafka knows no offsets; otherwise they are 0..n-1 in order.
        if (j.acks !== 0) assert.deepEqual(p.reports.map((r) => r.offset), j.records.map((_, k) => k), `${label}: offsets`);
        await assertStored(kafka.port, j.topic, j.records, j.codec);
      }
      const consumed = await confluentConsume(kafka.bootstrap, jobs.map((j) => ({ topic: j.topic, count: j.records.length })));
      for (const [i, j] of jobs.entries()) {
        const c = consumed[i]!;
        assert.deepEqual(c.errors, [], `${j.codec} acks=${j.acks}: consumer errors`);
        assert.equal(c.eof, true, 'reached the end of the partition');
        assertRecords(c.records, j.records, { label: `confluent consumed ${j.codec} acks=${j.acks}` });
      }
    });
  }
});
