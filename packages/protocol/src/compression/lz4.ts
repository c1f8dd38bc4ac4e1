// LZ4 for record batch v2 (attributes codec 3): the LZ4 *frame* format (not raw blocks), framed
// here around lz4-napi's block codec (prebuilt napi-rs; its own frame codec measured ~5x slower).
//
//   offset size
//   0      4    magic 0x184D2204 (little-endian: 04 22 4D 18)
//   4      1    FLG  bits 7-6 version (01), 5 block independence, 4 block checksum,
//                    3 content size, 2 content checksum, 0 dictionary id
//   5      1    BD   bits 6-4 block max size: 4 = 64 KB, 5 = 256 KB, 6 = 1 MB, 7 = 4 MB
//   6      0/8  content size (uint64 LE, if FLG bit 3)
//   ..     0/4  dictionary id (if FLG bit 0)
//   ..     1    HC   (xxh32(FLG..end of descriptor) >> 8) & 0xFF
//   then blocks: [uint32 LE size, high bit = stored uncompressed][data][xxh32 of data if FLG bit 4]
//   then end mark 00 00 00 00 and xxh32 of the whole content if FLG bit 2.
//
// We write what Kafka's Java client writes (Lz4BlockOutputStream): FLG 0x60 (version 1,
// independent blocks, no checksums), BD 0x40 (64 KB blocks). We read what librdkafka (liblz4
// LZ4F) and Java write: any block size 64 KB..4 MB, block checksums (verified), content size
// (skipped) and content checksum (verified), dependent blocks (decoded with the previous 64 KB as
// dictionary, though Java itself refuses them), concatenated frames and skippable frames. The
// header checksum is checked, also accepting Kafka's legacy variant computed over the magic too.
import { createRequire } from 'node:module';
import { CompressionError, DEFAULT_MAX_DECOMPRESSED, wrapCodecError, type DecompressOptions } from './compression-error.ts';
import { xxhash32 } from './xxhash32.ts';

interface Lz4Binding {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Uint8Array, dict?: Uint8Array | null): Buffer;
}

const lz4 = createRequire(import.meta.url)('lz4-napi') as Lz4Binding;

export const LZ4_FRAME_MAGIC = 0x184d2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;
const WINDOW = 64 * 1024;

const fail = (msg: string): never => {
  throw new CompressionError('lz4', msg);
};

export interface Lz4FrameOptions {
  /** Block max size code 4..7 (64 KB..4 MB); default 4 like Kafka's Java client. */
  blockSizeCode?: 4 | 5 | 6 | 7;
  /** Append an xxh32 of each block. */
  blockChecksum?: boolean;
  /** Append an xxh32 of the whole content after the end mark. */
  contentChecksum?: boolean;
}

export function lz4CompressSync(data: Buffer, opts: Lz4FrameOptions = {}): Buffer {
  const code = opts.blockSizeCode ?? 4;
  const blockSize = 1 << (2 * code + 8);
  const flg =
    FLG_VERSION_01 | FLG_INDEPENDENT | (opts.blockChecksum ? FLG_BLOCK_CHECKSUM : 0) | (opts.contentChecksum ? FLG_CONTENT_CHECKSUM : 0);
  const descriptor = Buffer.from([flg, code << 4]);
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(7);
  head.writeUInt32LE(LZ4_FRAME_MAGIC, 0);
  head[4] = descriptor[0]!;
  head[5] = descriptor[1]!;
  head[6] = (xxhash32(descriptor) >>> 8) & 0xff;
  parts.push(head);
  let total = head.length;
  for (let i = 0; i < data.length; i += blockSize) {
    const chunk = data.subarray(i, i + blockSize);
    const packed = lz4.compressSync(chunk).subarray(4); // drop lz4_flex's size prefix
    const stored = packed.length < chunk.length ? packed : chunk;
    const size = Buffer.allocUnsafe(4);
    size.writeUInt32LE(stored === chunk ? (chunk.length | BLOCK_UNCOMPRESSED) >>> 0 : stored.length, 0);
    parts.push(size, stored);
    total += 4 + stored.length;
    if (opts.blockChecksum) {
      const sum = Buffer.allocUnsafe(4);
      sum.writeUInt32LE(xxhash32(stored), 0);
      parts.push(sum);
      total += 4;
    }
  }
  const end = Buffer.alloc(opts.contentChecksum ? 8 : 4);
  if (opts.contentChecksum) end.writeUInt32LE(xxhash32(data), 4);
  parts.push(end);
  total += end.length;
  return Buffer.concat(parts, total);
}

export async function lz4Compress(data: Buffer, opts?: Lz4FrameOptions): Promise<Buffer> {
  return lz4CompressSync(data, opts);
}

function decodeBlock(block: Buffer, maxBlock: number, dict: Buffer | null): Buffer {
  // lz4-napi's block decoder wants lz4_flex's 4-byte size prefix; it takes it as a capacity (the
  // output may be shorter), so the frame's block max size bounds the allocation.
  const framed = Buffer.allocUnsafe(block.length + 4);
  framed.writeUInt32LE(maxBlock, 0);
  block.copy(framed, 4);
  try {
    return dict ? lz4.uncompressSync(framed, dict) : lz4.uncompressSync(framed);
  } catch (err) {
    throw wrapCodecError('lz4', err);
  }
}

/** Decodes one frame at `pos`; pushes its content into `out`; returns the position after it. */
function decodeFrame(data: Buffer, pos: number, out: Buffer[], budget: { left: number }): number {
  const start = pos;
  if (data.length - pos < 7) fail('truncated frame header');
  pos += 4;
  const flg = data[pos]!;
  const bd = data[pos + 1]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) fail(`unsupported frame version ${(flg >> 6) & 3}`);
  const code = (bd >> 4) & 0x07;
  if (code < 4) fail(`invalid block max size code ${code}`);
  const maxBlock = 1 << (2 * code + 8);
  const descLen = 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  if (data.length - pos < descLen + 1) fail('truncated frame descriptor');
  const hc = data[pos + descLen]!;
  const expected = (xxhash32(data.subarray(pos, pos + descLen)) >>> 8) & 0xff;
  const legacy = (xxhash32(data.subarray(start, pos + descLen)) >>> 8) & 0xff;
  if (hc !== expected && hc !== legacy) fail(`header checksum ${hc} does not match ${expected}`);
  if (flg & FLG_DICT_ID) fail('frames with a dictionary id are not supported');
  pos += descLen + 1;
  const independent = (flg & FLG_INDEPENDENT) !== 0;
  const firstPart = out.length;
  let produced = 0;
  for (;;) {
    if (data.length - pos < 4) fail('truncated block size');
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const raw = (word & BLOCK_UNCOMPRESSED) !== 0;
    const len = word & 0x7fffffff;
    if (len > maxBlock) fail(`block of ${len} bytes exceeds the frame's ${maxBlock}-byte maximum`);
    if (data.length - pos < len) fail(`block of ${len} bytes runs past the end of the input`);
    const block = data.subarray(pos, pos + len);
    pos += len;
    if (flg & FLG_BLOCK_CHECKSUM) {
      if (data.length - pos < 4) fail('truncated block checksum');
      if (data.readUInt32LE(pos) !== xxhash32(block)) fail('block checksum mismatch');
      pos += 4;
    }
    let dict: Buffer | null = null;
    if (!independent && produced > 0) dict = tail(out, firstPart, WINDOW);
    const content = raw ? block : decodeBlock(block, maxBlock, dict);
    budget.left -= content.length;
    if (budget.left < 0) fail('decompressed output exceeds the limit');
    out.push(content);
    produced += content.length;
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    if (data.length - pos < 4) fail('truncated content checksum');
    const content = Buffer.concat(out.slice(firstPart), produced);
    if (data.readUInt32LE(pos) !== xxhash32(content)) fail('content checksum mismatch');
    pos += 4;
  }
  return pos;
}

/** The last `n` bytes of out[from..], for dependent-block decoding. */
function tail(out: Buffer[], from: number, n: number): Buffer {
  const pieces: Buffer[] = [];
  let have = 0;
  for (let i = out.length - 1; i >= from && have < n; i--) {
    pieces.unshift(out[i]!);
    have += out[i]!.length;
  }
  const joined = Buffer.concat(pieces, have);
  return joined.subarray(Math.max(0, joined.length - n));
}

export function lz4DecompressSync(data: Buffer, opts?: DecompressOptions): Buffer {
  const budget = { left: opts?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED };
  const out: Buffer[] = [];
  let pos = 0;
  if (data.length < 4) fail('input shorter than the frame magic');
  while (pos < data.length) {
    if (data.length - pos < 4) fail('trailing bytes after the last frame');
    const magic = data.readUInt32LE(pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // skippable frame: magic, uint32 LE size, payload
      if (data.length - pos < 8) fail('truncated skippable frame');
      const size = data.readUInt32LE(pos + 4);
      if (size > data.length - pos - 8) fail('skippable frame runs past the end of the input');
      pos += 8 + size;
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) fail(`bad frame magic 0x${magic.toString(16)} (raw LZ4 blocks are not Kafka's format)`);
    pos = decodeFrame(data, pos, out, budget);
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

export async function lz4Decompress(data: Buffer, opts?: DecompressOptions): Promise<Buffer> {
  return lz4DecompressSync(data, opts);
}
