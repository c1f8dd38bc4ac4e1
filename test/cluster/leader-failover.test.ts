// Leader failover under load, black-box: a controller and three broker processes on 127.0.0.1, a
// topic with replication.factor 3 and min.insync.replicas 2, and confluent-kafka (librdkafka) as an
// idempotent acks=all producer. FAILOVER_CYCLES times (default 10) the partition's leader is
// SIGKILLed, the controller fences it after broker.session.timeout.ms and elects an ISR member,
// and the killed broker is restarted and catches up. Afterwards every acknowledged record must be
// read back exactly once, at the offset it was acknowledged with, in the order sent, with no
// delivery failure (read back with our wire client and with kafka-python); leader epochs only
// grow; and every replica's log is byte-identical to the leader's once they have caught up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPython } from '../interop/harness.ts';
import { PYTHON, REQUIRE_INTEROP, hasTool, needTool } from '../interop/tools.ts';
import { readPartition } from '../interop/wire-client.ts';
import { createReplicatedTopic, partitionView, replicaLogBytes, startFaultCluster, waitFor } from './harness.ts';

const CYCLES = Number(process.env.FAILOVER_CYCLES ?? 10);
const RATE = 100;
const SESSION_MS = 2000;
const PRODUCER = fileURLToPath(new URL('./py/acked_producer.py', import.meta.url));

describe('leader SIGKILL and restart under an idempotent acks=all producer', { timeout: 60_000 + CYCLES * 20_000 }, () => {
  it(`${CYCLES} cycles: every acknowledged record exactly once at its offset; replicas byte-identical`, async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const settings = {
      'broker.session.timeout.ms': SESSION_MS,
      'broker.heartbeat.interval.ms': 300,
      'replica.lag.time.max.ms': 3000,
      'min.insync.replicas': 2,
    };
    const { cluster, dataDir, log } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'failover', 1, 3);
    await waitFor('the ISR of 3', async () => (await partitionView(cluster, 'failover')).isr.length === 3, 10_000);

    const count = RATE * 6 * CYCLES + 500;
    const producer = spawn(PYTHON, [PRODUCER, cluster.bootstrap, 'failover', String(count), String(RATE)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<number, bigint>();
    const failed: string[] = [];
    let stderr = '';
    let pending = '';
    const done = new Promise<number>((resolve, reject) => {
      producer.stdout.on('data', (d: Buffer) => {
        pending += d;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          const [kind, a, b] = line.split(' ');
          if (kind === 'ACK') acked.set(Number(a), BigInt(b!));
          else if (kind === 'ERR') failed.push(line);
          else if (kind === 'DONE') resolve(Number(a));
        }
      });
      producer.stderr.on('data', (d) => (stderr += d));
      producer.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`producer exited ${code}: ${stderr}`))));
    });
    t.after(() => producer.kill('SIGKILL'));

    const epochs: number[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const before = acked.size;
      await waitFor('acknowledgements', () => acked.size >= before + RATE / 2, 20_000);
      const view = await partitionView(cluster, 'failover');
      epochs.push(view.leaderEpoch);
      const victim = view.leader;
      await cluster.broker(victim).kill();
      const next = await waitFor(
        `a new leader after killing ${victim}`,
        async () => {
          const v = await partitionView(cluster, 'failover');
          return v.leader !== victim && v.leader >= 0 ? v : undefined;
        },
        SESSION_MS + 10_000,
      );
      assert.ok(next.leaderEpoch > view.leaderEpoch, `epoch ${next.leaderEpoch} after ${view.leaderEpoch}`);
      assert.ok(!next.isr.includes(victim), `the killed broker ${victim} left the ISR ${next.isr}`);
      await cluster.broker(victim).start();
      await waitFor(`broker ${victim} back in the ISR`, async () => (await partitionView(cluster, 'failover')).isr.length === 3, 20_000);
    }
    const unflushed = await done;
    assert.equal(unflushed, 0);
    assert.deepEqual(failed, [], 'no delivery failed');
    assert.equal(acked.size, count);
    assert.deepEqual(
      epochs,
      [...epochs].sort((a, b) => a - b),
      'leader epochs only grow',
    );

    // read everything back from the leader once the ISR is whole
    const view = await waitFor(
      'a whole ISR',
      async () => {
        const v = await partitionView(cluster, 'failover');
        return v.isr.length === 3 ? v : undefined;
      },
      20_000,
    );
    const { batches, highWatermark } = await readPartition(cluster.portOf(view.leader), 'failover');
    const values: string[] = [];
    const offsets: bigint[] = [];
    for (const b of batches) {
      for (const r of b.records) {
        values.push(Buffer.from(r.value!).toString());
        offsets.push(BigInt(r.offset));
      }
    }
    assert.equal(BigInt(values.length), highWatermark, 'offsets 0..HW-1, no gap');
    assert.deepEqual(
      offsets,
      values.map((_, i) => BigInt(i)),
    );
    assert.equal(new Set(values).size, values.length, 'no value twice');
    for (const [i, offset] of acked) assert.equal(values[Number(offset)], `v${i}`, `acknowledged v${i} at ${offset}\n${log()}`);
    assert.deepEqual(
      values,
      Array.from({ length: values.length }, (_, i) => `v${i}`),
      'in the order sent',
    );
    // and kafka-python, a third-party consumer, reads the same records at the same offsets
    if (hasTool('kafka-python') || REQUIRE_INTEROP) {
      const read = await runPython<{ partitions: Array<{ records: Array<{ offset: number; value: string }>; extra: number }> }>(
        'kafka_python_driver.py',
        {
          op: 'consume',
          bootstrap: cluster.bootstrap,
          partitions: [{ topic: 'failover', partition: 0, count: values.length }],
          timeout_ms: 60_000,
        },
        90_000,
      );
      const got = read.partitions[0]!;
      assert.deepEqual(
        got.records.map((r) => [r.offset, r.value]),
        values.map((v, i) => [i, v]),
        'kafka-python reads every record at its offset',
      );
      assert.equal(got.extra, 0);
    }

    // log matching: once the followers have caught up, every replica holds the leader's bytes
    const leaderBytes = () => replicaLogBytes(dataDir, view.leader, 'failover');
    for (const id of cluster.brokerIds.filter((x) => x !== view.leader)) {
      await waitFor(
        `broker ${id}'s log to match the leader's`,
        () => replicaLogBytes(dataDir, id, 'failover').equals(leaderBytes()),
        10_000,
      );
    }
  });
});
