// kcat (librdkafka 2.0) against an in-process broker: metadata (-L -J), produce with keys and
// headers under each codec (the stored batches carry that codec), consume (-C -J -e) with exact
// count, order, keys, values, headers, timestamps and offsets contiguous from 0; and records
// written by our own codec (null keys and values, repeated headers, set timestamps) read by kcat.
// Runs on both fetch paths: zero-copy (records sent with sendfile) and the copy path.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecordBatch, type CompressionType } from '@tributary/protocol';
import type { TestBroker } from '@tributary/testkit';
import {
  CODECS,
  CODEC_TYPE,
  assertRecords,
  assertStored,
  makeRecords,
  runOk,
  startTestBroker,
  storedRecords,
  uniqueTopic,
  type Rec,
} from './harness.ts';
import { KCAT_TIMEOUT, kcatConsume, kcatProduce } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic, produceBatch } from './wire-client.ts';

async function broker(t: TestContext, zeroCopy: boolean): Promise<TestBroker | null> {
  if (!needTool(t, 'kcat')) return null;
  const kafka = await startTestBroker({ settings: { 'tributary.zero.copy.enable': zeroCopy } });
  t.after(() => kafka.stop());
  return kafka;
}

for (const zeroCopy of [true, false]) {
  describe(`kcat (librdkafka 2.0) (${zeroCopy ? 'zero-copy' : 'copy path'})`, { timeout: 60_000 }, () => {
    it('lists brokers, topics and partitions (-L -J)', async (t) => {
      const kafka = await broker(t, zeroCopy);
      if (!kafka) return;
      const topic = uniqueTopic('kcat-meta');
      await createTopic(kafka.port, topic, 3);
      const md = JSON.parse(await runOk('kcat', ['-L', '-J', '-b', kafka.bootstrap], { timeoutMs: KCAT_TIMEOUT })) as {
        brokers: { id: number; name: string }[];
        topics: {
          topic: string;
          partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
        }[];
      };
      assert.deepEqual(md.brokers, [{ id: 1, name: kafka.bootstrap }]);
      const t0 = md.topics.find((x) => x.topic === topic);
      assert.ok(t0, `topic ${topic} listed`);
      assert.deepEqual(t0.partitions.map((p) => p.partition).sort(), [0, 1, 2]);
      for (const p of t0.partitions) {
        assert.equal(p.leader, 1);
        assert.deepEqual(p.replicas, [{ id: 1 }]);
        assert.deepEqual(p.isrs, [{ id: 1 }]);
      }
    });

    it('auto-creates a topic it produces to (auto.create.topics.enable, num.partitions)', async (t) => {
      if (!needTool(t, 'kcat')) return;
      const kafka = await startTestBroker({ settings: { 'num.partitions': 2 } });
      t.after(() => kafka.stop());
      const topic = uniqueTopic('kcat-auto');
      const records: Rec[] = ['a', 'b', 'c'].map((v) => ({ key: `k-${v}`, value: `v-${v}`, headers: [] }));
      await kcatProduce(kafka.bootstrap, topic, records, 'none', 1);
      const md = JSON.parse(await runOk('kcat', ['-L', '-J', '-b', kafka.bootstrap, '-t', topic], { timeoutMs: KCAT_TIMEOUT })) as {
        topics: { topic: string; error?: string; partitions: { partition: number; leader: number }[] }[];
      };
      assert.deepEqual(
        md.topics.map((x) => [x.topic, x.partitions.map((p) => [p.partition, p.leader])]),
        [
          [
            topic,
            [
              [0, 1],
              [1, 1],
            ],
          ],
        ],
      );
      assertRecords(await kcatConsume(kafka.bootstrap, topic, 1), records, { label: 'auto-created partition 1' });
      assert.deepEqual(await kcatConsume(kafka.bootstrap, topic, 0), []);
    });

    for (const codec of CODECS) {
      it(`produces and consumes with keys and headers, compression ${codec}`, async (t) => {
        const kafka = await broker(t, zeroCopy);
        if (!kafka) return;
        const topic = uniqueTopic(`kcat-${codec}`);
        await createTopic(kafka.port, topic, 1);
        const records = makeRecords(`kcat-${codec}`, 200, { timestamps: false, headers: false }).map((r) => ({
          ...r,
          headers: [
            ['h-client', 'kcat'],
            ['h-codec', codec],
            ['h-client', 'again'],
          ] as [string, string][],
        }));
        await kcatProduce(kafka.bootstrap, topic, records, codec);
        const stored = await assertStored(kafka.port, topic, records, codec, { allowSmallUncompressed: true }); // librdkafka
        const consumed = await kcatConsume(kafka.bootstrap, topic);
        assertRecords(consumed, records, { timestamps: stored.map((s) => s.timestamp), label: 'kcat consumed' });
        const now = Date.now();
        for (const s of stored) assert.ok(Math.abs(s.timestamp - now) < 60_000, `CreateTime ${s.timestamp} is the producer's clock`);
      });
    }

    it('a topic with compression.type=gzip recompresses what kcat sends uncompressed', async (t) => {
      const kafka = await broker(t, zeroCopy);
      if (!kafka) return;
      const topic = uniqueTopic('kcat-recompress');
      await createTopic(kafka.port, topic, 1, { 'compression.type': 'gzip' });
      const records = makeRecords('kcat-recompress', 50, { timestamps: false, headers: false }).map((r) => ({
        ...r,
        headers: [['h', 'x']] as [string, string][],
      }));
      await kcatProduce(kafka.bootstrap, topic, records, 'none');
      const stored = await assertStored(kafka.port, topic, records, 'gzip');
      assertRecords(await kcatConsume(kafka.bootstrap, topic), records, {
        timestamps: stored.map((s) => s.timestamp),
        label: 'kcat reading recompressed',
      });
    });

    it('consumes records written with our codec under each codec: null keys and values, repeated headers, timestamps', async (t) => {
      const kafka = await broker(t, zeroCopy);
      if (!kafka) return;
      for (const codec of CODECS) {
        const topic = uniqueTopic(`kcat-read-${codec}`);
        await createTopic(kafka.port, topic, 1);
        const records: Rec[] = makeRecords(`ours-${codec}`, 30).map((r, i) => ({
          ...r,
          key: i % 5 === 0 ? null : r.key,
          value: i % 9 === 4 ? null : r.value,
        }));
        // Two batches, so offsets continue across batch boundaries.
        for (const part of [records.slice(0, 12), records.slice(12)]) {
          const batch = await encodeRecordBatch({
            compression: CODEC_TYPE[codec] as CompressionType,
            records: part.map((r) => ({
              key: r.key,
              value: r.value,
              timestamp: r.timestamp,
              headers: r.headers.map(([key, value]) => ({ key, value })),
            })),
          });
          await produceBatch(kafka.port, topic, batch);
        }
        const consumed = await kcatConsume(kafka.bootstrap, topic);
        assertRecords(consumed, records, { label: `kcat reading ${codec}` });
        assert.equal((await storedRecords(kafka.port, topic)).highWatermark, records.length);
      }
    });
  });
}
