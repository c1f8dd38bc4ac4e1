// BufferPool: size classes, reuse only after release, foreign and double releases ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../src/buffer-pool.ts';

test('buffers are reused only after release, by size class; small and foreign buffers are not pooled', () => {
  const pool = new BufferPool(1 << 22);
  const a = pool.acquire(100_000);
  assert.equal(a.length, 100_000);
  assert.equal(a.buffer.byteLength, 131_072);
  assert.ok(pool.owns(a.subarray(10, 20)));
  const b = pool.acquire(70_000);
  assert.notEqual(b.buffer, a.buffer);
  pool.release(a.subarray(0, 5));
  assert.equal(pool.owns(a), false);
  pool.release(a); // twice: ignored
  const c = pool.acquire(131_072);
  assert.equal(c.buffer, a.buffer);
  const d = pool.acquire(70_000);
  assert.notEqual(d.buffer, a.buffer);
  const small = pool.acquire(1000);
  assert.equal(pool.owns(small), false);
  pool.release(Buffer.alloc(1 << 17));
  assert.notEqual(pool.acquire(1 << 17).buffer, c.buffer);
  // free bytes are capped: releasing past the cap drops the buffer
  const big = [pool.acquire(1 << 21), pool.acquire(1 << 21), pool.acquire(1 << 21)];
  for (const x of big) pool.release(x);
  const again = [pool.acquire(1 << 21), pool.acquire(1 << 21), pool.acquire(1 << 21)].map((x) => x.buffer);
  assert.equal(again.filter((x) => big.some((y) => y.buffer === x)).length, 2);
});
