// The frame splitter shared by broker and client: partial frames, several frames per chunk, frames
// across chunks at every boundary, zero-copy subarrays (also across ranges of one buffer pushed one
// behind the other), the assemble strategy, moveBuffered, and negative or oversized sizes (FrameError).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameError, FrameSplitter } from '../src/index.ts';

const frame = (payload: Buffer) => {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeInt32BE(payload.length);
  payload.copy(b, 4);
  return b;
};

/** A payload whose every byte depends on its frame and position. */
const payload = (n: number, seed: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
};

const drain = (s: FrameSplitter): Buffer[] => {
  const out: Buffer[] = [];
  for (let f = s.next(); f !== null; f = s.next()) out.push(f);
  return out;
};

/** A copy in memory of its own (as socket 'data' events give chunks), never next to another chunk. */
const separate = (b: Buffer) => {
  const c = Buffer.allocUnsafeSlow(b.length);
  b.copy(c);
  return c;
};

test('a partial frame waits for the rest: prefix split, payload split', () => {
  const s = new FrameSplitter(1024);
  const f = frame(Buffer.from('hello'));
  s.push(separate(f.subarray(0, 2)));
  assert.equal(s.next(), null);
  assert.equal(s.pendingFrameSize, -1, 'the size prefix is incomplete');
  assert.equal(s.bufferedBytes, 2);
  s.push(separate(f.subarray(2, 6)));
  assert.equal(s.next(), null);
  assert.equal(s.pendingFrameSize, 5);
  assert.equal(s.bufferedBytes, 2, 'the prefix is consumed; two payload bytes held');
  s.push(separate(f.subarray(6)));
  assert.deepEqual(s.next(), Buffer.from('hello'));
  assert.equal(s.next(), null);
  assert.equal(s.bufferedBytes, 0);
  assert.equal(s.pendingFrameSize, -1);
});

test('several frames in one chunk come out as zero-copy subarrays of it', () => {
  const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('bcd'), payload(1000, 1)];
  const chunk = Buffer.concat(payloads.map(frame));
  const s = new FrameSplitter(4096);
  s.push(chunk);
  const out = drain(s);
  assert.deepEqual(out, payloads);
  for (const f of out) if (f.length > 0) assert.equal(f.buffer, chunk.buffer, 'a view of the chunk');
  assert.equal(s.bufferedBytes, 0);
});

test('frames split at every byte boundary come out whole', () => {
  const payloads = [Buffer.from('hello'), Buffer.alloc(0), payload(300, 2), Buffer.from([1, 2, 3]), payload(70_000, 3)];
  const stream = Buffer.concat(payloads.map(frame));
  for (const step of [1, 2, 3, 4, 5, 7, 64, 4096, 65_536]) {
    const s = new FrameSplitter(1 << 20);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += step) {
      s.push(separate(stream.subarray(i, i + step)));
      out.push(...drain(s));
    }
    assert.equal(out.length, payloads.length, `step ${step}`);
    for (let i = 0; i < payloads.length; i++) assert.ok(out[i]!.equals(payloads[i]!), `step ${step}: frame ${i}`);
    assert.equal(s.bufferedBytes, 0);
  }
});

test('random chunking matches the payloads; frames handed out stay intact', () => {
  let seed = 42;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const payloads = Array.from({ length: 200 }, (_, i) => payload(rand(5) === 0 ? rand(100_000) : rand(200), i));
  const copies = payloads.map((p) => Buffer.from(p));
  const stream = Buffer.concat(payloads.map(frame));
  const s = new FrameSplitter(1 << 20);
  const out: Buffer[] = [];
  for (let pos = 0; pos < stream.length; ) {
    const n = 1 + rand(20_000);
    s.push(separate(stream.subarray(pos, pos + n)));
    pos += n;
    out.push(...drain(s));
  }
  assert.equal(out.length, copies.length);
  for (let i = 0; i < copies.length; i++) assert.ok(out[i]!.equals(copies[i]!), `frame ${i}`);
});

test('many queued ranges: drained all at once, or interleaved with pushes', () => {
  const payloads = Array.from({ length: 50 }, (_, i) => payload(30 + (i % 7), i));
  const stream = Buffer.concat(payloads.map(frame));
  const s = new FrameSplitter(1024);
  for (let i = 0; i < stream.length; i++) s.push(separate(stream.subarray(i, i + 1)));
  assert.equal(s.bufferedBytes, stream.length);
  assert.deepEqual(drain(s), payloads);
  assert.equal(s.bufferedBytes, 0);
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 1) {
    s.push(separate(stream.subarray(i, i + 1)));
    if (i % 97 === 0) out.push(...drain(s));
  }
  out.push(...drain(s));
  assert.deepEqual(out, payloads);
});

test('assemble supplies the memory for a frame spread over separate chunks, and only then', () => {
  const asked: number[] = [];
  const s = new FrameSplitter(1 << 20, {
    assemble: (n) => {
      asked.push(n);
      return Buffer.alloc(n);
    },
  });
  const a = frame(payload(100, 1));
  const b = frame(payload(200, 2));
  s.push(separate(Buffer.concat([a, b.subarray(0, 50)])));
  assert.ok(s.next()!.equals(payload(100, 1)));
  assert.equal(s.next(), null);
  s.push(separate(b.subarray(50)));
  assert.ok(s.next()!.equals(payload(200, 2)));
  assert.deepEqual(asked, [200], 'the frame inside one chunk needed no memory; the split one did');
  // a size prefix split over chunks is not assembled through the strategy
  s.push(separate(a.subarray(0, 3)));
  s.push(separate(a.subarray(3)));
  assert.ok(s.next()!.equals(payload(100, 1)));
  assert.deepEqual(asked, [200]);
});

test('ranges that continue each other in one buffer join: a frame across them is not copied', () => {
  const memory = Buffer.alloc(4096);
  const f = frame(payload(1000, 5));
  f.copy(memory);
  const s = new FrameSplitter(4096, { assemble: () => assert.fail('no copy expected') });
  s.pushRange(memory, 0, 10);
  s.pushRange(memory, 10, 600);
  assert.equal(s.next(), null);
  s.pushRange(memory, 600, f.length);
  const got = s.next()!;
  assert.ok(got.equals(payload(1000, 5)));
  assert.equal(got.buffer, memory.buffer);
  assert.equal(got.byteOffset, memory.byteOffset + 4);
  // views of adjacent memory pushed as separate chunks are separate ranges: copied once
  const t = new FrameSplitter(4096);
  t.push(memory.subarray(0, 10));
  t.push(memory.subarray(10, f.length));
  assert.ok(t.next()!.equals(payload(1000, 5)));
});

test('moveBuffered moves a partial frame to new memory; ranges pushed right behind it join it', () => {
  const f = frame(payload(5000, 6));
  const s = new FrameSplitter(1 << 20);
  s.push(separate(f.subarray(0, 1000)));
  assert.equal(s.next(), null);
  const own = Buffer.allocUnsafe(5000);
  assert.equal(s.moveBuffered(own), 996);
  assert.equal(s.bufferedBytes, 996);
  f.copy(own, 996, 1000);
  s.pushRange(own, 996, 3000);
  assert.equal(s.next(), null);
  s.pushRange(own, 3000, 5000);
  const got = s.next()!;
  assert.ok(got.equals(payload(5000, 6)));
  assert.equal(got, own, 'the frame is the buffer it was moved to');
  assert.equal(new FrameSplitter(10).moveBuffered(Buffer.alloc(0)), 0, 'nothing held, nothing moved');
  assert.throws(() => {
    const t = new FrameSplitter(100);
    t.push(Buffer.from('0000'));
    t.moveBuffered(Buffer.alloc(2));
  }, RangeError);
});

test('negative or oversized frame sizes are FrameErrors', () => {
  const sized = (max: number, hex: string, limitName?: string) => {
    const s = new FrameSplitter(max, limitName ? { limitName } : {});
    s.push(Buffer.from(hex, 'hex'));
    return s.next();
  };
  assert.throws(
    () => sized(100, 'ffffffff'),
    (e: unknown) => e instanceof FrameError && /invalid frame size -1 \(negative\)/.test(e.message),
  );
  assert.throws(() => sized(100, '80000000'), FrameError);
  assert.throws(() => sized(100, '00000065'), /invalid frame size 101: larger than maxFrameBytes \(100\)/);
  assert.throws(() => sized(100, '7fffffff', 'socket.request.max.bytes'), /larger than socket\.request\.max\.bytes \(100\)/);
  assert.equal(sized(100, '00000064'), null, 'exactly the limit: waits for the payload');
  // the same checks when the whole (bad) frame and more are in one chunk
  const whole = (max: number, size: number) => {
    const s = new FrameSplitter(max);
    const c = Buffer.alloc(4 + Math.max(size, 0) + 10);
    c.writeInt32BE(size);
    s.push(c);
    return s.next();
  };
  assert.throws(() => whole(100, 101), /invalid frame size 101: larger than maxFrameBytes \(100\)/);
  assert.throws(() => whole(100, -5), /invalid frame size -5 \(negative\)/);
  assert.equal(whole(100, 100)!.length, 100);
  assert.equal(new FrameError('x').name, 'FrameError');
});
