// The testkit as other people's test suites use it: startBroker/startCluster options (topics, a
// fixed port, group.initial.rebalance.delay.ms 0), the client helpers (createTopic, produce,
// consumeUntil, waitForGroup), restart, and request faults (delay, drop, disconnect).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Kafka } from '@tributary/client';
import { startBroker, startCluster } from '../src/index.ts';

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Sends ApiVersions v0 on a new connection; resolves with 'answered' (and when), or 'closed' when
 * the broker closed the connection without answering, or 'silent' after `waitMs`.
 */
function apiVersions(port: number, waitMs: number): Promise<{ outcome: 'answered' | 'closed' | 'silent'; ms: number; socket: net.Socket }> {
  const started = Date.now();
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff]));
  return new Promise((resolve) => {
    const done = (outcome: 'answered' | 'closed' | 'silent') => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      resolve({ outcome, ms: Date.now() - started, socket });
    };
    const timer = setTimeout(() => done('silent'), waitMs);
    socket.on('data', () => done('answered'));
    socket.on('close', () => done('closed'));
    socket.on('error', () => {});
  });
}

describe('testkit: startBroker options and helpers', () => {
  it('creates the given topics, on a fixed port, with group.initial.rebalance.delay.ms 0', async () => {
    const port = await freePort();
    const kafka = await startBroker({
      port,
      topics: ['plain', { name: 'orders', partitions: 3, configs: { 'cleanup.policy': 'compact', 'retention.ms': 60_000 } }],
    });
    const client = new Kafka({ bootstrapServers: kafka.bootstrap });
    try {
      assert.equal(kafka.port, port);
      assert.equal(kafka.bootstrap, `127.0.0.1:${port}`);
      assert.equal(kafka.broker.config.get('group.initial.rebalance.delay.ms'), 0);
      const admin = client.admin();
      const topics = await admin.describeTopics(['orders', 'plain']);
      assert.deepEqual(
        topics.map((t) => [t.name, t.partitions.length]),
        [
          ['orders', 3],
          ['plain', 1],
        ],
      );
      const configs = await admin.describeConfigs([{ type: 'topic', name: 'orders' }], { overridesOnly: true });
      assert.deepEqual(configs.get('topic:orders'), { 'cleanup.policy': 'compact', 'retention.ms': '60000' });
    } finally {
      await client.close();
      await kafka.stop();
    }
  });

  it('produce and consumeUntil: exact offsets and values; restart keeps the data on the same port', async () => {
    const kafka = await startBroker({ topics: [{ name: 't', partitions: 2 }] });
    try {
      const sent = await kafka.produce('t', [
        { value: 'v0', partition: 0 },
        { key: 'k', value: 'v1', partition: 1 },
        { value: 'v2', partition: 0 },
      ]);
      assert.deepEqual(
        sent.map((m) => [m.partition, m.offset]),
        [
          [0, 0n],
          [1, 0n],
          [0, 1n],
        ],
      );
      const [plain] = await kafka.produce('t', ['v3']); // a string is a value without a key
      assert.equal(plain!.offset, plain!.partition === 0 ? 2n : 1n);
      const port = kafka.port;
      await kafka.restart();
      assert.equal(kafka.port, port);
      const records = await kafka.consumeUntil('t', { count: 4 });
      assert.deepEqual(records.map((r) => r.value?.toString()).sort(), ['v0', 'v1', 'v2', 'v3']);
      const v1 = records.find((r) => r.value?.toString() === 'v1')!;
      assert.deepEqual([v1.partition, v1.offset, v1.key?.toString()], [1, 0n, 'k']);
      const until = await kafka.consumeUntil('t', { until: (rs) => rs.some((r) => r.value?.toString() === 'v1') });
      assert.ok(until.some((r) => r.value?.toString() === 'v1'));
      await assert.rejects(kafka.consumeUntil('t', { count: 5, timeoutMs: 500 }), /4 record\(s\) read in 500 ms/);
    } finally {
      await kafka.stop();
    }
  });

  it('waitForGroup: a group of two members is Stable at once (no initial rebalance delay)', async () => {
    const kafka = await startBroker({ topics: [{ name: 'g', partitions: 2 }] });
    const client = new Kafka({ bootstrapServers: kafka.bootstrap });
    try {
      const a = client.consumer({ groupId: 'billing' });
      const b = client.consumer({ groupId: 'billing' });
      await Promise.all([a.subscribe(['g']), b.subscribe(['g'])]);
      // members join as they poll
      const polls = [a, b].map((c) => c.run({ eachRecord: () => {} }).catch(() => {}));
      const group = await kafka.waitForGroup('billing', { members: 2 });
      assert.equal(group.state, 'Stable');
      assert.equal(group.members.length, 2);
      assert.deepEqual(group.members.flatMap((m) => m.assignment.map((p) => p.partition)).sort(), [0, 1]);
      await assert.rejects(
        kafka.waitForGroup('billing', { members: 3, timeoutMs: 300 }),
        /not Stable with 3 member\(s\) after 300 ms \(last: Stable, 2 member\(s\)\)/,
      );
      await Promise.all([a.close(), b.close()]);
      await Promise.all(polls);
    } finally {
      await client.close();
      await kafka.stop();
    }
  });

  it('faults: delay, drop (held until cleared, then the connection closes), disconnect, times', async () => {
    const kafka = await startBroker();
    try {
      kafka.faults.delay('ApiVersions', 400, { times: 1 });
      const delayed = await apiVersions(kafka.port, 5_000);
      delayed.socket.destroy();
      assert.equal(delayed.outcome, 'answered');
      assert.ok(delayed.ms >= 390, `answered after ${delayed.ms} ms`);
      const next = await apiVersions(kafka.port, 5_000); // times: 1 is spent
      next.socket.destroy();
      assert.equal(next.outcome, 'answered');

      kafka.faults.disconnect('ApiVersions', { times: 1 });
      const cut = await apiVersions(kafka.port, 5_000);
      assert.equal(cut.outcome, 'closed');

      kafka.faults.drop('ApiVersions');
      const dropped = await apiVersions(kafka.port, 300);
      assert.equal(dropped.outcome, 'silent');
      const closed = new Promise((resolve) => dropped.socket.once('close', resolve));
      kafka.faults.clear();
      await closed;
      const after = await apiVersions(kafka.port, 5_000);
      after.socket.destroy();
      assert.equal(after.outcome, 'answered');
    } finally {
      await kafka.stop();
    }
  });

  it('a second broker on the same data dir is refused, naming the .lock file; the dir is free after stop', async () => {
    const kafka = await startBroker({ keepDataDir: true });
    try {
      await assert.rejects(startBroker({ dataDir: kafka.dataDir }), (err: Error) => {
        assert.match(err.message, new RegExp(`Failed to acquire lock on file \\.lock in ${kafka.dataDir}`));
        assert.match(err.message, /is using this directory/);
        return true;
      });
      await kafka.stop();
      const again = await startBroker({ dataDir: kafka.dataDir });
      await again.stop();
    } finally {
      await kafka.stop();
      const { rm } = await import('node:fs/promises');
      await rm(kafka.dataDir, { recursive: true, force: true });
    }
  });
});

describe('testkit: startCluster options', () => {
  it('creates replicated topics, restarts a node, and injects faults per broker', async () => {
    const cluster = await startCluster({ brokers: 2, topics: [{ name: 'r', partitions: 2, replicationFactor: 2 }] });
    try {
      assert.deepEqual(cluster.partition('r', 0).replicas.slice().sort(), [1, 2]);
      const sent = await cluster.produce('r', [{ value: 'x', partition: 0 }]);
      assert.equal(sent[0]!.offset, 0n);
      await cluster.restartNode(2);
      assert.ok(cluster.broker(2));
      const records = await cluster.consumeUntil('r', { count: 1 });
      assert.equal(records[0]!.value?.toString(), 'x');
      cluster.faults(1).disconnect('ApiVersions', { times: 1 });
      const cut = await apiVersions(cluster.nodes[0]!.port, 5_000);
      assert.equal(cut.outcome, 'closed');
      assert.throws(() => cluster.faults(3), /no broker 3/);
    } finally {
      await cluster.stop();
    }
  });
});
