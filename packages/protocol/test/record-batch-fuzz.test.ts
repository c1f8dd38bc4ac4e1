// Fuzzing the batch and codec decoders with mutated input: every outcome must be a decoded batch
// or a typed error (InvalidBatchError / CompressionError), never another exception, a hang or an
// unbounded allocation. Deterministic PRNG so failures reproduce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeRecordBatch,
  decodeRecordBatch,
  decodeRecordBatches,
  compress,
  decompress,
  CompressionType,
  CompressionError,
  InvalidBatchError,
  Off,
  computeBatchCrc,
  type RecordInput,
} from '@tributary/protocol';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const records: RecordInput[] = Array.from({ length: 12 }, (_, i) => ({
  key: i % 4 === 0 ? null : `key-${i}`,
  value: i % 5 === 0 ? '' : `{"n":${i},"msg":"${'log line '.repeat(i)}"}`,
  timestamp: 1_700_000_000_000n + BigInt(i * 7),
  headers: i % 3 === 0 ? [{ key: 'h', value: i % 2 ? null : 'x' }] : [],
}));

const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

function mutate(src: Buffer, rnd: () => number, from: number): Buffer {
  const b = Buffer.from(src);
  const kind = Math.floor(rnd() * 6);
  const at = from + Math.floor(rnd() * (b.length - from));
  switch (kind) {
    case 0:
      b[at] ^= 1 << Math.floor(rnd() * 8);
      return b; // bit flip
    case 1:
      b[at] = Math.floor(rnd() * 256);
      return b; // random byte
    case 2:
      b.fill(0xff, at, Math.min(b.length, at + 1 + Math.floor(rnd() * 6)));
      return b; // overlong varints / -1 lengths
    case 3:
      b.fill(0x80, at, Math.min(b.length, at + 1 + Math.floor(rnd() * 12)));
      return b; // unterminated varints
    case 4:
      return b.subarray(0, at); // truncation
    default: {
      // a huge or negative 32-bit field
      if (at + 4 <= b.length) b.writeInt32BE(rnd() < 0.5 ? -Math.floor(rnd() * 1e9) : Math.floor(rnd() * 2 ** 31), at);
      return b;
    }
  }
}

function fixCrc(b: Buffer): void {
  if (b.length >= 61 && b.length === b.readInt32BE(Off.BatchLength) + 12) b.writeUInt32BE(computeBatchCrc(b, 0, b.length), Off.Crc);
}

async function expectTyped(p: Promise<unknown>, what: string): Promise<'ok' | 'typed'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidBatchError || err instanceof CompressionError) return 'typed';
    assert.fail(`${what}: untyped ${(err as Error)?.stack ?? err}`);
  }
}

test('3,000 mutated batches decode or fail with InvalidBatchError', async () => {
  const rnd = prng(0xc0ffee);
  const outcomes = { ok: 0, typed: 0 };
  for (const compression of codecs) {
    const good = await encodeRecordBatch({ baseOffset: 7n, compression, producerId: 3n, records });
    for (let i = 0; i < 600; i++) {
      // half with a recomputed CRC (so the record parser and codec see the damage), half without
      const bad = mutate(good, rnd, i % 3 === 0 ? 0 : Off.Attributes);
      if (i % 2 === 0) fixCrc(bad);
      outcomes[await expectTyped(decodeRecordBatch(bad, 0, { verifyCrc: i % 4 !== 0 }), `codec ${compression} case ${i}`)]++;
    }
  }
  assert.ok(outcomes.typed > 2000 && outcomes.ok > 100, `most mutations are caught, some survive harmlessly (${JSON.stringify(outcomes)})`);
});

test('mutated fetch blobs of several batches decode or fail typed', async () => {
  const rnd = prng(42);
  const parts = await Promise.all(codecs.map((compression, i) => encodeRecordBatch({ baseOffset: BigInt(i * 12), compression, records })));
  const blob = Buffer.concat(parts);
  for (let i = 0; i < 500; i++) await expectTyped(decodeRecordBatches(mutate(blob, rnd, 0), { verifyCrc: false }), `blob case ${i}`);
});

test('mutated compressed streams decompress or fail with CompressionError', async () => {
  const rnd = prng(7);
  const data = Buffer.from(
    records
      .map((r) => `${String(r.key)} ${String(r.value)}`)
      .join('\n')
      .repeat(40),
  );
  for (const type of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const good = await compress(type, data);
    for (let i = 0; i < 400; i++) {
      await expectTyped(decompress(type, mutate(good, rnd, 0), { maxOutputLength: 1 << 20 }), `codec ${type} case ${i}`);
    }
  }
});
