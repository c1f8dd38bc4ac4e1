// The broker transport against an in-process TCP server: pipelined requests matched by
// correlation id (answered out of order), acks=0 style sends, corked and flushed writes, request timeouts closing the
// connection, server disconnects failing in-flight requests, connection refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { FrameSplitter } from '@tributary/protocol';
import { Transport, type Timers } from '../../src/network/transport.ts';
import { ConnectionError, RequestTimeoutError } from '../../src/network/errors.ts';

/** A server that collects request frames and lets the test answer them. */
async function fakeBroker() {
  const requests: Array<{ correlationId: number; body: Buffer; socket: net.Socket }> = [];
  let waiter: (() => void) | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const d = new FrameSplitter(256 * 1024 * 1024);
    socket.on('data', (chunk) => {
      d.push(chunk);
      for (let f = d.next(); f; f = d.next()) requests.push({ correlationId: f.readInt32BE(0), body: f.subarray(4), socket });
      waiter?.();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    requests,
    async waitFor(n: number) {
      while (requests.length < n) await new Promise<void>((r) => (waiter = r));
    },
    answer(correlationId: number, payload: Buffer) {
      const req = requests.find((q) => q.correlationId === correlationId)!;
      const b = Buffer.alloc(8 + payload.length);
      b.writeInt32BE(4 + payload.length, 0);
      b.writeInt32BE(correlationId, 4);
      payload.copy(b, 8);
      req.socket.write(b);
    },
    dropClients() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Manual timers: nothing fires until the test says so. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    fire(ms: number) {
      for (const [id, t] of [...pending])
        if (t.ms === ms) {
          pending.delete(id);
          t.fn();
        }
    },
  };
}

const frameOf = (correlationId: number, body: string) => {
  const b = Buffer.alloc(8 + body.length);
  b.writeInt32BE(4 + body.length, 0);
  b.writeInt32BE(correlationId, 4);
  b.write(body, 8);
  return b;
};

test('pipelined requests are matched by correlation id, even answered out of order', async () => {
  const broker = await fakeBroker();
  const t = new Transport({ host: '127.0.0.1', port: broker.port });
  try {
    await t.connect();
    assert.equal(t.state, 'ready');
    const p1 = t.send(1, frameOf(1, 'one'));
    const p2 = t.send(2, frameOf(2, 'two'));
    const p3 = t.send(3, frameOf(3, 'three'));
    await broker.waitFor(3);
    assert.deepEqual(
      broker.requests.map((r) => [r.correlationId, r.body.toString()]),
      [
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
      ],
    );
    assert.equal(t.inFlightCount, 3);
    broker.answer(3, Buffer.from('c'));
    broker.answer(1, Buffer.from('a'));
    broker.answer(2, Buffer.from('b'));
    const [r1, r2, r3] = await Promise.all([p1, p2, p3]);
    assert.deepEqual([r1!.subarray(4).toString(), r2!.subarray(4).toString(), r3!.subarray(4).toString()], ['a', 'b', 'c']);
    assert.equal(t.inFlightCount, 0);
    // a request expecting no response resolves once written
    assert.equal(await t.send(4, frameOf(4, 'acks0'), false), null);
    await broker.waitFor(4);
  } finally {
    t.close();
    await broker.close();
  }
});

test('requests wait corked until the next tick; a flushed one leaves at once, with them', async () => {
  const broker = await fakeBroker();
  const t = new Transport({ host: '127.0.0.1', port: broker.port });
  try {
    await t.connect();
    const socket = (t as unknown as { socket: net.Socket }).socket;
    const p1 = t.send(1, frameOf(1, 'corked'));
    assert.equal(socket.writableCorked, 1);
    assert.equal(socket.writableLength, frameOf(1, 'corked').length, 'held back until the next tick');
    const p2 = t.send(2, frameOf(2, 'fetch'), true, undefined, undefined, true);
    assert.equal(socket.writableCorked, 0);
    assert.equal(socket.writableLength, 0, 'both handed to the kernel now');
    await broker.waitFor(2);
    assert.deepEqual(
      broker.requests.map((r) => r.body.toString()),
      ['corked', 'fetch'],
    );
    broker.answer(1, Buffer.from('a'));
    broker.answer(2, Buffer.from('b'));
    await Promise.all([p1, p2]);
  } finally {
    t.close();
    await broker.close();
  }
});

test('a request timeout fails that request and closes the connection, failing the others', async () => {
  const broker = await fakeBroker();
  const mt = manualTimers();
  const t = new Transport({ host: '127.0.0.1', port: broker.port, requestTimeoutMs: 30000, timers: mt.timers });
  try {
    await t.connect();
    const slow = t.send(1, frameOf(1, 'x'));
    const other = t.send(2, frameOf(2, 'y'), true, 60000);
    await broker.waitFor(2);
    mt.fire(30000);
    await assert.rejects(slow, (e: unknown) => e instanceof RequestTimeoutError && e.retriable && e.type === 'REQUEST_TIMED_OUT');
    await assert.rejects(other, (e: unknown) => e instanceof ConnectionError && e.retriable);
    assert.equal(t.state, 'closed');
    await assert.rejects(t.send(3, frameOf(3, 'z')), ConnectionError);
  } finally {
    t.close();
    await broker.close();
  }
});

test('server disconnect fails in-flight requests with a retriable error', async () => {
  const broker = await fakeBroker();
  const t = new Transport({ host: '127.0.0.1', port: broker.port });
  let closedWith: Error | null | undefined;
  t.onClose((e) => (closedWith = e));
  try {
    await t.connect();
    const p = t.send(7, frameOf(7, 'x'));
    await broker.waitFor(1);
    broker.dropClients();
    await assert.rejects(p, (e: unknown) => e instanceof ConnectionError && e.retriable);
    assert.ok(closedWith instanceof ConnectionError);
  } finally {
    t.close();
    await broker.close();
  }
});

test('connection refused rejects connect()', async () => {
  const broker = await fakeBroker();
  const port = broker.port;
  await broker.close();
  const t = new Transport({ host: '127.0.0.1', port });
  await assert.rejects(t.connect(), (e: unknown) => e instanceof ConnectionError && /127\.0\.0\.1/.test((e as Error).message));
  assert.equal(t.state, 'closed');
});
