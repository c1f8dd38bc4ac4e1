// SIGKILL while the log cleaner works: a broker process (`tributary start`) compacts a topic with
// its cleaner throttled (log.cleaner.io.max.bytes.per.second) so a clean takes seconds; it is
// killed once a `.cleaned` segment is being written, restarted, killed again mid-clean, and
// restarted unthrottled. After every restart every key's latest value is there at its offset,
// exactly once, and the last run ends with exactly one record per key (kcat, librdkafka).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerProcess, storedRecords, uniqueTopic, waitFor, type BrokerProcess, type Consumed } from './harness.ts';
import { confluentProduce, kcatConsume } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic } from './wire-client.ts';
import { Kafka } from '@tributary/client';
import { assertIncreasing, assertSame, keyedVersions, latestPerKey, partitionOnDisk, place, type Placed } from './compaction-checks.ts';

const FAST = { 'log.cleaner.backoff.ms': 100 };
const THROTTLED = { ...FAST, 'log.cleaner.io.max.bytes.per.second': 300_000 };

/** Every key's latest record is stored exactly once at its offset; offsets increase. Returns the main-key records. */
function assertLatestKept(stored: Consumed[], latest: Placed[], label: string): Consumed[] {
  assertIncreasing(stored, label);
  const main = stored.filter((r) => r.key?.startsWith('c-'));
  const byOffset = new Map(main.map((r) => [r.offset, r]));
  for (const p of latest) {
    const r = byOffset.get(p.offset);
    assert.ok(r, `${label}: the latest record of ${p.key} (offset ${p.offset}) is missing`);
    assert.deepEqual([r.key, r.value, r.timestamp], [p.key, p.value, p.timestamp], `${label}: offset ${p.offset}`);
    const newer = main.filter((x) => x.key === p.key && x.offset > p.offset);
    assert.deepEqual(newer, [], `${label}: records of ${p.key} after its latest`);
  }
  return main;
}

describe('log compaction: SIGKILL during cleaning', { timeout: 150_000 }, () => {
  it('a crash at any point of a clean loses no latest value and leaves no duplicate', async (t) => {
    if (!needTool(t, 'confluent-kafka') || !needTool(t, 'kcat')) return;
    const dir = mkdtempSync(join(tmpdir(), 'tributary-compaction-crash-'));
    let broker: BrokerProcess = await startBrokerProcess(dir, THROTTLED);
    t.after(async () => {
      await broker.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    const topic = uniqueTopic('compact-crash');
    // the cleaner is held (min.compaction.lag.ms) until everything is produced, so the first kill finds it mid-clean
    await createTopic(broker.port, topic, 1, {
      'min.compaction.lag.ms': '3600000',
      'cleanup.policy': 'compact',
      'segment.bytes': '65536',
      'min.cleanable.dirty.ratio': '0.01',
    });
    const records = [...keyedVersions('c', 50, 60, Date.now() - 60_000, 400), ...keyedVersions('zz', 1, 200, Date.now() - 1000, 400)];
    const [res] = await confluentProduce(broker.bootstrap, [
      { topic, records, codec: 'none', acks: 'all', config: { 'batch.size': 16000, 'linger.ms': 5, 'enable.idempotence': true } },
    ]);
    assert.deepEqual(
      res!.reports.filter((r) => r.error !== null),
      [],
    );
    const placed = place(
      records,
      res!.reports.map((r) => r.offset),
    );
    const latest = latestPerKey(placed.filter((p) => p.key?.startsWith('c-')));
    assert.equal(latest.length, 50);

    const client = new Kafka({ bootstrapServers: broker.bootstrap });
    await client.admin().alterConfigs({ type: 'topic', name: topic }, { 'min.compaction.lag.ms': '0' });
    await client.close();

    const cleaning = () => partitionOnDisk(dir, topic).files.some((f) => f.endsWith('.cleaned'));
    const mainCount = async () => (await storedRecords(broker.port, topic)).records.filter((r) => r.key?.startsWith('c-')).length;
    // two kills mid-clean: at the first .cleaned file, then 400 ms after the next clean starts writing
    let kills = 0;
    for (const [round, delayMs] of [
      [1, 0],
      [2, 400],
    ] as const) {
      // (should the restarted cleaner already have finished the whole log, there is nothing left to interrupt)
      let polls = 0;
      const state = await waitFor(
        `round ${round}: the cleaner writing a .cleaned segment`,
        async () => (cleaning() ? 'cleaning' : ++polls % 50 === 0 && (await mainCount()) === latest.length ? 'compacted' : null),
        60_000,
        5,
      ).catch((err) => {
        throw new Error(`${err.message}\nbroker output:\n${broker.output().slice(-4000)}`);
      });
      if (state === 'compacted') {
        t.diagnostic(`round ${round}: the cleaner had compacted the whole log before a kill`);
        break;
      }
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const files = partitionOnDisk(dir, topic).files.filter((f) => /\.(cleaned|swap)$/.test(f));
      await broker.kill();
      kills++;
      t.diagnostic(`round ${round}: SIGKILL with ${files.join(', ') || 'no swap files'} on disk`);
      broker = await startBrokerProcess(dir, round === 1 ? THROTTLED : FAST);
      const { records: stored } = await storedRecords(broker.port, topic);
      assertLatestKept(stored, latest, `after SIGKILL ${round}`);
    }
    assert.ok(kills >= 1, 'at least one SIGKILL while a .cleaned segment was being written');

    // unthrottled, the cleaner finishes: exactly one record per key
    await waitFor('the clean to finish', async () => (await mainCount()) === latest.length, 60_000, 100);
    const viaKcat = await kcatConsume(broker.bootstrap, topic);
    assertSame(assertLatestKept(viaKcat, latest, 'kcat at the end'), latest, 'kcat at the end');
    assert.equal(viaKcat.at(-1)!.offset, placed.at(-1)!.offset, 'the last record is there');
  });
});
