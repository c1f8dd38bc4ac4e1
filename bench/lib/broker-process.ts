// Starts a Tributary broker as a separate child process, the way a user runs it:
//   node --import tsx packages/tributary/src/cli.ts start --override log.dirs=<tmp> \
//        --override listeners=PLAINTEXT://127.0.0.1:<port> [--override k=v ...]
// so its CPU and memory can be measured apart from the load generator (see proc-stats.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ProcSampler } from './proc-stats.ts';

export interface BrokerStartOptions {
  /** Extra settings by Kafka name, passed as --override k=v. */
  settings?: Record<string, string | number | boolean>;
  /** Node flags for the broker process (e.g. ['--cpu-prof', '--cpu-prof-dir=...']). */
  nodeFlags?: string[];
  /** Listeners bound besides the PLAINTEXT one (e.g. `SSL://127.0.0.1:<port>`). */
  extraListeners?: string;
}

export interface BrokerProcess {
  readonly pid: number;
  readonly port: number;
  readonly bootstrap: string;
  readonly dataDir: string;
  /** The --override settings it was started with (for the printed setup). */
  readonly settings: Record<string, string>;
  sampler(): ProcSampler;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<BrokerProcess>();
/** Other process groups a scenario started (a cluster), stopped with the brokers. */
const liveOthers = new Set<{ stop(): Promise<void> }>();

/** Has `stopAllBrokers` stop `p` too (after each scenario and on exit); returns the untrack function. */
export function trackForCleanup(p: { stop(): Promise<void> }): () => void {
  liveOthers.add(p);
  return () => liveOthers.delete(p);
}

/** Where the broker is started from: this checkout, or BENCH_BROKER_ROOT (another checkout/branch). */
export const brokerRoot = (root: string) => process.env.BENCH_BROKER_ROOT || root;

/** Stops every broker (and tracked cluster) still running (the harness calls this after each scenario and on exit). */
export async function stopAllBrokers(): Promise<void> {
  await Promise.all([...live, ...liveOthers].map((b) => b.stop()));
  liveOthers.clear();
}

export async function startBrokerProcess(root: string, tmp: string, opts: BrokerStartOptions = {}): Promise<BrokerProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmp, 'broker-'));
  const settings: Record<string, string> = {
    'log.dirs': dataDir,
    listeners: `PLAINTEXT://127.0.0.1:${port}${opts.extraListeners ? `,${opts.extraListeners}` : ''}`,
  };
  for (const [k, v] of Object.entries(opts.settings ?? {})) settings[k] = String(v);
  const args = [...(opts.nodeFlags ?? []), '--import', 'tsx', 'packages/tributary/src/cli.ts', 'start'];
  for (const [k, v] of Object.entries(settings)) args.push('--override', `${k}=${v}`);
  const child: ChildProcess = spawn(process.execPath, args, { cwd: brokerRoot(root), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let onEarlyExit: ((code: number | null) => void) | null = null;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('broker did not report listening within 30 s')), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
      if (output.length > 20_000) output = output.slice(-10_000);
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${output.trim()}`));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    onEarlyExit = (code) => fail(new Error(`broker exited with code ${code} before listening`));
    child.once('exit', onEarlyExit);
  }).catch(async (err) => {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  child.off('exit', onEarlyExit!);
  // keep draining its output so it never blocks on a full pipe
  child.stdout!.resume();
  child.stderr!.resume();

  let stopping: Promise<void> | null = null;
  const proc: BrokerProcess = {
    pid: child.pid!,
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    settings,
    sampler: () => new ProcSampler(child.pid!),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(killTimer);
        }
        live.delete(proc);
        await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  live.add(proc);
  return proc;
}
