// Transactions across broker processes (issue 15): a controller and three brokers, a topic of two
// partitions with replication factor 3, __transaction_state of one partition (RF 3) so one broker
// coordinates. librdkafka's transactional producer (confluent-kafka, interop/py/txn_driver.py
// "loop") commits transactions that span both partitions while first the transaction
// coordinator's broker and then a data partition's leader are SIGKILLed and restarted. The
// coordinator writes markers to leaders on other brokers over the network, a new coordinator
// resumes transactions left in PrepareCommit/PrepareAbort, and a read_committed consumer then sees
// every transaction whole or not at all, every acknowledged one whole, each record once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { runPython } from '../interop/harness.ts';
import { needTool } from '../interop/tools.ts';
import { assertWholeTransactions, type ConsumedPartitions } from '../interop/txn-checks.ts';
import { withWire } from '../interop/wire-client.ts';
import { createReplicatedTopic, partitionView, startFaultCluster, waitFor } from './harness.ts';

const PER_TXN = 4;
const SESSION_MS = 2000;

describe('transactions across broker processes', { timeout: 180_000 }, () => {
  it('SIGKILL of the transaction coordinator and of a partition leader: transactions stay whole', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const settings = {
      'broker.session.timeout.ms': SESSION_MS,
      'broker.heartbeat.interval.ms': 300,
      'replica.lag.time.max.ms': 3000,
      'min.insync.replicas': 2,
      'transaction.state.log.num.partitions': 1,
      'transaction.state.log.replication.factor': 3,
    };
    const { cluster, log } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    const topic = 'txn-cluster';
    await createReplicatedTopic(cluster, topic, 2, 3);
    for (const p of [0, 1])
      await waitFor(`the ISR of 3 on ${topic}-${p}`, async () => (await partitionView(cluster, topic, p)).isr.length === 3, 10_000);

    const lso = async (partition: number) => {
      const leader = (await partitionView(cluster, topic, partition)).leader;
      return withWire(cluster.portOf(leader), async (c) => {
        const res = await c.request(ApiKey.Fetch, 11, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1,
          isolationLevel: 1,
          topics: [
            { topic, partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1, logStartOffset: -1n, currentLeaderEpoch: -1 }] },
          ],
        });
        const p = res.responses[0]!.partitions[0]!;
        assert.equal(p.errorCode, ErrorCode.NONE);
        return { lso: Number(p.lastStableOffset), hw: Number(p.highWatermark) };
      });
    };

    const loop = runPython<{ committed: number[]; failed: { txn: number; error: { name: string; fatal: boolean } }[]; attempted: number }>(
      'txn_driver.py',
      {
        op: 'loop',
        bootstrap: cluster.bootstrap,
        topic,
        transactional_id: 'cluster-tx',
        count: 150,
        per_txn: PER_TXN,
        pause_ms: 20,
        timeout_ms: 120_000,
      },
      150_000,
    );

    // 1. The coordinator: the leader of __transaction_state-0.
    await waitFor('transactions before the first kill', async () => (await lso(0)).lso >= 30, 30_000);
    const coordinator = (await partitionView(cluster, '__transaction_state', 0)).leader;
    await cluster.broker(coordinator).kill();
    await waitFor(
      'a new transaction coordinator',
      async () => {
        const v = await partitionView(cluster, '__transaction_state', 0);
        return v.leader >= 0 && v.leader !== coordinator;
      },
      SESSION_MS + 10_000,
    );
    const before = (await lso(0)).lso;
    await waitFor('transactions committing under the new coordinator', async () => (await lso(0)).lso >= before + 15, 30_000);
    await cluster.broker(coordinator).start();

    // 2. A data partition's leader.
    const leader = (await partitionView(cluster, topic, 1)).leader;
    await cluster.broker(leader).kill();
    await waitFor(
      `a new leader of ${topic}-1`,
      async () => {
        const v = await partitionView(cluster, topic, 1);
        return v.leader >= 0 && v.leader !== leader;
      },
      SESSION_MS + 10_000,
    );
    await cluster.broker(leader).start();

    const result = await loop;
    t.diagnostic(`attempted ${result.attempted}, committed ${result.committed.length}, failed ${JSON.stringify(result.failed)}`);
    assert.ok(
      result.failed.every((f) => !f.error.fatal),
      `no fatal error: ${JSON.stringify(result.failed)}\n${log()}`,
    );
    assert.ok(result.committed.length >= 100, `transactions committed (${result.committed.length})`);
    for (const p of [0, 1]) {
      await waitFor(
        `${topic}-${p} to have no open transaction`,
        async () => {
          const o = await lso(p);
          return o.lso === o.hw;
        },
        30_000,
      );
    }
    const consumed = await runPython<ConsumedPartitions>(
      'txn_driver.py',
      { op: 'consume', bootstrap: cluster.bootstrap, topic, partitions: [0, 1], isolation: 'read_committed', timeout_ms: 30_000 },
      60_000,
    );
    const visible = assertWholeTransactions(consumed, result.committed, PER_TXN);
    t.diagnostic(`${visible} transactions visible`);
  });
});
