// Reconnect and retry backoff (Kafka's ExponentialBackoff). Frame splitting is tested in protocol (frame-splitter.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs } from '../../src/network/backoff.ts';

test('backoff: exponential, jittered, capped (Kafka ExponentialBackoff)', () => {
  const mid = { initialMs: 50, maxMs: 1000, random: () => 0.5 }; // factor exactly 1
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 10].map((a) => backoffMs(a, mid)),
    [50, 100, 200, 400, 800, 1000, 1000],
  );
  assert.equal(backoffMs(0, { initialMs: 50, maxMs: 1000, random: () => 0 }), 40); // 1 - 0.2
  assert.equal(backoffMs(1, { initialMs: 50, maxMs: 1000, random: () => 0.999999 }), 119); // just under 1.2
  assert.equal(backoffMs(3, { initialMs: 100, maxMs: 100 }), 100);
});
