// Reconnect backoff of the cluster, with a fake clock that only moves when the cluster sleeps:
// each failed connect to an address doubles the wait before the next attempt, from
// reconnect.backoff.ms up to reconnect.backoff.max.ms (jitter factor 1 with random 0.5); a broker
// that comes up is connected after the wait, and a success resets the backoff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '@tributary/testkit';
import { Cluster } from '../../src/cluster/cluster.ts';
import { ConnectionError } from '../../src/network/errors.ts';
import { closedPort } from '../helpers/closed-port.ts';

test('reconnect backoff doubles per failure up to the max, and resets after a success', async () => {
  const port = await closedPort();
  let now = 0;
  const sleeps: number[] = [];
  const cluster = new Cluster({
    bootstrapServers: [`127.0.0.1:${port}`],
    clientId: 'reconnect-test',
    reconnectBackoffMs: 50,
    reconnectBackoffMaxMs: 400,
    clock: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  for (let i = 0; i < 6; i++) await assert.rejects(cluster.anyConnection(), ConnectionError);
  assert.deepEqual(sleeps, [50, 100, 200, 400, 400]);

  const broker = await startBroker({ settings: { listeners: `PLAINTEXT://127.0.0.1:${port}` } });
  try {
    const c = await cluster.anyConnection();
    assert.equal(c.broker, `127.0.0.1:${port}`);
    assert.deepEqual(sleeps, [50, 100, 200, 400, 400, 400], 'the last backoff is waited out before connecting');
    await broker.stop();
    // the broker went away: the first failure after a success waits reconnect.backoff.ms again
    await assert.rejects(cluster.anyConnection(), ConnectionError);
    await assert.rejects(cluster.anyConnection(), ConnectionError);
    assert.deepEqual(sleeps.slice(6), [50]);
  } finally {
    await broker.stop();
    await cluster.close();
  }
});
