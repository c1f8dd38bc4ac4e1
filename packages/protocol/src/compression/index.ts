// Kafka's four compression codecs behind one API, keyed by the record batch attributes' codec id.
// One file per codec documents its framing: gzip.ts, snappy.ts (xerial), lz4.ts (LZ4 frame), zstd.ts.
import { CompressionType } from '../records/batch-header.ts';
import { CompressionError, type CompressOptions, type DecompressOptions } from './compression-error.ts';
import { gzipCompress, gzipCompressSync, gzipDecompress, gzipDecompressSync } from './gzip.ts';
import { snappyCompress, snappyCompressSync, snappyDecompress, snappyDecompressSync } from './snappy.ts';
import { lz4Compress, lz4CompressSync, lz4Decompress, lz4DecompressSync } from './lz4.ts';
import { zstdCompress, zstdDecompress } from './zstd.ts';

export { CompressionError, DEFAULT_MAX_DECOMPRESSED } from './compression-error.ts';
export type { CompressOptions, DecompressOptions } from './compression-error.ts';
export { snappyCompressRaw, isXerialFramed, XERIAL_MAGIC } from './snappy.ts';
export { lz4CompressSync as lz4CompressFrame, type Lz4FrameOptions } from './lz4.ts';
export { xxhash32 } from './xxhash32.ts';

function unknown(type: number): never {
  throw new CompressionError(`codec ${type}`, 'unknown compression type');
}

export async function compress(type: CompressionType, data: Buffer, opts?: CompressOptions): Promise<Buffer> {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipCompress(data, opts);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4Compress(data);
    case CompressionType.Zstd:
      return zstdCompress(data, opts);
    default:
      return unknown(type);
  }
}

export async function decompress(type: CompressionType, data: Buffer, opts?: DecompressOptions): Promise<Buffer> {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipDecompress(data, opts);
    case CompressionType.Snappy:
      return snappyDecompress(data, opts);
    case CompressionType.Lz4:
      return lz4Decompress(data, opts);
    case CompressionType.Zstd:
      return zstdDecompress(data, opts);
    default:
      return unknown(type);
  }
}

/** Whether `compressSync`/`decompressSync` support this codec (all but zstd). */
export function hasSyncCodec(type: CompressionType): boolean {
  return type >= CompressionType.None && type <= CompressionType.Lz4;
}

export function compressSync(type: CompressionType, data: Buffer, opts?: CompressOptions): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipCompressSync(data, opts);
    case CompressionType.Snappy:
      return snappyCompressSync(data);
    case CompressionType.Lz4:
      return lz4CompressSync(data);
    case CompressionType.Zstd:
      throw new CompressionError('zstd', 'no synchronous codec; use compress()');
    default:
      return unknown(type);
  }
}

export function decompressSync(type: CompressionType, data: Buffer, opts?: DecompressOptions): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipDecompressSync(data, opts);
    case CompressionType.Snappy:
      return snappyDecompressSync(data, opts);
    case CompressionType.Lz4:
      return lz4DecompressSync(data, opts);
    case CompressionType.Zstd:
      throw new CompressionError('zstd', 'no synchronous codec; use decompress()');
    default:
      return unknown(type);
  }
}
