// Connection on an in-memory duplex pair (no sockets): responses in request order when the
// processor completes them out of order, no-response slots, CLOSE_CONNECTION, the in-flight
// request limit, and faults (a malformed frame, a processor that throws) that close one
// connection only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLOSE_CONNECTION,
  CloseAfterResponse,
  Connection,
  type ConnectionInfo,
  type ConnectionLimits,
  type FrameProcessor,
  type ResponseFrame,
} from '../../src/server/connection.ts';
import { silentLogger } from '../../src/logger.ts';
import { ANONYMOUS } from '../../src/server/authorizer.ts';
import { duplexPair } from '../helpers/duplex-pair.ts';
import { wireClient, type WireClient } from '../helpers/wire-client.ts';

const LIMITS: ConnectionLimits = { maxFrameBytes: 1000, idleMs: 0, maxInFlightRequests: 100, maxInFlightBytes: 1 << 20 };

let nextId = 1;
function info(): ConnectionInfo {
  return { id: nextId++, remoteAddress: '10.0.0.1', remotePort: 5000, listenerName: 'PLAINTEXT', principal: ANONYMOUS };
}

/** A request frame of the test protocol: size prefix, then an int32 tag. */
function request(tag: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0);
  b.writeInt32BE(tag, 4);
  return b;
}

/** The response frame for a tag: size prefix, then the tag. */
function response(tag: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0);
  b.writeInt32BE(tag, 4);
  return b;
}

const tagOf = (frame: Buffer) => frame.readInt32BE(0);

/**
 * A processor whose answer per tag is chosen by the test: `answers` maps a tag to a response,
 * 'defer' (a promise the test resolves through `deferred`) or 'throw'. Tags not in the map are
 * answered at once with their own tag.
 */
function processor(answers: Map<number, ResponseFrame | 'defer' | 'throw'> = new Map()) {
  const deferred = new Map<number, (r: ResponseFrame) => void>();
  const seen: number[] = [];
  const p: FrameProcessor = {
    process(frame) {
      const tag = frame.readInt32BE(0);
      seen.push(tag);
      const a = answers.has(tag) ? answers.get(tag)! : response(tag);
      if (a === 'throw') throw new Error(`processor fault on ${tag}`);
      if (a === 'defer') return new Promise<ResponseFrame>((resolve) => deferred.set(tag, resolve));
      return a;
    },
  };
  return { p, deferred, seen };
}

function open(p: FrameProcessor, limits: Partial<ConnectionLimits> = {}): { conn: Connection; client: WireClient } {
  const [server, client] = duplexPair();
  const conn = new Connection(server, info(), p, { ...LIMITS, ...limits }, silentLogger);
  return { conn, client: wireClient(client) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Connection', () => {
  it('writes responses in request order when the processor completes them out of order', async () => {
    const { p, deferred } = processor(
      new Map([
        [1, 'defer'],
        [3, 'defer'],
      ]),
    );
    const { conn, client } = open(p);
    client.send(Buffer.concat([request(1), request(2), request(3), request(4)]));
    await tick();
    assert.equal(conn.inFlightRequests, 4);
    deferred.get(3)!(response(3));
    await tick();
    assert.equal(client.pending.length, 0, 'nothing is written while the first request is unanswered');
    deferred.get(1)!(response(1));
    assert.deepEqual((await client.frames(4)).map(tagOf), [1, 2, 3, 4]);
    assert.equal(conn.inFlightRequests, 0);
    client.end();
    await conn.whenClosed();
  });

  it('writes a response given as several buffers as one frame, and skips no-response (null) slots', async () => {
    const split = response(7);
    const { p } = processor(
      new Map<number, ResponseFrame>([
        [5, null],
        [7, [split.subarray(0, 3), split.subarray(3)]],
      ]),
    );
    const { client } = open(p);
    client.send(Buffer.concat([request(5), request(6), request(7)]));
    assert.deepEqual((await client.frames(2)).map(tagOf), [6, 7]);
    client.end();
  });

  it('CLOSE_CONNECTION: writes the responses ahead of it, then ends the connection; later requests get nothing', async () => {
    const { p, deferred } = processor(
      new Map<number, ResponseFrame | 'defer'>([
        [1, 'defer'],
        [2, CLOSE_CONNECTION],
      ]),
    );
    const { conn, client } = open(p);
    client.send(Buffer.concat([request(1), request(2), request(3)]));
    await tick();
    deferred.get(1)!(response(1));
    await client.closed;
    assert.deepEqual(client.pending.map(tagOf), [1]);
    await conn.whenClosed();
    assert.ok(conn.isClosed);
  });

  it('stops dispatching at maxInFlightRequests and resumes as answers are written', async () => {
    const { p, deferred, seen } = processor(
      new Map([
        [1, 'defer'],
        [2, 'defer'],
        [3, 'defer'],
      ]),
    );
    const { client } = open(p, { maxInFlightRequests: 2 });
    client.send(Buffer.concat([request(1), request(2), request(3), request(4)]));
    await tick();
    assert.deepEqual(seen, [1, 2]);
    deferred.get(1)!(response(1));
    await client.frames(1);
    await tick();
    assert.deepEqual(seen, [1, 2, 3]);
    deferred.get(2)!(response(2));
    deferred.get(3)!(response(3));
    assert.deepEqual((await client.frames(3)).map(tagOf), [2, 3, 4]);
    client.end();
  });

  it('answers the complete requests sent before the peer half-closes, then closes', async () => {
    const { p, deferred } = processor(new Map([[1, 'defer']]));
    const { conn, client } = open(p);
    client.send(Buffer.concat([request(1), request(2), request(3).subarray(0, 6)])); // the last one is partial
    client.end();
    await tick();
    deferred.get(1)!(response(1));
    assert.deepEqual((await client.frames(2)).map(tagOf), [1, 2]);
    await conn.whenClosed();
  });

  for (const [label, bytes] of [
    ['a negative size', Buffer.from([0xff, 0xff, 0xff, 0xf0])],
    ['a frame over maxFrameBytes', Buffer.concat([Buffer.from([0, 0, 0x10, 0]), Buffer.alloc(16)])],
  ] as const) {
    it(`closes only the connection that sends ${label}`, async () => {
      const { p } = processor();
      const bad = open(p);
      const good = open(p);
      bad.client.send(bytes);
      await bad.conn.whenClosed();
      await bad.client.closed;
      good.client.send(request(9));
      assert.deepEqual((await good.client.frames(1)).map(tagOf), [9]);
      assert.equal(good.conn.isClosed, false);
      good.client.end();
    });
  }

  it('closes the connection when the processor throws, dropping unanswered requests', async () => {
    const { p } = processor(new Map<number, ResponseFrame | 'throw'>([[2, 'throw']]));
    const { conn, client } = open(p);
    client.send(Buffer.concat([request(1), request(2), request(3)]));
    await conn.whenClosed();
    await client.closed;
    assert.equal(conn.isClosed, true);
  });

  it('closes the connection when the processor rejects', async () => {
    const { p } = processor(new Map<number, ResponseFrame | 'defer'>([[1, 'defer']]));
    const rejecting: FrameProcessor = {
      process: (frame, c, signal) => (tagOf(frame) === 2 ? Promise.reject(new Error('async fault')) : p.process(frame, c, signal)),
    };
    const { conn, client } = open(rejecting);
    client.send(Buffer.concat([request(1), request(2)]));
    await conn.whenClosed();
    await client.closed;
  });

  it('drain(): aborts the signal, answers requests being handled, then closes', async () => {
    let aborted = false;
    const p: FrameProcessor = {
      process: (frame, _c, signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(response(-tagOf(frame)));
          }),
        ),
    };
    const { conn, client } = open(p);
    client.send(request(4));
    await tick();
    const drained = conn.drain();
    assert.deepEqual((await client.frames(1)).map(tagOf), [-4]);
    await drained;
    assert.ok(aborted);
  });
});

describe('CloseAfterResponse', () => {
  it('writes the responses ahead of it and its own frame, then closes; later requests are not processed', async () => {
    const { p, seen } = processor(new Map([[2, new CloseAfterResponse(response(22), 'test')]]));
    const { conn, client } = open(p);
    client.send(Buffer.concat([request(1), request(2), request(3)]));
    const frames = await client.frames(2);
    assert.deepEqual(frames.map(tagOf), [1, 22]);
    await conn.whenClosed();
    await client.closed;
    assert.deepEqual(seen.slice(0, 2), [1, 2]);
    assert.equal(client.pending.length, 0);
  });
});
