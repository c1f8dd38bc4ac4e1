// DescriptorWatch: notices when the process runs out of file descriptors (EMFILE, or the system's
// ENFILE) and says so in the log, once per interval.
//
// Why a watch: node:net never reports EMFILE on accept. libuv keeps a spare descriptor; when
// accept() fails with EMFILE it closes the spare, accepts every pending connection and closes it at
// once (the clients see their connection closed), reopens the spare, and goes on listening; the
// server's 'error' event is not emitted (only when that trick itself fails). Accepting resumes by
// itself once descriptors are free. So the broker probes instead: every `probeIntervalMs` it opens
// and closes /dev/null; a probe failing with EMFILE/ENFILE means new connections are being closed
// at accept. The first failure is logged at ERROR with the descriptor limit (RLIMIT_NOFILE, read
// from /proc/self/limits at start) and the open connections; while it lasts, again at most once
// per `logIntervalMs` with the probes that failed meanwhile; when a probe succeeds again, INFO
// "accepting again". A failure that starts and ends between two probes goes unseen.
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Logger } from '../logger.ts';

export interface DescriptorWatchOptions {
  log: Logger;
  /** Open connections, for the log line. */
  connections: () => number;
  probeIntervalMs?: number;
  logIntervalMs?: number;
  /** The probe (tests inject failures); default: open and close /dev/null. */
  probe?: () => void;
  now?: () => number;
}

/** The soft limit on open files (ulimit -n) from /proc/self/limits, or null where unknown. */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const devNullProbe = (): void => closeSync(openSync('/dev/null', 'r'));

export class DescriptorWatch {
  private timer: NodeJS.Timeout | null = null;
  private readonly limit = openFilesLimit();
  private exhaustedSince = -1;
  private lastLogAt = -1;
  private failedSinceLog = 0;

  constructor(private readonly o: DescriptorWatchOptions) {}

  /** True while the last probe failed. */
  get exhausted(): boolean {
    return this.exhaustedSince >= 0;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.o.probeIntervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One probe (the timer's; tests call it directly). */
  check(): void {
    const now = (this.o.now ?? Date.now)();
    let code: string | null = null;
    try {
      (this.o.probe ?? devNullProbe)();
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      if (code !== 'EMFILE' && code !== 'ENFILE') code = null; // another failure says nothing of descriptors
    }
    if (code !== null) {
      this.failedSinceLog++;
      const first = this.exhaustedSince < 0;
      if (first) this.exhaustedSince = now;
      if (first || now - this.lastLogAt >= (this.o.logIntervalMs ?? 60_000)) {
        this.o.log.error(
          first
            ? `out of file descriptors (${code}): new connections are closed at accept until descriptors are free`
            : `still out of file descriptors (${code}): new connections are closed at accept`,
          {
            limit: this.limit ?? 'unknown',
            connections: this.o.connections(),
            ...(first ? {} : { sinceMs: now - this.exhaustedSince, failedProbes: this.failedSinceLog }),
          },
        );
        this.lastLogAt = now;
        this.failedSinceLog = 0;
      }
    } else if (this.exhaustedSince >= 0) {
      this.o.log.info('file descriptors available again: accepting connections', {
        afterMs: now - this.exhaustedSince,
        connections: this.o.connections(),
      });
      this.exhaustedSince = -1;
      this.failedSinceLog = 0;
    }
  }
}
