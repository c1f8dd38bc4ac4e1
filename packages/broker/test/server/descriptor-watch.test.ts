// DescriptorWatch with an injected probe and clock: out of descriptors is logged at ERROR once,
// then at most once per log interval (with the probes failed meanwhile), and its end at INFO;
// other probe failures are not taken for EMFILE.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DescriptorWatch, openFilesLimit } from '../../src/server/descriptor-watch.ts';
import type { Logger } from '../../src/logger.ts';

function capture() {
  const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push([level, msg, fields]);
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

function errno(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('DescriptorWatch', () => {
  it('logs EMFILE once per interval and when descriptors are back', () => {
    const { log, lines } = capture();
    let now = 1000;
    let failure: string | null = null;
    const watch = new DescriptorWatch({
      log,
      connections: () => 7,
      logIntervalMs: 10_000,
      now: () => now,
      probe: () => {
        if (failure) throw errno(failure);
      },
    });
    watch.check();
    assert.equal(lines.length, 0);
    failure = 'EMFILE';
    for (let i = 0; i < 10; i++, now += 1000) watch.check(); // 1000 .. 10000
    assert.equal(watch.exhausted, true);
    assert.deepEqual(
      lines.map(([level, msg]) => [level, msg]),
      [['error', 'out of file descriptors (EMFILE): new connections are closed at accept until descriptors are free']],
    );
    assert.equal(lines[0]![2]!.connections, 7);
    watch.check(); // 11000: 10 s after the first line
    assert.equal(lines.length, 2);
    assert.equal(lines[1]![1], 'still out of file descriptors (EMFILE): new connections are closed at accept');
    assert.deepEqual({ sinceMs: lines[1]![2]!.sinceMs, failedProbes: lines[1]![2]!.failedProbes }, { sinceMs: 10_000, failedProbes: 10 });
    now += 1000;
    failure = null;
    watch.check();
    assert.equal(watch.exhausted, false);
    assert.deepEqual(lines[2]!.slice(0, 2), ['info', 'file descriptors available again: accepting connections']);
    assert.equal(lines[2]![2]!.afterMs, 11_000);
    failure = 'ENFILE';
    watch.check(); // a new episode is logged at once
    assert.equal(lines.length, 4);
    assert.equal(lines[3]![1], 'out of file descriptors (ENFILE): new connections are closed at accept until descriptors are free');
  });

  it('other probe failures are not taken for running out of descriptors', () => {
    const { log, lines } = capture();
    const watch = new DescriptorWatch({
      log,
      connections: () => 0,
      probe: () => {
        throw errno('EACCES');
      },
    });
    watch.check();
    assert.equal(watch.exhausted, false);
    assert.equal(lines.length, 0);
  });

  it('reads the open-files limit of this process (ulimit -n)', () => {
    assert.equal(openFilesLimit(), Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()));
  });
});
