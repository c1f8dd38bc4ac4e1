// Test helper: a LogManager on MemoryFileSystem + MockTime whose LogCleaner runs a FakeCleaning,
// with a recording logger, and a shortcut for compacted logs.
import type { LogCleanerConfig } from '../../src/cleaner/clean-job.ts';
import type { LogCleaner } from '../../src/cleaner/log-cleaner.ts';
import type { LogConfig } from '../../src/config.ts';
import type { LogManager, LogManagerOptions } from '../../src/log-manager.ts';
import type { PartitionLog } from '../../src/partition-log.ts';
import { testEnv, type TestEnv } from '../helpers/env.ts';
import { FakeCleaning, recordingLogger } from './fake-cleaning.ts';

export interface CleanerSetup {
  env: TestEnv;
  fake: FakeCleaning;
  logger: ReturnType<typeof recordingLogger>;
  mgr: LogManager;
  cleaner: LogCleaner;
  compacted(topic: string, partition?: number, config?: Partial<LogConfig>): PartitionLog;
  /** A new LogManager (and FakeCleaning) on the same fs and time, as after a restart. */
  reopen(): CleanerSetup;
}

export interface SetupOptions {
  cleaner?: Partial<LogCleanerConfig>;
  /** Start the LogCleaner's workers with the background tasks (default false: cleanNow). */
  background?: boolean;
  extra?: Partial<LogManagerOptions>;
}

export function cleanerSetup(o: SetupOptions = {}, env: TestEnv = testEnv()): CleanerSetup {
  const fake = new FakeCleaning();
  const logger = recordingLogger();
  // a still slice clock: jobs yield only where the test makes them wait (slices are pacer.test.ts's)
  const cleanerPacing = { clock: () => 0 };
  const mgr = env.open(
    {},
    { cleaning: fake, backgroundTasks: o.background ?? false, cleaner: o.cleaner, logger, cleanerPacing, ...o.extra },
  );
  return {
    env,
    fake,
    logger,
    mgr,
    cleaner: mgr.cleaner!,
    compacted: (topic, partition = 0, config = {}) => mgr.getOrCreateLog(topic, partition, { config: { compact: true, ...config } }),
    reopen: () => cleanerSetup(o, env),
  };
}
