// The producer's buffer pool: large buffers come back for reuse (same memory, exact view size),
// small ones are plain allocations, foreign buffers are ignored, the pooled total is capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, MIN_POOLED } from '../../src/producer/buffer-pool.ts';

test('a given-back buffer is reused for the next batch of its size class', () => {
  const pool = new BufferPool();
  const a = pool.take(100_000);
  assert.equal(a.length, 100_000);
  assert.equal(a.buffer.byteLength, 131072);
  pool.give(a);
  assert.equal(pool.size, 131072);
  const b = pool.take(70_000); // same class (128 KiB): same memory
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 70_000);
  assert.equal(pool.size, 0);
  const c = pool.take(70_000); // nothing pooled: fresh
  assert.notEqual(c.buffer, a.buffer);
  const d = pool.take(300_000); // another class
  assert.equal(d.buffer.byteLength, 524288);
});

test('small buffers are not pooled; foreign buffers and views are ignored; the total is capped', () => {
  const pool = new BufferPool(300_000);
  const small = pool.take(MIN_POOLED - 1);
  pool.give(small);
  assert.equal(pool.size, 0);
  pool.give(Buffer.alloc(100_000)); // not a power-of-two backing store
  pool.give(Buffer.allocUnsafe(131072).subarray(1, 70_000)); // not at offset 0
  assert.equal(pool.size, 0);
  const a = pool.take(100_000);
  const b = pool.take(100_000);
  const c = pool.take(100_000);
  pool.give(a);
  pool.give(b);
  pool.give(c); // over 300,000 bytes: dropped
  assert.equal(pool.size, 262144);
  const late = pool.take(100_000);
  pool.close();
  assert.equal(pool.size, 0);
  pool.give(late); // a request written after the producer closed: not kept
  assert.equal(pool.size, 0);
});
