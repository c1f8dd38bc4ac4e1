// A broker process killed (SIGKILL) in the middle of moving a replica between its two log.dirs
// (AlterReplicaLogDirs, throttled by replica.alter.log.dirs.io.max.bytes.per.second so the copy
// takes seconds): at the restart the `-future` log is found, loaded with what was copied, and the
// move resumes and finishes; every acknowledged record is then read once, in order, at its offset,
// from the new dir, and the old dir holds nothing of the partition.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Kafka, type LogDirDescription } from '@tributary/client';
import { startFaultCluster, waitFor } from './harness.ts';

const THROTTLE = 'replica.alter.log.dirs.io.max.bytes.per.second';

it('a broker killed mid-move loads the future log at restart and the move resumes and completes, losing nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-move-restart-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  const fc = await startFaultCluster(t, {
    brokers: 1,
    combined: true,
    brokerSettings: { 'log.dirs': `${dirA},${dirB}`, 'replica.fetch.max.bytes': 4096 },
    watch: { resumed: /Resuming the move of moving-0/, swapped: /successfully replaced with the future replica for moving-0/ },
  });
  const port = fc.cluster.portOf(1);
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${port}` });
  const admin = kafka.admin();
  await admin.createTopics([{ name: 'moving', partitions: 1, replicationFactor: 1 }]);
  const producer = kafka.producer({ idempotent: true, acks: 'all' });
  const acked: Array<[bigint, string]> = [];
  for (let i = 0; i < 30; i++) {
    const values = Array.from({ length: 100 }, (_, j) => `r${i * 100 + j}-${'z'.repeat(100)}`);
    const md = await producer.send({ topic: 'moving', messages: values.map((value) => ({ value, partition: 0 })) });
    for (const [k, m] of md.entries()) acked.push([m.offset, values[k]!]);
  }
  await producer.close();
  const describe = async (): Promise<LogDirDescription[]> => admin.describeLogDirs([1], [{ topic: 'moving', partition: 0 }]);
  const where = (dirs: LogDirDescription[]) =>
    dirs.flatMap((d) => d.replicas.map((r) => ({ path: d.path, isFuture: r.isFuture, offsetLag: r.offsetLag })));
  const from = where(await describe()).find((r) => !r.isFuture)!.path;
  const to = from === dirA ? dirB : dirA;
  // ~370 KB at 40 KB/s, 4 KiB per step (replica.fetch.max.bytes): the copy takes seconds
  await admin.alterConfigs({ type: 'broker', name: '1' }, { [THROTTLE]: '40000' }, { incremental: true });
  await new Promise((r) => setTimeout(r, 500)); // the broker applies it from the metadata
  const [r] = await admin.alterReplicaLogDirs([{ topic: 'moving', partition: 0, brokerId: 1, logDir: to }]);
  assert.equal(r!.error, null);
  const copying = await waitFor(
    'the copy to be under way',
    async () => {
      const w = where(await describe());
      return w.find((x) => x.isFuture && x.offsetLag > 0 && x.offsetLag < 3000);
    },
    30_000,
  );
  assert.equal(copying.path, to);
  await fc.cluster.broker(1).kill();
  const futures = readdirSync(to).filter((n) => /^moving-0\.[0-9a-f]{32}-future$/.test(n));
  assert.equal(futures.length, 1, `a future log in ${to}: ${readdirSync(to).join(', ')}`);

  await fc.cluster.broker(1).start();
  // the move resumed from what was copied (the throttle, a dynamic config, still holds it back)
  assert.equal(fc.matched('swapped'), 0);
  const resumed = await waitFor('the resumed move', async () => where(await describe()).find((x) => x.isFuture), 30_000);
  assert.equal(resumed.path, to);
  assert.ok(resumed.offsetLag < 3000, `lag ${resumed.offsetLag}: the copied part was kept`);
  await admin.alterConfigs({ type: 'broker', name: '1' }, { [THROTTLE]: null }, { incremental: true });
  await waitFor(
    'the swap',
    async () => {
      const w = where(await describe());
      return w.length === 1 && w[0]!.path === to && !w[0]!.isFuture;
    },
    60_000,
  );
  assert.equal(fc.matched('resumed'), 1, fc.log());
  assert.equal(fc.matched('swapped'), 1);
  await waitFor('the old log to be deleted', () => readdirSync(from).every((n) => !n.startsWith('moving-0')), 10_000);
  assert.deepEqual(
    readdirSync(to).filter((n) => n.startsWith('moving-0')),
    ['moving-0'],
  );

  const consumer = kafka.consumer();
  consumer.assign([{ topic: 'moving', partition: 0 }]);
  consumer.seek({ topic: 'moving', partition: 0 }, 0n);
  const seen: Array<[bigint, string]> = [];
  for await (const rec of consumer) {
    seen.push([rec.offset, rec.value!.toString()]);
    if (seen.length === acked.length) break;
  }
  await consumer.close();
  assert.deepEqual(seen, acked);
  assert.deepEqual(
    acked.map(([o]) => o),
    acked.map((_, i) => BigInt(i)),
  );
  // the partition keeps taking records in its new dir
  const p2 = kafka.producer({ idempotent: true, acks: 'all' });
  const [md] = await p2.send({ topic: 'moving', messages: [{ value: 'after', partition: 0 }] });
  assert.equal(md!.offset, BigInt(acked.length));
  await p2.close();
});
