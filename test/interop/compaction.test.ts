// Log compaction seen by real clients: librdkafka (confluent-kafka) produces 100 keys x 20 versions
// and tombstones into a compacted topic (created by kafka-python's admin client); once the log
// cleaner ran, kcat and kafka-python see exactly the latest record per key at its original offset,
// Fetch from inside a removed range starts at the next survivor, ListOffsets by time answers as
// Kafka does, the tombstones go after delete.retention.ms, and the partition is smaller on disk.
// `compact,delete` also deletes by time, and a keyless record is refused (INVALID_RECORD).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runOk, runPython, startTestBroker, storedRecords, uniqueTopic, waitFor, type Consumed, type Rec } from './harness.ts';
import { confluentProduce, KAFKA_PYTHON, kafkaPythonConsume, KCAT_TIMEOUT, kcatConsume } from './drivers.ts';
import { needTool } from './tools.ts';
import { createTopic, listOffset } from './wire-client.ts';
import { rmSync } from 'node:fs';
import { Kafka } from '@tributary/client';
import { assertIncreasing, assertSame, keyedVersions, latestPerKey, partitionOnDisk, place, type Placed } from './compaction-checks.ts';

const INVALID_RECORD = 87;

/** Fast cleaning for tests: the cleaner looks for work every 100 ms, retention every 200 ms. */
const SETTINGS = { 'log.cleaner.backoff.ms': 100, 'log.retention.check.interval.ms': 200 };

async function createTopicWithKafkaPython(bootstrap: string, name: string, configs: Record<string, string>): Promise<void> {
  const out = await runPython<{ create: [string, number][] }>(KAFKA_PYTHON, {
    op: 'admin',
    bootstrap,
    topics: [{ name, partitions: 1, configs }],
    steps: ['create'],
  });
  assert.deepEqual(out.create, [[name, 0]]);
}

/**
 * Produces with librdkafka in small batches (every batch fits a small segment), idempotent so that
 * nothing is reordered by a retry or by the move from the bootstrap connection; returns the records at their offsets.
 */
async function produce(bootstrap: string, topic: string, records: Rec[]): Promise<Placed[]> {
  const [res] = await confluentProduce(bootstrap, [
    { topic, records, codec: 'gzip', acks: 'all', config: { 'batch.size': 4000, 'linger.ms': 5, 'enable.idempotence': true } },
  ]);
  assert.equal(res!.unflushed, 0);
  assert.deepEqual(
    res!.reports.filter((r) => r.error !== null),
    [],
    'every record acknowledged',
  );
  return place(
    records,
    res!.reports.map((r) => r.offset),
  );
}

const only = (got: Consumed[], prefix: string) => got.filter((r) => r.key?.startsWith(prefix));

describe('log compaction with real clients', { timeout: 120_000 }, () => {
  it('100 keys x 20 versions and tombstones: one record per key at its offset, tombstones gone after delete.retention.ms', async (t) => {
    if (!needTool(t, 'confluent-kafka') || !needTool(t, 'kafka-python') || !needTool(t, 'kcat')) return;
    const kafka = await startTestBroker({ settings: SETTINGS });
    t.after(() => kafka.stop());
    const topic = uniqueTopic('compacted');
    await createTopicWithKafkaPython(kafka.bootstrap, topic, {
      'cleanup.policy': 'compact',
      'segment.bytes': '16384',
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': '6000',
      // the cleaner waits until everything is produced and measured (then this goes to 0)
      'min.compaction.lag.ms': '3600000',
    });

    const t0 = Date.now() - 60_000;
    const main = keyedVersions('m', 100, 20, t0);
    const tombstones: Rec[] = Array.from({ length: 10 }, (_, k) => ({
      key: `m-k${k * 10}`,
      value: null,
      headers: [],
      timestamp: t0 + main.length + k,
    }));
    // a filler key after them rolls the segments holding everything above: only the filler stays in the active segment
    const filler = keyedVersions('zz', 1, 250, t0 + main.length + tombstones.length, 400);
    const placed = await produce(kafka.bootstrap, topic, [...main, ...tombstones, ...filler]);
    const mainPlaced = placed.slice(0, main.length + tombstones.length);
    const survivors = latestPerKey(mainPlaced);
    assert.equal(survivors.length, 100);
    const before = partitionOnDisk(kafka.dataDir, topic);
    const client = new Kafka({ bootstrapServers: kafka.bootstrap });
    await client.admin().alterConfigs({ type: 'topic', name: topic }, { 'min.compaction.lag.ms': '0' });
    await client.close();

    // the cleaner's first pass: one record per main key (90 values, 10 tombstones)
    const stored = await waitFor(
      'the first compaction',
      async () => {
        const { records } = await storedRecords(kafka.port, topic);
        return only(records, 'm-').length === survivors.length ? records : null;
      },
      30_000,
      100,
    );
    assertSame(only(stored, 'm-'), survivors, 'stored after the first clean');
    assertIncreasing(stored, 'stored');
    const after = partitionOnDisk(kafka.dataDir, topic);
    t.diagnostic(`on disk: ${before.logBytes} bytes in ${before.segments} segments before, ${after.logBytes} in ${after.segments} after`);
    assert.ok(after.logBytes < before.logBytes / 3, `compacted ${after.logBytes} bytes, was ${before.logBytes}`);
    assert.deepEqual(
      after.files.filter((f) => /\.(cleaned|swap|deleted)$/.test(f)),
      [],
      'no leftovers of the swap',
    );

    // kcat (librdkafka) from the beginning: the same records, tombstones as null payloads
    const viaKcat = await kcatConsume(kafka.bootstrap, topic);
    assertSame(only(viaKcat, 'm-'), survivors, 'kcat after the first clean');
    assert.equal(only(viaKcat, 'm-').filter((r) => r.value === null).length, 10, 'tombstones seen by kcat');

    // Fetch from inside a removed range: the next survivor comes first
    const removed = mainPlaced.find((p) => !survivors.includes(p) && p.offset > survivors[0]!.offset)!;
    const next = stored.find((r) => r.offset > removed.offset)!;
    const fromMiddle = await runOk(
      'kcat',
      ['-C', '-b', kafka.bootstrap, '-t', topic, '-p', '0', '-o', String(removed.offset), '-c', '1', '-J', '-q'],
      { timeoutMs: KCAT_TIMEOUT },
    );
    assert.equal((JSON.parse(fromMiddle) as { offset: number }).offset, next.offset, `fetch at removed offset ${removed.offset}`);

    // ListOffsets by timestamp (kafka-python offsets_for_times): the first surviving record at or after the time
    const times = [removed.timestamp!, survivors[5]!.timestamp!, t0 - 1];
    const byTime = await runPython<Record<string, [number, number] | null | number>>(KAFKA_PYTHON, {
      op: 'offsets_for_times',
      bootstrap: kafka.bootstrap,
      topic,
      timestamps: times,
    });
    const firstAtOrAfter = (ts: number) => stored.find((r) => r.timestamp >= ts)!;
    for (const ts of times)
      assert.deepEqual(byTime[String(ts)], [firstAtOrAfter(ts).offset, firstAtOrAfter(ts).timestamp], `offsets_for_times(${ts})`);
    assert.equal(byTime.beginning, 0, 'compaction does not move the log start offset');

    // after delete.retention.ms the tombstones are removed by a later clean, with nothing new to clean
    const withoutTombstones = survivors.filter((p) => p.value !== null);
    await waitFor(
      'the tombstones to be removed',
      async () => only((await storedRecords(kafka.port, topic)).records, 'm-').length === withoutTombstones.length,
      30_000,
      200,
    );
    const final = (await storedRecords(kafka.port, topic)).records;
    const [viaPython] = await kafkaPythonConsume(kafka.bootstrap, [{ topic, count: final.length }]);
    assert.deepEqual(
      viaPython!.records.map((r) => [r.offset, r.key, r.value]),
      final.map((r) => [r.offset, r.key, r.value]),
      'kafka-python sees what is stored',
    );
    assertSame(only(viaPython!.records, 'm-'), withoutTombstones, 'kafka-python after delete.retention.ms');
    const zz = only(viaPython!.records, 'zz-');
    assert.equal(zz.at(-1)!.offset, placed.at(-1)!.offset, 'the last filler record is there');
  });

  it('compact,delete also deletes old segments by time; a keyless record is refused with INVALID_RECORD', async (t) => {
    if (!needTool(t, 'confluent-kafka') || !needTool(t, 'kafka-python')) return;
    const kafka = await startTestBroker({ settings: SETTINGS });
    t.after(() => kafka.stop());
    const topic = uniqueTopic('compact-delete');
    await createTopicWithKafkaPython(kafka.bootstrap, topic, {
      'cleanup.policy': 'compact,delete',
      'segment.bytes': '16384',
      'retention.ms': '600000',
      'min.cleanable.dirty.ratio': '0.01',
    });
    const now = Date.now();
    const old = keyedVersions('old', 50, 4, now - 3_600_000); // an hour old: past retention.ms
    const fresh = keyedVersions('new', 50, 4, now - 1000);
    const filler = keyedVersions('zz', 1, 250, now, 400);
    const placed = await produce(kafka.bootstrap, topic, [...old, ...fresh, ...filler]);
    const freshLatest = latestPerKey(placed.slice(old.length, old.length + fresh.length));

    // retention deletes the segments whose newest record is past retention.ms (the log start offset
    // moves to the first segment left); compaction keeps the latest of every key above it
    const oldPlaced = placed.slice(0, old.length);
    const expected = (logStart: number) => latestPerKey(oldPlaced).filter((p) => p.offset >= logStart);
    const { stored, logStart } = await waitFor(
      'retention and compaction',
      async () => {
        const start = await listOffset(kafka.port, topic, -2n);
        const { records } = await storedRecords(kafka.port, topic, 0, start);
        const done =
          start > 0 && only(records, 'old-').length === expected(start).length && only(records, 'new-').length === freshLatest.length;
        return done ? { stored: records, logStart: start } : null;
      },
      30_000,
      100,
    );
    // (a cleaned segment whose fresh records were all superseded holds only old ones: retention deletes it, as Kafka does)
    assert.ok(logStart <= freshLatest[0]!.offset, `log start ${logStart}: no segment with a latest fresh record was deleted`);
    assertSame(only(stored, 'old-'), expected(logStart), 'old keys above the log start, compacted');
    assertSame(only(stored, 'new-'), freshLatest, 'the fresh keys, compacted');
    const [viaPython] = await kafkaPythonConsume(kafka.bootstrap, [{ topic, count: stored.length }]);
    assertSame(only(viaPython!.records, 'new-'), freshLatest, 'kafka-python');
    assert.equal(viaPython!.records[0]!.offset, stored[0]!.offset, 'kafka-python starts where the log does');
    assert.ok(stored[0]!.offset >= logStart);

    // librdkafka: a record without a key is refused, a keyed one beside it in another run is accepted
    const [keyless, keyed] = await confluentProduce(kafka.bootstrap, [
      { topic, records: [{ key: null, value: 'no key', headers: [] }], codec: 'none', acks: 'all', config: { 'linger.ms': 0 } },
      { topic, records: [{ key: 'k', value: 'with key', headers: [] }], codec: 'none', acks: 'all', config: { 'linger.ms': 0 } },
    ]);
    assert.equal(keyless!.reports[0]!.code, INVALID_RECORD, `keyless: ${keyless!.reports[0]!.error}`);
    assert.equal(keyed!.reports[0]!.error, null);
    assert.equal(
      keyed!.reports[0]!.offset,
      placed.at(-1)!.offset + 1,
      'the keyed record takes the next offset: nothing of the refused one was appended',
    );
  });

  it('__consumer_offsets is compacted: a group committing the same partitions 3,000 times keeps a bounded log and reloads', async (t) => {
    if (!needTool(t, 'kafka-python')) return;
    const settings = { ...SETTINGS, 'offsets.topic.num.partitions': 1, 'offsets.topic.segment.bytes': 16384 };
    let kafka = await startTestBroker({ settings, keepDataDir: true });
    const dataDir = kafka.dataDir;
    t.after(async () => {
      await kafka.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const topic = uniqueTopic('committed');
    await createTopic(kafka.port, topic, 2);
    const commits = 3000;
    const job = { op: 'commit_loop', bootstrap: kafka.bootstrap, group: 'g-compaction', topic, partitions: 2, commits };
    const res = await runPython<{ committed: number[] }>(KAFKA_PYTHON, job, 120_000);
    assert.deepEqual(res.committed, [commits, commits]);
    // each commit appended a batch of two offset records: far more than a few segments uncompacted
    const bound = 4 * 16384;
    const size = await waitFor(
      '__consumer_offsets to be compacted',
      () => {
        const d = partitionOnDisk(dataDir, '__consumer_offsets');
        return d.logBytes <= bound ? d : null;
      },
      30_000,
      100,
    );
    t.diagnostic(`__consumer_offsets-0 after ${commits} commits: ${size.logBytes} bytes in ${size.segments} segments`);

    await kafka.stop();
    kafka = await startTestBroker({ settings, dataDir });
    const reloaded = await runPython<{ committed: number[] }>(KAFKA_PYTHON, { ...job, bootstrap: kafka.bootstrap, commits: 0 });
    assert.deepEqual(reloaded.committed, [commits, commits], 'the committed offsets after a restart');
  });
});
