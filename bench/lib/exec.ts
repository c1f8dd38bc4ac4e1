// Runs a load-generator process to completion with a time limit, returning its wall time and
// output. Wall time is measured from spawn to exit, so it includes connecting and fetching
// metadata (a few ms; the record counts are chosen so this is small against the run).
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
}

export function execTimed(
  cmd: string,
  args: string[],
  opts: { timeoutMs: number; cwd?: string; discardStdout?: boolean; env?: NodeJS.ProcessEnv },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', opts.discardStdout ? 'ignore' : 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c;
      if (stdout.length > 1e6) stdout = stdout.slice(-5e5);
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c;
      if (stderr.length > 1e6) stderr = stderr.slice(-5e5);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000, timedOut });
    });
  });
}
