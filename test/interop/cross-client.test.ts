// Cross-client: records produced by one client under each codec it supports are consumed by a
// different client, exactly: count, order, keys, values, headers, timestamps, offsets contiguous
// from 0 (and the broker's stored batches carry the producer's codec). Pairs rotate so every client
// is a producer and a consumer:
//   confluent-kafka -> KafkaJS, KafkaJS -> confluent-kafka, @platformatic/kafka -> kcat,
//   kafka-python -> @platformatic/kafka, kcat -> kafka-python / KafkaJS, our codec -> KafkaJS and
//   @platformatic/kafka.
// kcat cannot set timestamps or per-record headers: its records carry constant headers and are
// compared with the stored CreateTime.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecordBatch } from '@tributary/protocol';
import type { TestBroker } from '@tributary/testkit';
import {
  CODECS,
  CODEC_TYPE,
  assertRecords,
  assertStored,
  makeRecords,
  startTestBroker,
  uniqueTopic,
  type Codec,
  type Rec,
} from './harness.ts';
import {
  CompressionTypes,
  kafkajs,
  kafkajsFetch,
  kafkajsProduce,
  PLATFORMATIC_CODECS,
  platformaticFetch,
  platformaticProduce,
} from './js-clients.ts';
import { confluentConsume, confluentProduce, kafkaPythonConsume, kafkaPythonProduce, kcatConsume, kcatProduce } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic, produceBatch } from './wire-client.ts';

const N = 80;

async function broker(t: TestContext): Promise<TestBroker> {
  const kafka = await startTestBroker();
  t.after(() => kafka.stop());
  return kafka;
}

async function topics(kafka: TestBroker, prefix: string, codecs: readonly Codec[]) {
  const out = codecs.map((codec) => ({ codec, topic: uniqueTopic(`${prefix}-${codec}`), records: makeRecords(`${prefix}-${codec}`, N) }));
  for (const o of out) await createTopic(kafka.port, o.topic, 1);
  return out;
}

describe('cross-client', { timeout: 90_000 }, () => {
  it('confluent-kafka produces (each codec), KafkaJS consumes', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await broker(t);
    const jobs = await topics(kafka, 'ck2kjs', CODECS);
    await confluentProduce(
      kafka.bootstrap,
      jobs.map((j) => ({ ...j, acks: 'all' })),
    );
    for (const j of jobs) {
      await assertStored(kafka.port, j.topic, j.records, j.codec, { allowSmallUncompressed: true }); // librdkafka
      assertRecords(await kafkajsFetch(kafka.bootstrap, j.topic, N), j.records, { label: `KafkaJS reading confluent ${j.codec}` });
    }
  });

  it('KafkaJS produces (each codec), confluent-kafka consumes', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await broker(t);
    const jobs = await topics(kafka, 'kjs2ck', CODECS);
    for (const j of jobs) {
      await kafkajsProduce(kafka.bootstrap, j.topic, j.records, j.codec);
      await assertStored(kafka.port, j.topic, j.records, j.codec);
    }
    const consumed = await confluentConsume(
      kafka.bootstrap,
      jobs.map((j) => ({ topic: j.topic, count: N })),
    );
    for (const [i, j] of jobs.entries()) assertRecords(consumed[i]!.records, j.records, { label: `confluent reading KafkaJS ${j.codec}` });
  });

  it('@platformatic/kafka produces (each codec), kcat consumes', async (t) => {
    if (!needTool(t, 'kcat')) return;
    const kafka = await broker(t);
    for (const j of await topics(kafka, 'plt2kcat', PLATFORMATIC_CODECS)) {
      await platformaticProduce(kafka.bootstrap, j.topic, j.records, j.codec);
      await assertStored(kafka.port, j.topic, j.records, j.codec);
      assertRecords(await kcatConsume(kafka.bootstrap, j.topic), j.records, { label: `kcat reading platformatic ${j.codec}` });
    }
  });

  it('kafka-python produces (none, gzip), @platformatic/kafka consumes', async (t) => {
    if (!needTool(t, 'kafka-python')) return;
    const kafka = await broker(t);
    const jobs = await topics(kafka, 'kp2plt', ['none', 'gzip']);
    await kafkaPythonProduce(
      kafka.bootstrap,
      jobs.map((j) => ({ topic: j.topic, records: j.records, compression: j.codec as 'none' | 'gzip' })),
    );
    for (const j of jobs) {
      await assertStored(kafka.port, j.topic, j.records, j.codec);
      assertRecords(await platformaticFetch(kafka.bootstrap, j.topic, N), j.records, {
        label: `platformatic reading kafka-python ${j.codec}`,
      });
    }
  });

  // kafka-python 2.0.2 from Debian decodes only none and gzip: the other codecs go to KafkaJS.
  it('kcat produces (each codec), kafka-python (none, gzip) and KafkaJS (others) consume', async (t) => {
    if (!needTool(t, 'kcat') || !needTool(t, 'kafka-python')) return;
    const kafka = await broker(t);
    const jobs = (await topics(kafka, 'kcat2kp', CODECS)).map((j) => ({
      ...j,
      records: j.records.map(
        (r): Rec => ({
          key: r.key,
          value: r.value,
          headers: [
            ['h-client', 'kcat'],
            ['h-codec', j.codec],
          ],
        }),
      ),
    }));
    const stored = new Map<string, number[]>();
    for (const j of jobs) {
      await kcatProduce(kafka.bootstrap, j.topic, j.records, j.codec);
      stored.set(
        j.topic,
        (await assertStored(kafka.port, j.topic, j.records, j.codec, { allowSmallUncompressed: true })).map((s) => s.timestamp),
      );
    }
    const toPython = jobs.filter((j) => j.codec === 'none' || j.codec === 'gzip');
    const consumed = toPython.length
      ? await kafkaPythonConsume(
          kafka.bootstrap,
          toPython.map((j) => ({ topic: j.topic, count: N })),
        )
      : [];
    for (const [i, j] of toPython.entries()) {
      assertRecords(consumed[i]!.records, j.records, { label: `kafka-python reading kcat ${j.codec}`, timestamps: stored.get(j.topic) });
    }
    for (const j of jobs.filter((x) => !toPython.includes(x))) {
      assertRecords(await kafkajsFetch(kafka.bootstrap, j.topic, N), j.records, {
        label: `KafkaJS reading kcat ${j.codec}`,
        timestamps: stored.get(j.topic),
      });
    }
  });

  it('records from our codec (null keys and values) are read by KafkaJS and @platformatic/kafka', async (t) => {
    const kafka = await broker(t);
    for (const j of await topics(kafka, 'ours2js', PLATFORMATIC_CODECS)) {
      const records = j.records.map((r, i) => ({ ...r, key: i % 4 === 0 ? null : r.key, value: i % 7 === 3 ? null : r.value }));
      const batch = await encodeRecordBatch({
        compression: CODEC_TYPE[j.codec],
        records: records.map((r) => ({
          key: r.key,
          value: r.value,
          timestamp: r.timestamp,
          headers: r.headers.map(([key, value]) => ({ key, value })),
        })),
      });
      assert.equal(await produceBatch(kafka.port, j.topic, batch), 0n);
      assertRecords(await kafkajsFetch(kafka.bootstrap, j.topic, N), records, { label: `KafkaJS reading ${j.codec}` });
      assertRecords(await platformaticFetch(kafka.bootstrap, j.topic, N), records, { label: `platformatic reading ${j.codec}` });
    }
  });

  it('KafkaJS sendBatch over 2 topics x 3 partitions (one Produce request), confluent-kafka reads all 6 in one consumer', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await broker(t);
    const names = [uniqueTopic('multi-a'), uniqueTopic('multi-b')];
    for (const n of names) await createTopic(kafka.port, n, 3);
    const expected = new Map<string, Rec[]>();
    for (const topic of names) for (let p = 0; p < 3; p++) expected.set(`${topic}/${p}`, makeRecords(`${topic}-p${p}`, 25 + p * 5));
    const producer = kafkajs(kafka.bootstrap).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.GZIP,
        topicMessages: names.map((topic) => ({
          topic,
          messages: [0, 1, 2].flatMap((partition) =>
            expected.get(`${topic}/${partition}`)!.map((r) => ({
              partition,
              key: r.key,
              value: r.value,
              timestamp: String(r.timestamp),
              headers: Object.fromEntries(r.headers.filter(([k]) => k !== 'h-index')),
            })),
          ),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    // KafkaJS headers are an object per message: drop the repeated key for this test.
    for (const [k, v] of expected)
      expected.set(
        k,
        v.map((r) => ({ ...r, headers: r.headers.filter(([h]) => h !== 'h-index') })),
      );
    const keys = [...expected.keys()];
    const consumed = await confluentConsume(
      kafka.bootstrap,
      keys.map((k) => {
        const [topic, p] = k.split('/');
        return { topic: topic!, partition: Number(p), count: expected.get(k)!.length };
      }),
    );
    for (const [i, k] of keys.entries()) {
      const [topic, p] = k.split('/');
      await assertStored(kafka.port, topic!, expected.get(k)!, 'gzip', { partition: Number(p) });
      assertRecords(consumed[i]!.records, expected.get(k)!, { label: `confluent reading ${k}` });
    }
  });
});
