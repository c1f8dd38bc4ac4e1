// NodeProcess: one `tributary start` child process of a local cluster (a controller or a broker),
// started with Kafka's settings as --override flags and CLUSTER_ID in its environment. Ready once it
// prints its listener; stopped by SIGTERM (a broker's controlled shutdown) or killed by SIGKILL;
// SIGSTOP / SIGCONT pause and resume it. The latest of its output is kept (shown when it fails).
import { spawn, type ChildProcess } from 'node:child_process';

export interface NodeProcessOptions {
  /** The command that runs the CLI, e.g. [process.execPath, '--import', 'tsx', 'cli.ts']. */
  command: readonly string[];
  settings: Readonly<Record<string, string | number>>;
  clusterId: string;
  cwd?: string;
  /** Receives every line the node prints, prefixed with its name. */
  onLine?: (line: string) => void;
  name: string;
  startTimeoutMs?: number;
}

/** Characters of output kept per node (the latest). */
const OUTPUT_KEPT = 256 * 1024;

export class NodeProcess {
  private child: ChildProcess | null = null;
  private out = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly options: NodeProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the node printed since it was created (every start), up to its latest 256 KiB or so. */
  output(): string {
    return this.out;
  }

  /** Starts the process; resolves once it prints a `listening on` line. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is running`);
    const [cmd, ...base] = this.options.command;
    const args = [...base, 'start'];
    for (const [k, v] of Object.entries(this.options.settings)) args.push('--override', `${k}=${v}`);
    const child = spawn(cmd!, args, {
      cwd: this.options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLUSTER_ID: this.options.clusterId },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    let pending = '';
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${this.name} did not start within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const onData = (d: Buffer) => {
        this.out += d;
        if (this.out.length > OUTPUT_KEPT * 2) this.out = this.out.slice(-OUTPUT_KEPT);
        pending += d;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          this.options.onLine?.(`${this.name}: ${line}`);
          if (!ready && / listening on /.test(line)) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        if (!ready) reject(new Error(`${this.name} exited (${code ?? sig}) before listening:\n${this.tail()}`));
      });
    });
  }

  /** SIGKILL, then waits for the exit. */
  async kill(): Promise<void> {
    if (this.running) this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a broker shuts down in a controlled way), then waits for the exit. */
  async stop(): Promise<void> {
    if (this.running) {
      this.child!.kill('SIGTERM');
      this.child!.kill('SIGCONT'); // a paused node would not see SIGTERM until resumed
    }
    await this.exited;
  }

  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  private tail(): string {
    return this.out.split('\n').slice(-30).join('\n');
  }
}
