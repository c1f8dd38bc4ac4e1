// The one error type of the compression layer: corrupt or oversized compressed input, or a codec
// that is unavailable in the requested (sync) form. Record-batch decoding wraps it into an
// InvalidBatchError with problem 'bad-compression'.

export class CompressionError extends Error {
  constructor(
    readonly codec: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${codec}: ${message}`, options);
    this.name = 'CompressionError';
  }
}

/** Default ceiling on decompressed output (per call), so a hostile frame cannot make us allocate gigabytes. */
export const DEFAULT_MAX_DECOMPRESSED = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Refuse output larger than this many bytes (default 256 MiB). */
  maxOutputLength?: number;
}

export interface CompressOptions {
  /** Codec level where the codec has one (gzip 1-9, default 6 like Java's Deflater; zstd 1-22, default 3). */
  level?: number;
}

export function wrapCodecError(codec: string, err: unknown): CompressionError {
  if (err instanceof CompressionError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new CompressionError(codec, `corrupt input (${msg})`, { cause: err });
}
