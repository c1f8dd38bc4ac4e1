// A full disk, for real: a broker process (`tributary start`) with its second log dir on a 4 MiB
// tmpfs. Filling the tmpfs makes a produce fail with ENOSPC: the partition in that dir goes
// offline (KAFKA_STORAGE_ERROR, leader -1 and an offline replica in Metadata, DescribeLogDirs
// reports the dir), the other dir keeps serving. Deleting the filler file frees space and, without a
// restart, the broker's probe brings the dir back: every acknowledged record is there at its
// offset and the partition takes produces again. The broker's log says each step.
//
// Mounting needs root: the test skips itself otherwise, and fails instead under CI
// (TRIBUTARY_REQUIRE_INTEROP=1, as the interop tools).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { assertRecords, makeRecords, startBrokerProcess, storedRecords, uniqueTopic, type BrokerProcess, type Rec } from './harness.ts';
import { REQUIRE_INTEROP } from './tools.ts';
import { createTopic, withWire } from './wire-client.ts';

const TMPFS_BYTES = 4 << 20;

async function produce(port: number, topic: string, partition: number, records: Rec[]) {
  const batch = await encodeRecordBatch({
    records: records.map((r) => ({
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: r.headers.map(([key, value]) => ({ key, value })),
    })),
  });
  const res = await withWire(port, (c) =>
    c.request(ApiKey.Produce, 7, {
      acks: -1,
      timeoutMs: 5_000,
      transactionalId: null,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
    }),
  );
  const p = res.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) };
}

async function partitionState(port: number, topic: string) {
  const md = await withWire(port, (c) =>
    c.request(ApiKey.Metadata, 12, {
      topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }),
  );
  return md.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId, p.offlineReplicas]);
}

async function logDirs(port: number) {
  const res = await withWire(port, (c) => c.request(ApiKey.DescribeLogDirs, 4, { topics: null }));
  return res.results.map((r) => [r.logDir, r.errorCode]);
}

describe('a full disk heals without a restart', { timeout: 120_000 }, () => {
  it('a log dir on a 4 MiB tmpfs: ENOSPC takes its partition offline, freeing space brings it back, no acknowledged record lost', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-disk-full-'));
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    mkdirSync(dirB);
    const mounted =
      process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', dirB]).status === 0;
    let broker: BrokerProcess | null = null;
    t.after(async () => {
      await broker?.kill();
      if (mounted) spawnSync('umount', [dirB]);
      rmSync(root, { recursive: true, force: true });
    });
    if (!mounted) {
      if (REQUIRE_INTEROP) throw new Error('cannot mount a tmpfs (needs root) and TRIBUTARY_REQUIRE_INTEROP=1');
      t.skip('mounting a tmpfs needs root');
      return;
    }
    broker = await startBrokerProcess(`${dirA},${dirB}`, { 'tributary.log.dir.failure.recovery.interval.ms': 200 });
    const port = broker.port;
    const topic = uniqueTopic('full');
    await createTopic(port, topic, 2); // partition 0 in a, 1 in the tmpfs
    const filler = join(dirB, 'filler');
    writeFileSync(filler, Buffer.alloc(TMPFS_BYTES - (512 << 10), 1)); // leaves about 512 KiB

    // produce 16 KiB batches to the tmpfs partition until the disk is full
    const acked: Array<{ base: number; records: Rec[] }> = [];
    let refused = -1;
    for (let b = 0; b < 100 && refused < 0; b++) {
      const records = makeRecords(`full-${b}`, 4).map((r) => ({ ...r, value: `${r.value}-${'x'.repeat(4000)}` }));
      const r = await produce(port, topic, 1, records);
      if (r.errorCode === 0) acked.push({ base: r.baseOffset, records });
      else refused = r.errorCode;
    }
    assert.equal(refused, ErrorCode.KAFKA_STORAGE_ERROR, 'a produce is refused once the disk is full');
    assert.ok(acked.length >= 10, `${acked.length} batches acknowledged before the disk filled up`);
    assert.deepEqual(await partitionState(port, topic), [
      [0, 1, []],
      [1, -1, [1]],
    ]);
    assert.deepEqual(await logDirs(port), [
      [dirA, 0],
      [dirB, ErrorCode.KAFKA_STORAGE_ERROR],
    ]);
    assert.equal((await produce(port, topic, 0, makeRecords('other-dir', 2))).errorCode, 0, 'the other dir keeps serving');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual((await partitionState(port, topic))[1], [1, -1, [1]], 'still offline while the disk is full');

    rmSync(filler); // space is back
    const deadline = Date.now() + 20_000;
    while ((await partitionState(port, topic))[1]![1] !== 1) {
      assert.ok(Date.now() < deadline, `the dir did not come back:\n${broker.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await logDirs(port), [
      [dirA, 0],
      [dirB, 0],
    ]);
    const { records: stored } = await storedRecords(port, topic, 1);
    let next = 0;
    for (const a of acked) {
      assert.equal(a.base, next, 'acknowledged base offsets are contiguous');
      assertRecords(stored.slice(a.base, a.base + 4), a.records, { fromOffset: a.base, label: `batch at ${a.base} after the disk healed` });
      next += 4;
    }
    const after = await produce(port, topic, 1, makeRecords('after', 3));
    assert.deepEqual([after.errorCode, after.baseOffset], [0, stored.length]);
    const out = broker.output();
    for (const said of [
      new RegExp(`ERROR Stopped serving replicas in dir ${dirB}: ENOSPC`),
      new RegExp(`WARN Log directory ${dirB} passed its health check after failing with ENOSPC`),
      new RegExp(`INFO Log directory ${dirB} is back online with 1 logs`),
      new RegExp(`INFO Resumed serving replicas in dir ${dirB}`),
    ])
      assert.match(out, said);
    t.diagnostic(`${acked.length} batches acknowledged before ENOSPC; ${stored.length} records after healing`);
  });
});
