// gzip for record batch v2 (attributes codec 1): a plain RFC 1952 gzip stream (what Java's
// GZIPOutputStream, librdkafka and KafkaJS write). Concatenated gzip members decode as one stream.
// Backed by node:zlib; async variants run on libuv's thread pool. Decompression is capped by
// zlib's maxOutputLength so a gzip bomb fails instead of allocating without bound.
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import {
  CompressionError,
  DEFAULT_MAX_DECOMPRESSED,
  wrapCodecError,
  type CompressOptions,
  type DecompressOptions,
} from './compression-error.ts';

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

function zlibOpts(opts?: CompressOptions): zlib.ZlibOptions {
  return { level: opts?.level ?? 6 };
}

export async function gzipCompress(data: Buffer, opts?: CompressOptions): Promise<Buffer> {
  return gzipAsync(data, zlibOpts(opts));
}

export function gzipCompressSync(data: Buffer, opts?: CompressOptions): Buffer {
  return zlib.gzipSync(data, zlibOpts(opts));
}

function checkOutput(err: unknown, limit: number): never {
  if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    throw new CompressionError('gzip', `decompressed output exceeds the ${limit}-byte limit`, { cause: err });
  }
  throw wrapCodecError('gzip', err);
}

export async function gzipDecompress(data: Buffer, opts?: DecompressOptions): Promise<Buffer> {
  const limit = opts?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED;
  try {
    return await gunzipAsync(data, { maxOutputLength: limit });
  } catch (err) {
    return checkOutput(err, limit);
  }
}

export function gzipDecompressSync(data: Buffer, opts?: DecompressOptions): Buffer {
  const limit = opts?.maxOutputLength ?? DEFAULT_MAX_DECOMPRESSED;
  try {
    return zlib.gunzipSync(data, { maxOutputLength: limit });
  } catch (err) {
    return checkOutput(err, limit);
  }
}
