// Codec tests: round trips for all four codecs, the framings real clients write (xerial and raw
// snappy, LZ4 frames from liblz4 with and without checksums, dependent blocks), and corrupt input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  compress,
  decompress,
  compressSync,
  decompressSync,
  CompressionType,
  CompressionError,
  snappyCompressRaw,
  isXerialFramed,
  XERIAL_MAGIC,
  lz4CompressFrame,
  xxhash32,
} from '@tributary/protocol';
import { logLines } from './helpers/log-lines.ts';

const require = createRequire(import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/compression/${name}`, import.meta.url));
const input = logLines(150_000, 7); // the input the fixtures were made from (lz4 / zstd CLIs)
const codecs = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

test('every codec round-trips empty, tiny and 150 KB inputs', async () => {
  for (const type of codecs) {
    for (const data of [Buffer.alloc(0), Buffer.from('x'), input]) {
      const packed = await compress(type, data);
      assert.ok(data.length < 1000 || packed.length < data.length / 2, `codec ${type} compresses log lines`);
      assert.deepEqual(await decompress(type, packed), data, `codec ${type}, ${data.length} bytes`);
    }
  }
});

test('sync variants match the async ones; zstd has none', () => {
  for (const type of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4]) {
    assert.deepEqual(decompressSync(type, compressSync(type, input)), input);
  }
  assert.throws(() => compressSync(CompressionType.Zstd, input), CompressionError);
  assert.throws(() => decompressSync(CompressionType.Zstd, input), CompressionError);
  assert.equal(compressSync(CompressionType.None, input), input);
});

test('snappy writes xerial framing with 32 KiB chunks', () => {
  const framed = compressSync(CompressionType.Snappy, input);
  assert.ok(isXerialFramed(framed));
  assert.deepEqual(framed.subarray(0, 16), Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]));
  let pos = 16;
  let chunks = 0;
  while (pos < framed.length) {
    pos += 4 + framed.readInt32BE(pos);
    chunks++;
  }
  assert.equal(pos, framed.length);
  assert.equal(chunks, Math.ceil(input.length / 32768));
});

test('snappy decodes raw blocks (librdkafka, KafkaJS) and xerial frames from KafkaJS-snappy', async () => {
  assert.deepEqual(decompressSync(CompressionType.Snappy, snappyCompressRaw(input)), input);
  // snappyjs (pure JS, what kafkajs-snappy uses) writes a raw block; frame it by hand as snappy-java would
  const snappyjs = require('snappyjs') as { compress(b: Buffer): Buffer; uncompress(b: Buffer): Buffer };
  const a = input.subarray(0, 32768);
  const b = input.subarray(32768, 40000);
  const blocks = [snappyjs.compress(a), snappyjs.compress(b)];
  const len = (n: number) => {
    const x = Buffer.alloc(4);
    x.writeInt32BE(n);
    return x;
  };
  const xerial = Buffer.concat([XERIAL_MAGIC, len(1), len(1), len(blocks[0]!.length), blocks[0]!, len(blocks[1]!.length), blocks[1]!]);
  assert.deepEqual(decompressSync(CompressionType.Snappy, xerial), input.subarray(0, 40000));
  assert.deepEqual(decompressSync(CompressionType.Snappy, snappyjs.compress(input)), input);
  // and kafkajs-snappy reads what we write
  const kjsSnappy = (require('kafkajs-snappy') as () => { decompress(b: Buffer): Promise<Buffer> })();
  assert.deepEqual(await kjsSnappy.decompress(compressSync(CompressionType.Snappy, input)), input);
});

test('lz4 decodes liblz4 frames: no checksum, content checksum, block checksum + content size, dependent blocks', () => {
  for (const name of ['log-150k.nocrc.lz4', 'log-150k.crc.lz4', 'log-150k.blockcrc-size-256k.lz4', 'log-150k.dependent.lz4']) {
    assert.deepEqual(decompressSync(CompressionType.Lz4, fixture(name)), input, name);
  }
});

test('lz4 decodes lz4-napi (lz4_flex) frames with and without checksums', () => {
  const lz4napi = require('lz4-napi') as { compressFrameSync(b: Buffer, o?: object): Buffer };
  for (const opts of [{}, { contentChecksum: true }, { contentChecksum: true, blockChecksums: true }]) {
    assert.deepEqual(decompressSync(CompressionType.Lz4, lz4napi.compressFrameSync(input, opts)), input, JSON.stringify(opts));
  }
});

test('lz4 writes the frame Kafka Java writes: FLG 0x60, BD 0x40, correct header checksum, 64 KB blocks', () => {
  const frame = compressSync(CompressionType.Lz4, input);
  assert.equal(frame.readUInt32LE(0), 0x184d2204);
  assert.equal(frame[4], 0x60);
  assert.equal(frame[5], 0x40);
  assert.equal(frame[6], (xxhash32(frame.subarray(4, 6)) >>> 8) & 0xff);
  assert.deepEqual(frame.subarray(frame.length - 4), Buffer.alloc(4));
  const withSums = lz4CompressFrame(input, { blockChecksum: true, contentChecksum: true, blockSizeCode: 5 });
  assert.equal(withSums[4], 0x74);
  assert.deepEqual(decompressSync(CompressionType.Lz4, withSums), input);
  // incompressible data is stored raw (high bit of the block size)
  const noise = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 24));
  assert.deepEqual(decompressSync(CompressionType.Lz4, compressSync(CompressionType.Lz4, noise)), noise);
});

test('lz4 rejects bad checksums, versions, block sizes and truncation', () => {
  const good = fixture('log-150k.crc.lz4');
  const mutate = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    return b;
  };
  const cases: [string, Buffer][] = [
    [
      'header checksum',
      mutate((b) => {
        b[6] ^= 0xff;
      }),
    ],
    [
      'content checksum',
      mutate((b) => {
        b[b.length - 1] ^= 1;
      }),
    ],
    [
      'version',
      mutate((b) => {
        b[4] = 0x24;
      }),
    ],
    ['truncated', good.subarray(0, good.length - 100)],
    ['raw block', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])],
    [
      'block checksum',
      (() => {
        const f = fixture('log-150k.blockcrc-size-256k.lz4');
        const b = Buffer.from(f);
        b[20] ^= 1;
        return b;
      })(),
    ],
  ];
  for (const [name, data] of cases) assert.throws(() => decompressSync(CompressionType.Lz4, data), CompressionError, name);
});

test('zstd decodes a frame from the zstd CLI', async () => {
  assert.deepEqual(await decompress(CompressionType.Zstd, fixture('log-150k.zst')), input);
  await assert.rejects(decompress(CompressionType.Zstd, Buffer.from('not zstd')), CompressionError);
  const bad = Buffer.from(fixture('log-150k.zst'));
  bad[100] ^= 0xff;
  await assert.rejects(decompress(CompressionType.Zstd, bad), CompressionError);
});

test('output limits refuse bombs before allocating', async () => {
  const zeros = Buffer.alloc(4 << 20);
  for (const type of codecs) {
    const packed = await compress(type, zeros);
    await assert.rejects(decompress(type, packed, { maxOutputLength: 1 << 20 }), CompressionError, `codec ${type}`);
  }
  // a raw snappy block claiming 2 GiB from 6 bytes
  assert.throws(() => decompressSync(CompressionType.Snappy, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00])), /declares/);
  // a xerial chunk with a negative length
  const neg = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xf0])]);
  assert.throws(() => decompressSync(CompressionType.Snappy, neg), CompressionError);
});

test('corrupt gzip and snappy give CompressionError', async () => {
  await assert.rejects(decompress(CompressionType.Gzip, Buffer.from('garbage')), CompressionError);
  // snappy has no checksum: a truncated block is what it can detect
  const s = snappyCompressRaw(input);
  assert.throws(() => decompressSync(CompressionType.Snappy, s.subarray(0, s.length - 50)), CompressionError);
  await assert.rejects(compress(7 as CompressionType, input), CompressionError);
});
