// @tributary/storage: Kafka's segmented partition log on disk (segments, sparse offset and time
// indexes, transaction indexes, producer state and its snapshots, checkpoints, retention,
// recovery), behind an fs seam and a time seam.
export * from './time.ts';
export * from './mock-time.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './fs.ts';
export * from './memory-fs.ts';
export * from './fd-cache.ts';
export * from './index-file.ts';
export * from './log-segment.ts';
export * from './transaction-index.ts';
export * from './producer-batches.ts';
export * from './producer-snapshot.ts';
export * from './producer-append-info.ts';
export * from './producer-state.ts';
export * from './transaction-verification.ts';
export * from './producer-state-rebuild.ts';
export * from './partition-log.ts';
export * from './log-loader.ts';
export * from './log-manager.ts';
export * from './checkpoint-file.ts';
export * from './leader-epoch-cache.ts';
export * from './buffer-pool.ts';
export * from './meta-properties.ts';
export * from './format-storage.ts';
export * from './cleaner/clean-job.ts';
export * from './cleaner/cleaner-logger.ts';
export * from './cleaner/cleaner-checkpoint.ts';
export * from './cleaner/throttler.ts';
export * from './cleaner/pacer.ts';
export * from './cleaner/cleaner-manager.ts';
export * from './cleaner/cleaner-stats.ts';
export * from './cleaner/log-cleaner.ts';
export { cleanLog } from './cleaner/cleaner.ts';
export { cleanableRange } from './cleaner/cleanable.ts';
export { SkimpyOffsetMap, OFFSET_MAP_ENTRY_SIZE } from './cleaner/offset-map.ts';
export { CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX } from './cleaner/segment-swap.ts';
