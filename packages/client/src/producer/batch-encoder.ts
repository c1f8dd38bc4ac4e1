// Turns a drained ProducerBatch into record batch v2 bytes for a Produce request, with the
// producer's compression codec and, for idempotent producers, the producer id, epoch and the
// partition's base sequence (KIP-98). Encoding and compression are @tributary/protocol's.
import { CompressionType, encodeRecordBatch } from '@tributary/protocol';
import type { ProducerBatch } from './accumulator.ts';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_TYPES: Record<CompressionName, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export interface BatchEncodeOptions {
  compression?: CompressionName;
  compressionLevel?: number;
  /** Idempotence / transactions: -1 / -1 / -1 when not idempotent. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
}

export function encodeProducerBatch(batch: ProducerBatch, options: BatchEncodeOptions = {}): Promise<Buffer> {
  return encodeRecordBatch({
    records: batch.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: BigInt(r.timestamp) })),
    compression: COMPRESSION_TYPES[options.compression ?? 'none'],
    compressionLevel: options.compressionLevel,
    producerId: options.producerId ?? -1n,
    producerEpoch: options.producerEpoch ?? -1,
    baseSequence: options.baseSequence ?? -1,
    isTransactional: options.transactional ?? false,
  });
}
