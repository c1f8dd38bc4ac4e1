// The onread frame reader: frames of every size (empty, small, just under and over the scratch,
// several MiB) across reads of every size come out whole and stay intact after later reads; large
// frames are read in place; bad sizes are errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameError } from '@tributary/protocol';
import { FrameReader } from '../../src/network/frame-reader.ts';

const frame = (payload: Buffer) => {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeInt32BE(payload.length);
  payload.copy(b, 4);
  return b;
};

/** A payload whose every byte depends on its frame and position, so any overwrite shows. */
const payload = (n: number, seed: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
};

/** Plays `stream` into the reader as a socket would: each read fills at most `readSize(i)` bytes of the buffer it is given. */
function play(r: FrameReader, stream: Buffer, readSize: (i: number) => number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < stream.length; i++) {
    const into = r.nextBuffer();
    assert.ok(into.length > 0, 'a read buffer has room');
    const n = Math.min(into.length, readSize(i), stream.length - pos);
    stream.copy(into, 0, pos, pos + n);
    pos += n;
    out.push(...r.onRead(n));
  }
  return out;
}

test('frames of every size across reads of every size come out whole and stay intact', () => {
  const sizes = [0, 1, 5, 300, 4096, 50_000, 57_340, 57_350, 65_536, 70_000, 1_048_576, 3, 3_000_000, 12, 0, 60_000, 7];
  const payloads = sizes.map((n, i) => payload(n, i));
  const stream = Buffer.concat(payloads.map(frame));
  const patterns: Array<[string, (i: number) => number]> = [
    ['1 byte', () => 1],
    ['7 bytes', () => 7],
    ['4 KiB', () => 4096],
    ['64 KiB', () => 65_536],
    ['unbounded', () => Infinity],
    ['mixed', (i) => [3, 65_536, 100, 9000, 1_000_000, 1][i % 6]!],
  ];
  for (const [name, readSize] of patterns) {
    if (name === '1 byte' || name === '7 bytes') {
      // byte-sized reads over the small frames only (the large ones would take millions of reads)
      const small = Buffer.concat(payloads.filter((p) => p.length < 80_000).map(frame));
      const out = play(new FrameReader(), small, readSize);
      assert.deepEqual(
        out,
        payloads.filter((p) => p.length < 80_000),
        name,
      );
      continue;
    }
    const out = play(new FrameReader(), stream, readSize);
    assert.equal(out.length, payloads.length, name);
    for (let i = 0; i < payloads.length; i++) assert.ok(out[i]!.equals(payloads[i]!), `${name}: frame ${i} (${sizes[i]} bytes)`);
  }
});

test('a large frame is read in place: the reader hands out the remainder of its own buffer', () => {
  const r = new FrameReader();
  const big = payload(1_000_000, 9);
  const stream = frame(big);
  const first = r.nextBuffer();
  stream.copy(first, 0, 0, 10_000);
  assert.deepEqual(r.onRead(10_000), []);
  const rest = r.nextBuffer();
  assert.equal(rest.length, 1_000_000 - 9_996, 'the next read goes straight into the frame');
  stream.copy(rest, 0, 10_000);
  const [got] = r.onRead(rest.length);
  assert.ok(got!.equals(big));
  assert.equal(got!.buffer, rest.buffer, 'no copy after the first read');
});

test('negative or oversized frame sizes are errors', () => {
  const bad = (max: number | undefined, hex: string) => {
    const r = new FrameReader(max);
    const b = Buffer.from(hex, 'hex');
    b.copy(r.nextBuffer());
    return r.onRead(b.length);
  };
  assert.throws(() => bad(undefined, 'ffffffff'), FrameError);
  assert.throws(() => bad(100, '00000065'), /invalid frame size 101/);
  assert.deepEqual(bad(100, '00000064'), []);
});
