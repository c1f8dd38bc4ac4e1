// Test helper: a LogManager over the in-memory filesystem, on a MockTime (background tasks run
// when the test advances it).
import { MockTime } from '../../src/mock-time.ts';
import { MemoryFileSystem } from '../../src/memory-fs.ts';
import { LogManager, type LogManagerOptions } from '../../src/log-manager.ts';
import type { LogConfig } from '../../src/config.ts';

export interface TestEnv {
  fs: MemoryFileSystem;
  time: MockTime;
  open(cfg?: Partial<LogConfig>, extra?: Partial<LogManagerOptions>): LogManager;
}

export function testEnv(start = 1_700_000_000_000): TestEnv {
  const time = new MockTime(start);
  const fs = new MemoryFileSystem(time);
  return {
    fs,
    time,
    open(cfg = {}, extra = {}) {
      return new LogManager({ logDirs: ['/data'], fs, time, defaultConfig: cfg, ...extra }).startup();
    },
  };
}
