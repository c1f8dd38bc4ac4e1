// Controlled shutdown and consumer groups across broker processes (a controller and three brokers):
//   - SIGTERM to the partition leader is Kafka's controlled shutdown: the controller moves the
//     leadership to another ISR member before the process exits (the broker session timeout here is
//     long, so only the controlled shutdown can explain the move), and confluent-kafka's idempotent
//     acks=all producer sees no failed delivery; the broker restarts and rejoins the ISR;
//   - a KafkaJS consumer group's committed offsets survive the SIGKILL of its coordinator's broker
//     (__consumer_offsets is replicated, RF 3): the group's next member resumes exactly at them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import kafkajsModule from 'kafkajs';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { PYTHON, needTool } from '../interop/tools.ts';
import { withWire } from '../interop/wire-client.ts';
import { createReplicatedTopic, partitionView, startFaultCluster, waitFor } from './harness.ts';

const { Kafka, logLevel } = kafkajsModule;
const PRODUCER = fileURLToPath(new URL('./py/acked_producer.py', import.meta.url));

describe('controlled shutdown and groups across broker processes', { timeout: 120_000 }, () => {
  it('SIGTERM moves leadership before the broker exits; the producer sees no failure', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const settings = { 'broker.session.timeout.ms': 30_000, 'broker.heartbeat.interval.ms': 300, 'min.insync.replicas': 2 };
    const { cluster, log } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'drain', 1, 3);
    const view = await waitFor(
      'the ISR of 3',
      async () => {
        const v = await partitionView(cluster, 'drain');
        return v.isr.length === 3 ? v : undefined;
      },
      10_000,
    );
    const count = 1500;
    const producer = spawn(PYTHON, [PRODUCER, cluster.bootstrap, 'drain', String(count), '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => producer.kill('SIGKILL'));
    let out = '';
    producer.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => producer.once('exit', (code) => resolve(code)));
    await waitFor('the first acknowledgements', () => (out.match(/^ACK /gm)?.length ?? 0) >= 200, 20_000);

    const t0 = Date.now();
    await cluster.broker(view.leader).stop(); // SIGTERM, then the process exits
    const exitedAfter = Date.now() - t0;
    const moved = await partitionView(cluster, 'drain');
    assert.notEqual(moved.leader, view.leader, `leadership moved before the exit (${exitedAfter} ms)\n${log()}`);
    assert.ok(moved.leader > 0 && view.isr.includes(moved.leader));
    assert.ok(!moved.isr.includes(view.leader));
    await cluster.broker(view.leader).start();
    await waitFor('the ISR of 3 again', async () => (await partitionView(cluster, 'drain')).isr.length === 3, 15_000);

    assert.equal(await exited, 0);
    assert.match(out, /^DONE 0$/m);
    assert.deepEqual(out.match(/^ERR .*/gm) ?? [], [], 'no failed delivery');
    const offsets = [...out.matchAll(/^ACK (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(offsets.length, count);
    for (const [i, offset] of offsets) assert.equal(offset, i, `v${i} acknowledged at ${offset}`);
  });

  it("a consumer group's committed offsets survive the loss of its coordinator's broker", async (t) => {
    const settings = { 'broker.session.timeout.ms': 2000, 'broker.heartbeat.interval.ms': 300 };
    const { cluster } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'orders', 1, 3);
    const kafka = new Kafka({ clientId: 'cluster-groups', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ value: `o${i}` })) });
    await producer.disconnect();

    const consumeUpTo = async (limit: number) => {
      const seen: number[] = [];
      const consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ message, partition }) => {
              const offset = Number(message.offset);
              if (offset >= limit) return;
              seen.push(offset);
              await consumer.commitOffsets([{ topic: 'orders', partition, offset: String(offset + 1) }]);
              if (offset === limit - 1) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return seen;
    };
    const first = await consumeUpTo(40);
    assert.deepEqual(
      first,
      Array.from({ length: 40 }, (_, i) => i),
    );

    const coordinator = await withWire(cluster.portOf(1), (c) => c.request(ApiKey.FindCoordinator, 3, { key: 'billing', keyType: 0 }));
    assert.equal(coordinator.errorCode, ErrorCode.NONE);
    await cluster.broker(coordinator.nodeId).kill();
    const other = cluster.brokerIds.find((id) => id !== coordinator.nodeId)!;
    const moved = await waitFor(
      'a new coordinator',
      async () => {
        const r = await withWire(cluster.portOf(other), (c) => c.request(ApiKey.FindCoordinator, 3, { key: 'billing', keyType: 0 }));
        return r.errorCode === ErrorCode.NONE && r.nodeId !== coordinator.nodeId ? r.nodeId : undefined;
      },
      15_000,
    );
    assert.notEqual(moved, coordinator.nodeId);
    const fetched = await waitFor(
      'the committed offset from the new coordinator',
      async () => {
        const r = await withWire(cluster.portOf(moved), (c) =>
          c.request(ApiKey.OffsetFetch, 7, {
            groupId: 'billing',
            topics: [{ name: 'orders', partitionIndexes: [0] }],
            requireStable: false,
          }),
        );
        return r.errorCode === ErrorCode.NONE ? r.topics[0]!.partitions[0]! : undefined;
      },
      15_000,
    );
    assert.deepEqual([fetched.errorCode, fetched.committedOffset], [ErrorCode.NONE, 40n]);
    const second = await consumeUpTo(100);
    assert.deepEqual(
      second,
      Array.from({ length: 60 }, (_, i) => 40 + i),
      'resumed exactly at the committed offset',
    );
  });
});
