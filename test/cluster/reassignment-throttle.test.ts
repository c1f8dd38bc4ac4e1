// The replication throttle bounds a move, measured across broker processes: 8 MB on broker 1,
// a reassignment [1] -> [1,2] throttled at 1 MiB/s as kafka-reassign-partitions.sh --throttle sets
// it (leader.replication.throttled.rate / follower.replication.throttled.rate on both brokers,
// leader.replication.throttled.replicas 0:1, follower.replication.throttled.replicas 0:2): the new
// replica's catch-up, from the reassignment to its completion, runs at 1 MiB/s within 20%; the
// same move unthrottled runs faster than that bound. The copy is byte-identical.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecordBatch } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { produceBatch } from '../interop/wire-client.ts';
import { replicaLogBytes, startFaultCluster, waitFor } from './harness.ts';
import { alterReassignment, createAssignedTopic, ongoingReassignment, throttleMove } from './reassign-helpers.ts';

const MiB = 1 << 20;
const SETTINGS = {
  'broker.session.timeout.ms': 2000,
  'broker.heartbeat.interval.ms': 300,
  // 64 KiB per partition fetch: the throttle's granularity
  'replica.fetch.max.bytes': 65536,
};

/** 128 batches of 64 records of 1000 bytes (8.27 MB stored) to `topic`-0 on broker 1. */
async function fill(cluster: LocalCluster, topic: string): Promise<void> {
  for (let b = 0; b < 128; b++) {
    const records = Array.from({ length: 64 }, (_, i) => ({ value: `${b}-${i}-`.padEnd(1000, 'x') }));
    await produceBatch(cluster.portOf(1), topic, await encodeRecordBatch({ records }), 0, -1);
  }
}

/** Reassigns `topic`-0 to [1, 2]; the milliseconds until the reassignment is no longer listed. */
async function move(cluster: LocalCluster, topic: string): Promise<number> {
  const start = Date.now();
  assert.deepEqual(await alterReassignment(cluster, topic, [1, 2]), { errorCode: 0, errorMessage: null });
  await waitFor('the move to complete', async () => (await ongoingReassignment(cluster, topic)) === null, 60_000);
  return Date.now() - start;
}

describe('the replication throttle', { timeout: 180_000 }, () => {
  it('keeps a move of 8 MB at 1 MiB/s within 20%', async (t) => {
    const { cluster, dataDir } = await startFaultCluster(t, { brokers: 2, brokerSettings: SETTINGS, controllerSettings: SETTINGS });
    await createAssignedTopic(cluster, 'fast', [1]);
    await createAssignedTopic(cluster, 'slow', [1]);
    await fill(cluster, 'fast');
    await fill(cluster, 'slow');
    const bytes = replicaLogBytes(dataDir, 1, 'slow').length;
    assert.equal(bytes, 8_273_536, '128 batches of 64 records of 1000 bytes, as stored');

    const unthrottled = move(cluster, 'fast');
    const fastRate = bytes / ((await unthrottled) / 1000);

    await throttleMove(cluster, 'slow', [1], [1, 2], MiB);
    const ms = await move(cluster, 'slow');
    const rate = bytes / (ms / 1000);
    t.diagnostic(`8 MB moved in ${ms} ms: ${(rate / MiB).toFixed(3)} MiB/s throttled, ${(fastRate / MiB).toFixed(1)} MiB/s unthrottled`);
    assert.ok(Math.abs(rate - MiB) <= 0.2 * MiB, `throttled to ${(rate / MiB).toFixed(3)} MiB/s (${ms} ms for ${bytes} bytes)`);
    assert.ok(fastRate > 1.2 * MiB, `unthrottled: ${(fastRate / MiB).toFixed(3)} MiB/s`);
    await waitFor('the copy to match', () => replicaLogBytes(dataDir, 2, 'slow').equals(replicaLogBytes(dataDir, 1, 'slow')), 10_000);
  });
});
