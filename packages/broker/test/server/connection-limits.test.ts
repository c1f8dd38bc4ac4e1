// Connection limits on an in-memory duplex pair: the window of requests in flight (one at a time
// here), at most one Fetch in flight, the broker-wide request memory pool
// (queued.max.request.bytes: a partial frame reserves its size at its prefix, a connection without
// memory is not read until memory is released, waiters in order), and the request-read timeout
// (tributary.request.read.timeout.ms) that closes a connection whose request stays half-sent,
// counted only while the broker reads it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Connection,
  type ConnectionInfo,
  type ConnectionLimits,
  type FrameProcessor,
  type ResponseFrame,
} from '../../src/server/connection.ts';
import { RequestMemoryPool } from '../../src/server/request-memory-pool.ts';
import { silentLogger } from '../../src/logger.ts';
import { ANONYMOUS } from '../../src/server/authorizer.ts';
import { duplexPair } from '../helpers/duplex-pair.ts';
import { wireClient, type WireClient } from '../helpers/wire-client.ts';

const LIMITS: ConnectionLimits = { maxFrameBytes: 1 << 20, idleMs: 0, maxInFlightRequests: 1, maxInFlightBytes: 1 << 20 };

let nextId = 1;
function info(): ConnectionInfo {
  return { id: nextId++, remoteAddress: '10.0.0.2', remotePort: 5000, listenerName: 'PLAINTEXT', principal: ANONYMOUS };
}

/** A request frame: size prefix, an int32 tag, then `pad` bytes. */
function request(tag: number, pad = 0): Buffer {
  const b = Buffer.alloc(8 + pad);
  b.writeInt32BE(4 + pad, 0);
  b.writeInt32BE(tag, 4);
  return b;
}

function response(tag: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0);
  b.writeInt32BE(tag, 4);
  return b;
}

const tagOf = (frame: Buffer) => frame.readInt32BE(0);

/** Every request is answered when the test resolves it (`answer(tag)`); `seen` lists the tags dispatched. */
function deferring() {
  const waiting = new Map<number, (r: ResponseFrame) => void>();
  const seen: number[] = [];
  const p: FrameProcessor = {
    process(frame) {
      const tag = frame.readInt32BE(0);
      seen.push(tag);
      return new Promise<ResponseFrame>((resolve) => waiting.set(tag, resolve));
    },
  };
  return { p, seen, answer: (tag: number) => waiting.get(tag)!(response(tag)) };
}

function open(
  p: FrameProcessor,
  limits: Partial<ConnectionLimits> = {},
  pool?: RequestMemoryPool,
): { conn: Connection; client: WireClient } {
  const [server, client] = duplexPair();
  const conn = new Connection(server, info(), p, { ...LIMITS, ...limits }, silentLogger, pool);
  return { conn, client: wireClient(client) };
}

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RequestMemoryPool', () => {
  it('grants while anything is left (non-strict), refuses once used >= size, wakes waiters in order', () => {
    const pool = new RequestMemoryPool(100);
    assert.equal(pool.tryAllocate(60), true);
    assert.equal(pool.tryAllocate(60), true); // 60 < 100: granted, now over by 20
    assert.equal(pool.used, 120);
    assert.equal(pool.isOutOfMemory, true);
    assert.equal(pool.tryAllocate(1), false);
    assert.equal(pool.tryAllocate(0), true);
    const woken: string[] = [];
    pool.waitForMemory(() => woken.push('a'));
    pool.waitForMemory(() => woken.push('b'));
    pool.release(10); // 110: still out of memory
    assert.deepEqual([...woken], []);
    pool.release(20); // 90: wakes a; a takes nothing, so b too
    assert.deepEqual([...woken], ['a', 'b']);
    assert.equal(pool.waiting, 0);
    const c = () => woken.push('c');
    pool.tryAllocate(50); // 140
    pool.waitForMemory(c);
    pool.cancelWait(c);
    pool.release(140);
    assert.deepEqual([...woken], ['a', 'b']);
    assert.equal(pool.used, 0);
  });

  it('size <= 0 is unbounded', () => {
    const pool = new RequestMemoryPool(-1);
    assert.equal(pool.tryAllocate(2 ** 40), true);
    assert.equal(pool.isOutOfMemory, false);
  });
});

describe('Connection: one request in flight', () => {
  it('dispatches the next request only once the response to the previous one is written', async () => {
    const { p, seen, answer } = deferring();
    const { conn, client } = open(p);
    client.send(Buffer.concat([request(1), request(2), request(3)]));
    await tick();
    assert.deepEqual(seen, [1]);
    assert.equal(conn.inFlightRequests, 1);
    answer(1);
    assert.deepEqual((await client.frames(1)).map(tagOf), [1]);
    await tick();
    assert.deepEqual(seen, [1, 2]);
    answer(2);
    await tick();
    await tick();
    answer(3);
    assert.deepEqual((await client.frames(2)).map(tagOf), [2, 3]);
    client.end();
    await conn.whenClosed();
  });
});

describe('Connection: at most one Fetch in flight (FrameProcessor.oneInFlight)', () => {
  it('handles other requests beside a Fetch; a second Fetch and what follows it wait for the first to be written', async () => {
    const d = deferring();
    const p: FrameProcessor = { ...d.p, oneInFlight: (frame) => frame.readInt32BE(0) >= 100 }; // tags >= 100 play Fetch
    const { conn, client } = open(p, { maxInFlightRequests: 5 });
    client.send(Buffer.concat([request(100), request(1), request(101), request(2)]));
    await tick();
    assert.deepEqual(d.seen, [100, 1], 'request 1 beside the first Fetch; the second Fetch and request 2 wait');
    d.answer(1);
    await tick();
    assert.deepEqual(d.seen, [100, 1]);
    d.answer(100);
    assert.deepEqual((await client.frames(2)).map(tagOf), [100, 1]);
    await tick();
    assert.deepEqual(d.seen, [100, 1, 101, 2]);
    d.answer(2);
    d.answer(101);
    assert.deepEqual((await client.frames(2)).map(tagOf), [101, 2]);
    client.end();
    await conn.whenClosed();
  });
});

describe('Connection: request memory (queued.max.request.bytes)', () => {
  it('reserves a partial frame at its prefix; another connection is not served until the memory comes back', async () => {
    const pool = new RequestMemoryPool(1000);
    const a = deferring();
    const b = deferring();
    const ca = open(a.p, {}, pool);
    const cb = open(b.p, {}, pool);
    const big = request(1, 1200); // 1208 bytes: more than the pool, granted since the pool is empty
    ca.client.send(big.subarray(0, 100));
    await tick();
    assert.equal(pool.used, 1204, 'the whole frame is reserved once its size is known');
    cb.client.send(request(2));
    await tick();
    assert.deepEqual(b.seen, [], 'no memory: the second connection is not read');
    assert.equal(pool.waiting, 1);
    ca.client.send(big.subarray(100));
    await tick();
    assert.deepEqual(a.seen, [1]);
    assert.equal(pool.used, 1204, 'held while the request is handled');
    a.answer(1);
    await tick();
    assert.deepEqual(b.seen, [2], 'served once the first request was answered');
    assert.equal(pool.used, 4);
    b.answer(2);
    assert.deepEqual((await cb.client.frames(1)).map(tagOf), [2]);
    assert.equal(pool.used, 0);
    ca.client.end();
    cb.client.end();
    await Promise.all([ca.conn.whenClosed(), cb.conn.whenClosed()]);
  });

  it('a connection closed with a partial frame, or a request in flight, gives its memory back', async () => {
    const pool = new RequestMemoryPool(1 << 20);
    const a = deferring();
    const ca = open(a.p, {}, pool);
    ca.client.send(Buffer.concat([request(1), request(2, 5000).subarray(0, 50)]));
    await tick();
    assert.deepEqual(a.seen, [1]);
    assert.equal(pool.used, 4, 'one request in flight; the partial one is not read yet');
    ca.conn.close('test');
    assert.equal(pool.used, 0);
    const b = deferring();
    const cb = open(b.p, {}, pool);
    cb.client.send(request(3, 5000).subarray(0, 50));
    await tick();
    assert.equal(pool.used, 5004);
    cb.conn.close('test');
    assert.equal(pool.used, 0);
  });
});

describe('Connection: request-read timeout (tributary.request.read.timeout.ms)', () => {
  it('closes a connection whose request stays half-sent', async () => {
    const { p } = deferring();
    const { conn, client } = open(p, { requestReadTimeoutMs: 50 });
    client.send(request(1, 100).subarray(0, 20));
    await conn.whenClosed();
    await client.closed;
  });

  it('does not count while the broker holds reading back (a request in flight), nor with only whole requests', async () => {
    const { p, seen, answer } = deferring();
    const { conn, client } = open(p, { requestReadTimeoutMs: 50 });
    client.send(Buffer.concat([request(1), request(2, 100).subarray(0, 20)]));
    await sleep(150); // request 1 in flight for 3 timeouts: the half-sent request 2 is not being read
    assert.equal(conn.isClosed, false);
    assert.deepEqual(seen, [1]);
    answer(1);
    await client.frames(1);
    client.send(request(2, 100).subarray(20));
    await sleep(20);
    assert.deepEqual(seen, [1, 2]);
    answer(2);
    await client.frames(1);
    await sleep(150); // idle between whole requests: not a partial request
    assert.equal(conn.isClosed, false);
    client.end();
    await conn.whenClosed();
  });

  it('closes a connection left waiting for request memory', async () => {
    const pool = new RequestMemoryPool(100);
    pool.tryAllocate(100);
    const { p, seen } = deferring();
    const { conn, client } = open(p, { requestReadTimeoutMs: 50 }, pool);
    client.send(request(7));
    await conn.whenClosed();
    assert.deepEqual(seen, []);
    assert.equal(pool.waiting, 0);
    assert.equal(pool.used, 100);
  });
});
