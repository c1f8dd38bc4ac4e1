// Two callers connecting to one address while its reconnect backoff runs share one connection
// (before: each opened a socket, the first was dropped from the cluster's map and never closed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Cluster } from '../../src/cluster/cluster.ts';
import { startFakeBroker } from '../helpers/fake-broker.ts';
import { closedPort } from '../helpers/closed-port.ts';

test('concurrent connects after a failure share one connection', async () => {
  const fb = await startFakeBroker(() => undefined);
  // a port that is closed at first
  const port = await closedPort();
  const cluster = new Cluster({ bootstrapServers: [`127.0.0.1:${port}`], clientId: 't' } as any);
  await assert.rejects(cluster.connectionToAddress('127.0.0.1', port));
  // now the port answers (a proxy to the fake broker)
  const accepted = new Set<net.Socket>();
  const proxy = net.createServer((s) => {
    accepted.add(s);
    s.on('close', () => accepted.delete(s));
    const up = net.connect(fb.port, '127.0.0.1');
    s.pipe(up);
    up.pipe(s);
    s.on('error', () => up.destroy());
    up.on('error', () => s.destroy());
    s.on('close', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  const [a, b] = await Promise.all([cluster.connectionToAddress('127.0.0.1', port), cluster.connectionToAddress('127.0.0.1', port)]);
  assert.equal(accepted.size, 1);
  await cluster.close();
  await new Promise((r) => setTimeout(r, 100));
  const left = accepted.size;
  for (const s of accepted) s.destroy();
  proxy.close();
  await fb.close();
  assert.equal(a, b);
  assert.equal(left, 0);
});
