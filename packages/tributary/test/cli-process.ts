// Runs the CLI as a child process for tests, by cliCommand (the sources through tsx, or dist/ under
// TRIBUTARY_TEST_FROM_DIST=1), with PATH alone as its environment (plus what a test adds), so
// nothing of the test runner's environment reaches it: `spawnCli` starts it; `runCli` waits for its
// exit code, stdout and stderr; `cliOk` asserts exit 0 and returns stdout; `runCliBytes` keeps
// stdout as bytes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cliCommand } from '../src/cli-command.ts';

const [NODE, ...CLI] = cliCommand();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `tributary ...args`; `stdin` is written to it and closed. */
export function spawnCli(
  args: string[],
  options: { stdin?: string | Buffer; env?: Record<string, string> } = {},
): ChildProcessWithoutNullStreams {
  const child = spawn(NODE!, [...CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, ...options.env },
  });
  child.stdin.end(options.stdin ?? '');
  return child;
}

export function runCli(args: string[], stdin = ''): Promise<CliResult> {
  const child = spawnCli(args, { stdin });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export async function cliOk(args: string[], stdin?: string): Promise<string> {
  const r = await runCli(args, stdin);
  assert.equal(r.code, 0, `tributary ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface CliBytesResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** As runCli, with extra environment variables and stdin/stdout as bytes (binary-safe checks). */
export function runCliBytes(
  args: string[],
  options: { stdin?: string | Buffer; env?: Record<string, string> } = {},
): Promise<CliBytesResult> {
  const child = spawnCli(args, options);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr })));
}
