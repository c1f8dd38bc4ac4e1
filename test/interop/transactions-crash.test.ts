// Transactions survive a broker crash (issue 15): librdkafka's transactional producer
// (confluent-kafka, py/txn_driver.py "loop") commits transactions spanning two partitions while
// the broker process is SIGKILLed and restarted on the same data directory and port. Afterwards a
// read_committed consumer sees every transaction either whole or not at all, every transaction
// the producer saw committed is whole, no record twice, and nothing is left open (LSO = HW).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { runPython, startBrokerProcess, uniqueTopic, waitFor, type BrokerProcess } from './harness.ts';
import { needTool } from './tools.ts';
import { assertWholeTransactions, type ConsumedPartitions } from './txn-checks.ts';
import { createTopic, withWire } from './wire-client.ts';

const PER_TXN = 4;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function offsets(port: number, topic: string, partition: number): Promise<{ hw: number; lso: number }> {
  return withWire(port, async (c) => {
    const res = await c.request(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1,
      isolationLevel: 1,
      topics: [{ topic, partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1, logStartOffset: -1n, currentLeaderEpoch: -1 }] }],
    });
    const p = res.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NONE);
    return { hw: Number(p.highWatermark), lso: Number(p.lastStableOffset) };
  });
}

describe('transactions across a broker crash', { timeout: 150_000 }, () => {
  it('SIGKILL while librdkafka commits transactions: after restart each is whole or absent', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const dir = mkdtempSync(join(tmpdir(), 'tributary-txn-crash-'));
    const port = await freePort();
    const settings = {
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      'transaction.state.log.num.partitions': 2,
      'num.partitions': 2,
    };
    let broker: BrokerProcess = await startBrokerProcess(dir, settings);
    t.after(async () => {
      await broker.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    const topic = uniqueTopic('txn-crash');
    await createTopic(broker.port, topic, 2);

    const loop = runPython<{ committed: number[]; failed: { txn: number; error: { name: string; fatal: boolean } }[]; attempted: number }>(
      'txn_driver.py',
      {
        op: 'loop',
        bootstrap: `127.0.0.1:${port}`,
        topic,
        transactional_id: `${topic}-tx`,
        count: 120,
        per_txn: PER_TXN,
        pause_ms: 10,
        timeout_ms: 90_000,
      },
      120_000,
    );
    // Let some transactions commit, then kill the broker in the middle of the stream.
    await waitFor('transactions to commit before the kill', async () => (await offsets(port, topic, 0)).lso >= 40, 30_000, 50);
    await broker.kill();
    await new Promise((r) => setTimeout(r, 500));
    broker = await startBrokerProcess(dir, settings);
    const result = await loop;
    t.diagnostic(`attempted ${result.attempted}, committed ${result.committed.length}, failed ${JSON.stringify(result.failed)}`);
    assert.ok(
      result.failed.every((f) => !f.error.fatal),
      `no fatal error: ${JSON.stringify(result.failed)}`,
    );
    assert.ok(result.committed.length > 40, `transactions committed (${result.committed.length})`);

    // Nothing stays open: both partitions' LSO reaches the HW.
    for (const p of [0, 1]) {
      await waitFor(
        `${topic}-${p} to have no open transaction`,
        async () => {
          const o = await offsets(port, topic, p);
          return o.lso === o.hw;
        },
        30_000,
        100,
      );
    }
    const consumed = await runPython<ConsumedPartitions>(
      'txn_driver.py',
      { op: 'consume', bootstrap: `127.0.0.1:${port}`, topic, partitions: [0, 1], isolation: 'read_committed', timeout_ms: 30_000 },
      60_000,
    );
    const visible = assertWholeTransactions(consumed, result.committed, PER_TXN);
    t.diagnostic(`${visible} transactions visible after the restart`);
  });
});
