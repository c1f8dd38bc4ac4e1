// Durability: a broker running as a child process (`tributary start`) takes acks=all produces
// (from librdkafka via confluent-kafka, and from our codec while the kill happens), is SIGKILLed,
// restarts on the same data directory, and every acknowledged record is there at its offset.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch } from '@tributary/protocol';
import { assertRecords, makeRecords, startBrokerProcess, storedRecords, uniqueTopic, type Rec } from './harness.ts';
import { confluentProduce } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic, produceBatch } from './wire-client.ts';

describe('durability', { timeout: 60_000 }, () => {
  it('every record acknowledged with acks=all survives SIGKILL and restart, at its offset', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-durability-'));
    let broker = await startBrokerProcess(dir);
    t.after(async () => {
      await broker.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    const topic = uniqueTopic('durable');
    await createTopic(broker.port, topic, 1);

    // 1. librdkafka (confluent-kafka), acks=all, gzip: offsets 0..199 acknowledged. Its own subtest,
    // so a missing tool is a visible skip (a failure in CI) and the rest still runs.
    let expected: Rec[] = [];
    await t.test('confluent-kafka acks=all gzip before the kill', async (st) => {
      if (!needTool(st, 'confluent-kafka')) return;
      const records = makeRecords('durable-ck', 200);
      const [res] = await confluentProduce(broker.bootstrap, [{ topic, records, codec: 'gzip', acks: 'all' }]);
      assert.deepEqual(
        res!.reports.map((r) => [r.error, r.offset]),
        records.map((_, i) => [null, i]),
      );
      expected = records;
    });

    // 2. Our codec, acks=all, batches of 10 back to back; the broker is killed while they flow.
    const acked: { base: number; records: Rec[] }[] = [];
    let stop = false;
    const producing = (async () => {
      for (let b = 0; b < 1000 && !stop; b++) {
        const records = makeRecords(`durable-${b}`, 10, { baseTs: 1_700_000_100_000 + b * 10 });
        const batch = await encodeRecordBatch({
          records: records.map((r) => ({
            key: r.key,
            value: r.value,
            timestamp: r.timestamp,
            headers: r.headers.map(([key, value]) => ({ key, value })),
          })),
        });
        try {
          acked.push({ base: Number(await produceBatch(broker.port, topic, batch, 0, -1)), records });
        } catch {
          return; // the broker died mid-request: not acknowledged
        }
      }
    })();
    const deadline = Date.now() + 10_000;
    while (acked.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(acked.length >= 20, `only ${acked.length} batches acknowledged before the kill`);
    await broker.kill();
    stop = true;
    await producing;

    broker = await startBrokerProcess(dir);
    // the restart says what recovery did (Kafka's LogManager and LogLoader lines)
    assert.match(broker.output(), new RegExp(`Recovering \\d+ logs from ${dir} since no clean shutdown file was found`));
    assert.match(broker.output(), new RegExp(`Recovering unflushed segment 0\\. 0/1 recovered for ${topic}-0\\.`));
    assert.match(broker.output(), new RegExp(`Loaded \\d+ logs in \\d+ms \\(unclean log dirs = \\[${dir}\\]\\)`));
    const { records: stored, highWatermark } = await storedRecords(broker.port, topic);
    // Everything from librdkafka at 0..199, then each acknowledged batch at the offset it was given.
    assertRecords(stored.slice(0, expected.length), expected, { label: 'confluent records after restart' });
    let next = expected.length;
    for (const a of acked) {
      assert.equal(a.base, next, 'acknowledged base offsets are contiguous');
      assertRecords(stored.slice(a.base, a.base + 10), a.records, { fromOffset: a.base, label: `batch at ${a.base} after restart` });
      next += 10;
    }
    assert.ok(highWatermark >= next, `high watermark ${highWatermark} covers every acknowledged record (${next})`);
    t.diagnostic(`${acked.length} batches acknowledged before SIGKILL; log end after restart ${highWatermark}`);
  });
});
