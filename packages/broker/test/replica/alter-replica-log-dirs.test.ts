// AlterReplicaLogDirs on a broker with two log.dirs, over real sockets: a partition moved to the
// other dir while an idempotent acks=all producer keeps sending and a consumer keeps reading
// (every acknowledged record read exactly once, in order, at its acknowledged offset; the old dir
// ends empty; DescribeLogDirs shows the future replica while it copies), the throttle
// (replica.alter.log.dirs.io.max.bytes.per.second) holding a move back, a move cancelled, and
// Kafka's per-partition error codes.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Kafka, type Consumer } from '@tributary/client';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads records of `topic`-0 from offset 0 into `seen` (offset, value) until closed. */
function collect(consumer: Consumer, topic: string, seen: Array<[bigint, string]>): Promise<void> {
  consumer.assign([{ topic, partition: 0 }]);
  consumer.seek({ topic, partition: 0 }, 0n);
  return consumer.run({ eachRecord: (r) => void seen.push([r.offset, r.value!.toString()]) });
}

/** Entries of a log dir that belong to partition `key` (current, future or being deleted). */
const entriesOf = (dir: string, key: string) => readdirSync(dir).filter((n) => n === key || n.startsWith(`${key}.`));

describe('AlterReplicaLogDirs: moving a replica between two log.dirs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-alter-log-dirs-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  // small copy steps, so the move takes many turns of the event loop while the producer sends
  const b = await startTestBroker({ 'log.dirs': `${dirA},${dirB}`, 'replica.fetch.max.bytes': 2048 }, {}, { keep: true });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.port}` });
  const admin = kafka.admin();
  const logs = b.broker.services.replicas.logs;
  const tm = topicsOf(b.broker);
  const changes: Array<[string, string, string]> = [];
  // the seam for KIP-858: told of every change of a replica's dir (set here after the fact)
  b.broker.services.replicas.alterLogDirs.onReplicaDirChanged = (c) => changes.push([`${c.topic}-${c.partition}`, c.logDir, c.reason]);
  after(async () => {
    await b.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('throttled by replica.alter.log.dirs.io.max.bytes.per.second: the future replica shows in DescribeLogDirs with its lag; moving back cancels the move', async () => {
    await tm.createTopic({ name: 'slow', numPartitions: 1 });
    assert.equal(logs.logDirOf('slow', 0), dirA);
    const producer = kafka.producer({ idempotent: true, acks: 'all' });
    for (let i = 0; i < 20; i++)
      await producer.send({ topic: 'slow', messages: Array.from({ length: 50 }, (_, j) => ({ value: `${i}-${j}-${'y'.repeat(100)}` })) });
    await producer.close();
    const end = logs.getLog('slow', 0)!.logEndOffset;
    assert.equal(end, 1000);
    await admin.alterConfigs(
      { type: 'broker', name: '1' },
      { 'replica.alter.log.dirs.io.max.bytes.per.second': '20000' },
      { incremental: true },
    );
    await waitFor('the throttle to apply', () => b.broker.services.replicas.replicationQuotas.alterLogDirs.upperBound === 20000);
    const [r] = await admin.alterReplicaLogDirs([{ topic: 'slow', partition: 0, brokerId: 1, logDir: dirB }]);
    assert.equal(r!.error, null);
    // ~130 KB at 20 KB/s: the copy runs for seconds
    await waitFor('the copy to begin', () => (logs.getFutureLog('slow', 0)?.logEndOffset ?? 0) > 0);
    // the copy keeps under its rate: measured over 2 s, at most 20% above 20 000 B/s (slower is fine)
    const size0 = logs.getFutureLog('slow', 0)!.size;
    const t0 = Date.now();
    await new Promise((res) => setTimeout(res, 2000));
    const rate = ((logs.getFutureLog('slow', 0)!.size - size0) * 1000) / (Date.now() - t0);
    assert.ok(rate > 0 && rate <= 24_000, `copied at ${Math.round(rate)} B/s`);
    const dirs = await admin.describeLogDirs([1], [{ topic: 'slow', partition: 0 }]);
    const inA = dirs.find((d) => d.path === dirA)!.replicas;
    const inB = dirs.find((d) => d.path === dirB)!.replicas;
    assert.deepEqual(
      inA.map((x) => [x.topic, x.isFuture, x.offsetLag]),
      [['slow', false, 0]],
    );
    assert.equal(inB.length, 1);
    assert.equal(inB[0]!.isFuture, true);
    const future = logs.getFutureLog('slow', 0)!;
    assert.ok(inB[0]!.offsetLag > 0 && inB[0]!.offsetLag < end, `lag ${inB[0]!.offsetLag}`);
    assert.equal(inB[0]!.offsetLag + future.logEndOffset >= end, true);
    assert.equal(entriesOf(dirB, 'slow-0').length, 1);
    assert.match(entriesOf(dirB, 'slow-0')[0]!, /^slow-0\.[0-9a-f]{32}-future$/);
    // moving it back to where it is cancels the move: NONE, the future log deleted
    const [back] = await admin.alterReplicaLogDirs([{ topic: 'slow', partition: 0, brokerId: 1, logDir: dirA }]);
    assert.equal(back!.error, null);
    assert.equal(logs.getFutureLog('slow', 0), undefined);
    assert.equal(logs.logDirOf('slow', 0), dirA);
    await waitFor('the future log to be deleted', () => entriesOf(dirB, 'slow-0').length === 0);
    await admin.alterConfigs(
      { type: 'broker', name: '1' },
      { 'replica.alter.log.dirs.io.max.bytes.per.second': null },
      { incremental: true },
    );
  });

  it('moves a partition while an idempotent acks=all producer sends and a consumer reads: every acknowledged record once, in order, at its offset', async () => {
    await tm.createTopic({ name: 'mv', numPartitions: 1, configs: { 'segment.bytes': '20000' } });
    const from = logs.logDirOf('mv', 0)!;
    const to = from === dirA ? dirB : dirA;
    const producer = kafka.producer({ idempotent: true, acks: 'all', lingerMs: 2 });
    const acked: Array<[bigint, string]> = [];
    let n = 0;
    const sendSome = async (count: number) => {
      const values = Array.from({ length: count }, () => `v${n++}-${'x'.repeat(40)}`);
      const md = await producer.send({ topic: 'mv', messages: values.map((value) => ({ value, partition: 0 })) });
      for (const [i, m] of md.entries()) acked.push([m.offset, values[i]!]);
    };
    for (let i = 0; i < 40; i++) await sendSome(50); // 2000 records before the move
    const seen: Array<[bigint, string]> = [];
    const consumer = kafka.consumer({ maxPartitionFetchBytes: 4096 });
    const reading = collect(consumer, 'mv', seen);
    let sending = true;
    const sender = (async () => {
      while (sending) await sendSome(10);
    })();
    await waitFor('the consumer to start', () => seen.length > 100);
    const [r] = await admin.alterReplicaLogDirs([{ topic: 'mv', partition: 0, brokerId: 1, logDir: to }]);
    assert.equal(r!.error, null);
    await waitFor('the swap', () => logs.logDirOf('mv', 0) === to);
    const swappedAt = acked.length;
    await waitFor('records acknowledged after the swap', () => acked.length > swappedAt + 200);
    sending = false;
    await sender;
    await producer.close();
    await waitFor('the consumer to read everything acknowledged', () => seen.length >= acked.length);
    await new Promise((r) => setTimeout(r, 200)); // anything more would be a duplicate
    await consumer.close();
    await reading;
    assert.ok(acked.length > 2200);
    assert.deepEqual(
      acked.map(([o]) => o),
      acked.map((_, i) => BigInt(i)),
      'acknowledged offsets are 0..n-1',
    );
    assert.equal(seen.length, acked.length, 'nothing read twice, nothing missing');
    assert.deepEqual(seen, acked);
    const log = logs.getLog('mv', 0)!;
    assert.equal(log.dir, join(to, 'mv-0'));
    assert.equal(log.logEndOffset, acked.length);
    assert.equal(logs.getFutureLog('mv', 0), undefined);
    await waitFor('the old log to be deleted', () => entriesOf(from, 'mv-0').length === 0);
    assert.deepEqual(entriesOf(to, 'mv-0'), ['mv-0']);
    assert.deepEqual(
      changes.filter(([k]) => k === 'mv-0'),
      [
        ['mv-0', from, 'created'],
        ['mv-0', to, 'moved'],
      ],
    );
    // DescribeLogDirs: the partition in its new dir only, no future replica left
    const dirs = await admin.describeLogDirs([1], [{ topic: 'mv', partition: 0 }]);
    assert.deepEqual(
      dirs.map((d) => [d.path, d.error, d.replicas.map((x) => [x.topic, x.partition, x.isFuture, x.offsetLag, x.size])]),
      [dirA, dirB].map((d) => [d, null, d === to ? [['mv', 0, false, 0, log.size]] : []]),
    );
  });

  it("answers Kafka's per-partition error codes", async () => {
    const c = await kafkaClient(b.port);
    try {
      const alter = async (dirs: Array<{ path: string; topics: Array<{ name: string; partitions: number[] }> }>, version = 2) =>
        (await c.request(ApiKey.AlterReplicaLogDirs, version, { dirs })).results.flatMap((t) =>
          t.partitions.map((p) => [t.topicName, p.partitionIndex, p.errorCode]),
        );
      await tm.createTopic({ name: 'codes', numPartitions: 1 });
      const here = logs.logDirOf('codes', 0)!;
      assert.deepEqual(
        await alter([
          { path: join(root, 'nope'), topics: [{ name: 'codes', partitions: [0] }] },
          { path: here, topics: [{ name: 'later', partitions: [0] }] },
        ]),
        [
          ['codes', 0, ErrorCode.LOG_DIR_NOT_FOUND],
          ['later', 0, ErrorCode.REPLICA_NOT_AVAILABLE],
        ],
      );
      // the replica already there: NONE and nothing moves (v0 and v1 answer the same)
      assert.deepEqual(await alter([{ path: here, topics: [{ name: 'codes', partitions: [0] }] }], 0), [['codes', 0, ErrorCode.NONE]]);
      assert.equal(logs.getFutureLog('codes', 0), undefined);
      // a partition named under two dirs: the last one wins, answered once
      const other = here === dirA ? dirB : dirA;
      assert.deepEqual(
        await alter(
          [
            { path: join(root, 'nope'), topics: [{ name: 'codes', partitions: [0] }] },
            { path: here, topics: [{ name: 'codes', partitions: [0] }] },
          ],
          1,
        ),
        [['codes', 0, ErrorCode.NONE]],
      );
      // a partition not hosted yet is created in the dir asked for (Kafka's preferred log dir)
      const preferred = logs.nextLogDirs()[1]!; // not where it would go by load
      assert.deepEqual(await alter([{ path: preferred, topics: [{ name: 'pref', partitions: [0] }] }]), [
        ['pref', 0, ErrorCode.REPLICA_NOT_AVAILABLE],
      ]);
      await tm.createTopic({ name: 'pref', numPartitions: 1 });
      assert.equal(logs.logDirOf('pref', 0), preferred);
      assert.ok(changes.some(([k, dir, reason]) => k === 'pref-0' && dir === preferred && reason === 'created'));
      assert.notEqual(other, here);
    } finally {
      c.close();
    }
  });
});
