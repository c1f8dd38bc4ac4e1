// Samples a child process's CPU and memory from /proc (Linux): CPU% = (utime + stime) ticks over
// wall time (100% = one core), RSS from /proc/<pid>/status VmRSS (peak of the samples taken) and
// VmHWM (the kernel's high-water mark since process start).
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

/** Measures one window of a process's life: start(), ... work ..., stop() -> CPU% and peak RSS. */
export class ProcSampler {
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private cpu0 = 0;
  private peak = 0;

  constructor(
    readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.t0 = performance.now();
    this.cpu0 = cpuSeconds(this.pid) ?? 0;
    this.peak = memoryMb(this.pid)?.rssMb ?? 0;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private sample(): void {
    const m = memoryMb(this.pid);
    if (m && m.rssMb > this.peak) this.peak = m.rssMb;
  }

  stop(): ProcWindow {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const wall = (performance.now() - this.t0) / 1000;
    const cpu = (cpuSeconds(this.pid) ?? this.cpu0) - this.cpu0;
    return { cpuPct: wall > 0 ? (cpu / wall) * 100 : NaN, peakRssMb: this.peak, endRssMb: memoryMb(this.pid)?.rssMb ?? NaN };
  }
}
