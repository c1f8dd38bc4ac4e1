// Starts a peer server (nats-server, redis-server) as a child process bound to 127.0.0.1 on a free
// port, waits until it accepts connections, and stops it (SIGTERM, then SIGKILL) afterwards.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { ProcSampler } from './proc-stats.ts';

export interface PeerServer {
  pid: number;
  port: number;
  sampler(): ProcSampler;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startPeerServer(cmd: string, args: string[], port: number): Promise<PeerServer> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${cmd} did not start: ${stderr.trim().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid!,
    port,
    sampler: () => new ProcSampler(child.pid!),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(t);
        }
      })();
      return stopping;
    },
  };
}
