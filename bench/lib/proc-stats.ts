// Samples a child process's (or several processes') CPU and memory from /proc (Linux): CPU% =
// (utime + stime) ticks over wall time (100% = one core), RSS from /proc/<pid>/status VmRSS (peak
// of the samples taken) and VmHWM (the kernel's high-water mark since process start).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* default */
}

/** CPU seconds (user + system) the process has used, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clkTck; // utime, stime are fields 14 and 15
  } catch {
    return null;
  }
}

/** { rssMb, hwmMb } from /proc/<pid>/status (MiB), or null once it is gone. */
export function memoryMb(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export interface ProcWindow {
  cpuPct: number;
  /** Peak VmRSS seen while sampling (MiB). */
  peakRssMb: number;
  /** VmRSS at the end of the window (MiB). */
  endRssMb: number;
}

/**
 * Measures one window of one process's life, or of several processes together (a cluster's brokers):
 * start(), ... work ..., stop() -> CPU% (summed over the processes: 200% = two cores) and peak RSS
 * (the peak of the processes' summed VmRSS, sampled every `intervalMs`). A process that exits during
 * the window counts the CPU it used until its last sample.
 */
export class ProcSampler {
  readonly pids: readonly number[];
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private cpu0: number[] = [];
  private cpuLast: number[] = [];
  private peak = 0;

  constructor(
    pids: number | readonly number[],
    private readonly intervalMs = 100,
  ) {
    this.pids = typeof pids === 'number' ? [pids] : [...pids];
  }

  start(): this {
    this.t0 = performance.now();
    this.cpu0 = this.pids.map((pid) => cpuSeconds(pid) ?? 0);
    this.cpuLast = [...this.cpu0];
    this.peak = this.rssSum() ?? 0;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Summed VmRSS of the processes still alive (null when none is). */
  private rssSum(): number | null {
    let sum: number | null = null;
    for (const pid of this.pids) {
      const m = memoryMb(pid);
      if (m) sum = (sum ?? 0) + m.rssMb;
    }
    return sum;
  }

  private sample(): void {
    const rss = this.rssSum();
    if (rss != null && rss > this.peak) this.peak = rss;
    this.pids.forEach((pid, i) => {
      const c = cpuSeconds(pid);
      if (c != null) this.cpuLast[i] = c;
    });
  }

  stop(): ProcWindow {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const wall = (performance.now() - this.t0) / 1000;
    const cpu = this.cpuLast.reduce((sum, c, i) => sum + (c - this.cpu0[i]!), 0);
    return { cpuPct: wall > 0 ? (cpu / wall) * 100 : NaN, peakRssMb: this.peak, endRssMb: this.rssSum() ?? NaN };
  }
}
