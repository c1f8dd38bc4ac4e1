// Frame splitting: frames across chunk boundaries, several frames per chunk, bad sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, FrameError } from '../../src/network/frame-decoder.ts';
import { backoffMs } from '../../src/network/backoff.ts';

const frame = (payload: Buffer) => {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeInt32BE(payload.length);
  payload.copy(b, 4);
  return b;
};

test('frames split at every byte boundary come out whole', () => {
  const payloads = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from('x'.repeat(300)), Buffer.from([1, 2, 3])];
  const stream = Buffer.concat(payloads.map(frame));
  for (let step = 1; step <= 7; step++) {
    const d = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += step) out.push(...d.push(stream.subarray(i, i + step)));
    assert.deepEqual(out, payloads, `step ${step}`);
    assert.equal(d.pendingBytes, 0);
  }
  const d = new FrameDecoder();
  assert.deepEqual(d.push(stream), payloads);
});

test('negative or oversized frame sizes are errors', () => {
  assert.throws(() => new FrameDecoder().push(Buffer.from('ffffffff', 'hex')), FrameError);
  assert.throws(() => new FrameDecoder(100).push(Buffer.from('00000065', 'hex')), /invalid frame size 101/);
  assert.deepEqual(new FrameDecoder(100).push(Buffer.from('00000064', 'hex')), []);
});

test('backoff: exponential, jittered, capped (Kafka ExponentialBackoff)', () => {
  const mid = { initialMs: 50, maxMs: 1000, random: () => 0.5 }; // factor exactly 1
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((a) => backoffMs(a, mid)), [50, 100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffMs(0, { initialMs: 50, maxMs: 1000, random: () => 0 }), 40); // 1 - 0.2
  assert.equal(backoffMs(1, { initialMs: 50, maxMs: 1000, random: () => 0.999999 }), 119); // just under 1.2
  assert.equal(backoffMs(3, { initialMs: 100, maxMs: 100 }), 100);
});
