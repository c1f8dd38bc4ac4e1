// zstd for record batch v2 (attributes codec 4): a standard zstd frame (RFC 8878), what zstd-jni
// and librdkafka write. Only valid in magic 2 batches, and only for Produce v7+ / Fetch v10+.
// Backed by @mongodb-js/zstd 1.2.2 (prebuilt napi-rs, async only; Node 20 has no built-in zstd,
// later versions of that package download binaries at install time). No sync variant.
//
// Frame header (for the size check we do before decoding): magic 28 B5 2F FD, Frame_Header_Descriptor
// (bits 7-6 Frame_Content_Size flag, 5 Single_Segment, 1-0 Dictionary_ID flag), optional
// Window_Descriptor, Dictionary_ID, Frame_Content_Size (little-endian, 1/2/4/8 bytes).
import { createRequire } from 'node:module';
import {
  CompressionError,
  DEFAULT_MAX_DECOMPRESSED,
  wrapCodecError,
  type CompressOptions,
  type DecompressOptions,
} from './compression-error.ts';

interface ZstdBinding {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

const zstd = createRequire(import.meta.url)('@mongodb-js/zstd') as ZstdBinding;
const ZSTD_MAGIC = 0xfd2fb528;

export async function zstdCompress(data: Buffer, opts?: CompressOptions): Promise<Buffer> {
  return zstd.compress(data, opts?.level ?? 3);
}

/** The content size a zstd frame header declares, or -1 when absent or unreadable. */
export function zstdDeclaredSize(data: Buffer): number {
  if (data.length < 5 || data.readUInt32LE(0) !== ZSTD_MAGIC) return -1;
  const fhd = data[4]!;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  const fcsLen = fcsFlag === 0 ? single : 1 << fcsFlag;
  if (fcsLen === 0) return -1;
  const pos = 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag]!;
  if (data.length < pos + fcsLen) return -1;
  switch (fcsLen) {
    case 1:
      return data[pos]!;
    case 2:
      return data.readUInt16LE(pos) + 256;
    case 4:
      return data.readUInt32LE(pos);
    default:
      return Number(data.readBigUInt64LE(pos));
  }
}

export async function zstdDecompress(data: Buffer, opts?: DecompressOptions): Promise<Buffer> {
  const limit = opts?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED;
  if (data.length < 4 || data.readUInt32LE(0) !== ZSTD_MAGIC) throw new CompressionError('zstd', 'bad frame magic');
  const declared = zstdDeclaredSize(data);
  if (declared > limit) throw new CompressionError('zstd', `frame declares ${declared} bytes, over the ${limit}-byte limit`);
  let out: Buffer;
  try {
    out = await zstd.decompress(data);
  } catch (err) {
    throw wrapCodecError('zstd', err);
  }
  if (out.length > limit) throw new CompressionError('zstd', `decompressed output exceeds the ${limit}-byte limit`);
  return out;
}
