// Network layer over real sockets: pipelined requests answered in request order when handlers
// finish out of order, no-response requests, per-connection limits and protocol violations that
// close one connection only, idle timeout, graceful stop.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HandlerRegistry, NO_RESPONSE, type ApiHandler } from '../src/server/handler-registry.ts';
import { apiVersionsHandler } from '../src/handlers/api-versions.ts';
import { connect, requestFrame } from './helpers/wire-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';

// A test-only handler on API key 3 (header v1, response header v0 at version 0). Request body:
// tag int32, mode int8 (0 answer now, 1 answer when the test releases the tag, 2 no response,
// 3 throw, 4 answer now with 256 KiB of padding). Response body: tag int32 (+ padding); a failure
// is answered (errorResponse) with the error code as the tag.
interface TestReq {
  tag: number;
  mode: number;
}
const deferred = new Map<number, (tag: number) => void>();
let handled = 0;
const waitingHandler: ApiHandler<3, TestReq, number> = {
  apiKey: 3,
  name: 'Test',
  minVersion: 0,
  maxVersion: 0,
  codec: {
    decodeRequest: (r) => ({ tag: r.readInt32(), mode: r.readInt8() }),
    encodeResponse: (w, _v, tag) => {
      w.writeInt32(tag);
      if (tag >= 1_000_000) w.writeRaw(Buffer.alloc(256 * 1024));
    },
  },
  handle(ctx, req) {
    handled++;
    if (req.mode === 0) return req.tag;
    if (req.mode === 2) return NO_RESPONSE;
    if (req.mode === 3) throw new Error('handler bug');
    if (req.mode === 4) return 1_000_000 + req.tag;
    return new Promise<number>((resolve) => {
      deferred.set(req.tag, resolve);
      ctx.signal.addEventListener('abort', () => resolve(-req.tag));
    });
  },
  errorResponse: (_req, errorCode) => errorCode,
};

function testRequest(correlationId: number, tag: number, mode: number): Buffer {
  const body = Buffer.alloc(5);
  body.writeInt32BE(tag, 0);
  body.writeInt8(mode, 4);
  return requestFrame(3, 0, correlationId, body);
}

function registry(): HandlerRegistry {
  return new HandlerRegistry().register(apiVersionsHandler).register(waitingHandler);
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/** Correlation id and tag of a Test response frame. */
const decode = (f: Buffer) => [f.readInt32BE(0), f.readInt32BE(4)];

describe('network framing', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  before(async () => {
    kafka = await startTestBroker({ 'socket.request.max.bytes': 1000 }, { registry: registry(), maxInFlightRequestsPerConnection: 4 });
  });
  after(() => kafka.stop());

  it('answers pipelined requests in request order when handlers complete out of order', async () => {
    const c = await connect(kafka.port);
    c.send(Buffer.concat([testRequest(1, 101, 1), testRequest(2, 102, 0), testRequest(3, 103, 1), testRequest(4, 104, 0)]));
    await until(() => deferred.has(101) && deferred.has(103));
    deferred.get(103)!(103);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(c.pending.length, 0, 'nothing is written while the first request is unanswered');
    deferred.get(101)!(101);
    const frames = await c.frames(4);
    assert.deepEqual(frames.map(decode), [
      [1, 101],
      [2, 102],
      [3, 103],
      [4, 104],
    ]);
    deferred.clear();
    c.end();
  });

  it('sends nothing for a request whose handler answers NO_RESPONSE (acks=0)', async () => {
    const c = await connect(kafka.port);
    c.send(Buffer.concat([testRequest(7, 1, 2), testRequest(8, 2, 0), testRequest(9, 3, 2), testRequest(10, 4, 0)]));
    const frames = await c.frames(2);
    assert.deepEqual(frames.map(decode), [
      [8, 2],
      [10, 4],
    ]);
    c.end();
  });

  it('pauses reading at the in-flight request limit and resumes when answered', async () => {
    const c = await connect(kafka.port);
    handled = 0;
    const reqs = [];
    for (let i = 0; i < 6; i++) reqs.push(testRequest(20 + i, 200 + i, 1));
    c.send(Buffer.concat(reqs));
    await until(() => handled === 4);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(handled, 4, 'at most maxInFlightRequestsPerConnection requests are dispatched');
    for (let i = 0; i < 4; i++) deferred.get(200 + i)!(200 + i);
    await until(() => handled === 6);
    deferred.get(204)!(204);
    deferred.get(205)!(205);
    const frames = await c.frames(6);
    assert.deepEqual(
      frames.map((f) => decode(f)[1]),
      [200, 201, 202, 203, 204, 205],
    );
    deferred.clear();
    c.end();
  });

  it('answers every complete request sent before the client half-closes, then closes', async () => {
    const c = await connect(kafka.port);
    const reqs = [];
    for (let i = 0; i < 7; i++) reqs.push(testRequest(30 + i, 300 + i, 0));
    c.send(Buffer.concat([...reqs, testRequest(99, 99, 0).subarray(0, 10)])); // 7 requests (limit 4) + a partial one
    c.end();
    const frames = await c.frames(7);
    assert.deepEqual(
      frames.map((f) => decode(f)[1]),
      [300, 301, 302, 303, 304, 305, 306],
    );
    await c.closed;
  });

  it('closes only the connection that sends a frame over socket.request.max.bytes', async () => {
    const good = await connect(kafka.port);
    const bad = await connect(kafka.port);
    const size = Buffer.alloc(4);
    size.writeInt32BE(1001);
    bad.send(Buffer.concat([size, Buffer.alloc(100)]));
    await bad.closed;
    good.send(testRequest(1, 5, 0));
    assert.deepEqual((await good.frames(1)).map(decode), [[1, 5]]);
    good.end();
  });

  for (const [label, prefix] of [
    ['2 GiB (negative int32)', 0x80000000],
    ['2 GiB - 1', 0x7fffffff],
  ] as const) {
    it(`closes the connection on a ${label} length prefix`, async () => {
      const c = await connect(kafka.port);
      const b = Buffer.alloc(4);
      b.writeUInt32BE(prefix);
      c.send(b);
      await c.closed;
    });
  }

  it('closes on garbage bytes and keeps serving new connections', async () => {
    const http = await connect(kafka.port);
    http.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await http.closed;
    const garbage = await connect(kafka.port);
    garbage.send(Buffer.from([0, 0, 0, 12, 0x7f, 0x7f, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4])); // unknown API key 32639
    await garbage.closed;
    const c = await connect(kafka.port);
    c.send(testRequest(1, 9, 0));
    assert.deepEqual((await c.frames(1)).map(decode), [[1, 9]]);
    c.end();
  });

  it('closes on a malformed header: too short, or a ClientId longer than the frame', async () => {
    const short = await connect(kafka.port);
    short.send(Buffer.from([0, 0, 0, 5, 0, 3, 0, 0, 0]));
    await short.closed;
    const badClientId = await connect(kafka.port);
    const f = testRequest(1, 1, 0);
    f.writeInt16BE(500, 12); // ClientId length
    badClientId.send(f);
    await badClientId.closed;
  });

  it('closes on a version above the handler range', async () => {
    const v = await connect(kafka.port);
    v.send(requestFrame(3, 1, 1, Buffer.alloc(5)));
    await v.closed;
  });

  it('answers a handler that throws with its error response and keeps the connection', async () => {
    const t = await connect(kafka.port);
    t.send(Buffer.concat([testRequest(1, 1, 3), testRequest(2, 2, 0)]));
    assert.deepEqual((await t.frames(2)).map(decode), [
      [1, -1],
      [2, 2],
    ]);
    t.end();
  });

  it('handles a truncated frame followed by the client closing', async () => {
    const c = await connect(kafka.port);
    c.send(testRequest(1, 1, 0).subarray(0, 9));
    c.end();
    await c.closed;
    await until(() => kafka.broker.connectionCount === 0);
    const d = await connect(kafka.port);
    d.send(testRequest(2, 2, 0));
    assert.deepEqual((await d.frames(1)).map(decode), [[2, 2]]);
    d.end();
  });
});

describe('network memory bound', () => {
  it('stops reading while the client does not read its responses, resumes when it does', async () => {
    const kafka = await startTestBroker({}, { registry: registry(), maxInFlightBytesPerConnection: 1024 * 1024 });
    try {
      const c = await connect(kafka.port);
      c.socket.pause();
      handled = 0;
      const reqs = [];
      for (let i = 0; i < 200; i++) reqs.push(testRequest(i, i, 4)); // 200 x 256 KiB = 50 MiB of answers
      c.send(Buffer.concat(reqs));
      await until(() => handled > 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(handled < 200, `reading paused (handled ${handled} of 200 while the client was not reading)`);
      c.socket.resume();
      const frames = await c.frames(200);
      assert.deepEqual(
        frames.map((f) => f.readInt32BE(4) - 1_000_000),
        [...Array(200).keys()],
      );
      assert.equal(handled, 200);
      c.end();
    } finally {
      await kafka.stop();
    }
  });
});

describe('network idle timeout and shutdown', () => {
  it('closes connections idle for connections.max.idle.ms', async () => {
    const kafka = await startTestBroker({ 'connections.max.idle.ms': 150 }, { registry: registry() });
    try {
      const c = await connect(kafka.port);
      c.send(testRequest(1, 1, 0));
      assert.deepEqual((await c.frames(1)).map(decode), [[1, 1]]);
      await c.closed; // closed by the broker, not by us
    } finally {
      await kafka.stop();
    }
  });

  it('stop() answers in-flight requests (handlers see the abort signal) before closing', async () => {
    const kafka = await startTestBroker({}, { registry: registry() });
    const c = await connect(kafka.port);
    c.send(testRequest(1, 77, 1));
    await until(() => deferred.has(77));
    const stopped = kafka.stop();
    const [frame] = await c.frames(1);
    assert.deepEqual(decode(frame!), [1, -77]); // answered early through the abort signal
    await c.closed;
    await stopped;
    deferred.clear();
    await assert.rejects(connect(kafka.port));
  });
});
