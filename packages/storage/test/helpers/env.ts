// Test helper: a LogManager over the in-memory filesystem with a manual clock and scheduler.
import { ManualClock, ManualScheduler } from '../../src/clock.ts';
import { MemoryFileSystem } from '../../src/memory-fs.ts';
import { LogManager, type LogManagerOptions } from '../../src/log-manager.ts';
import type { LogConfig } from '../../src/config.ts';

export interface TestEnv { fs: MemoryFileSystem; clock: ManualClock; scheduler: ManualScheduler; open(cfg?: Partial<LogConfig>, extra?: Partial<LogManagerOptions>): LogManager }

export function testEnv(start = 1_700_000_000_000): TestEnv {
  const clock = new ManualClock(start);
  const fs = new MemoryFileSystem(() => clock.now());
  const scheduler = new ManualScheduler(clock);
  return {
    fs, clock, scheduler,
    open(cfg = {}, extra = {}) {
      return new LogManager({ logDirs: ['/data'], fs, clock, scheduler, defaultConfig: cfg, ...extra }).startup();
    },
  };
}
