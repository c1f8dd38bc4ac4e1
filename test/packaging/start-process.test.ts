// `npm start` and `npx tributary start` as a user runs them, as real processes: killing the
// command's PID (SIGTERM to npm) stops the broker, never leaving an orphan listening (npm runs
// scripts through `sh -c`; see orphan-guard.ts), and a second broker on the same data dir is
// refused with Kafka's message while the first runs. Takes ~30 s (two brokers started through npm).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'packages/tributary/bin/tributary.mjs');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves with the output once the process printed `listening on` (rejects if it exits first). */
function listening(child: ChildProcess, timeoutMs = 60_000): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (/ listening on /.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening:\n${out}`)));
  });
}

/** Polls until nothing accepts on `port` (true) or `timeoutMs` passed (false). */
async function closedWithin(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await accepts(port))) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

for (const [name, command, args] of [
  ['npm start', 'npm', ['start', '--']],
  ['npx tributary start', 'npx', ['tributary', 'start']],
] as const) {
  describe(`${name} (a real process)`, () => {
    it('SIGTERM to the command stops the broker: the port is closed, the .lock released, no orphan', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-npm-start-'));
      const port = await freePort();
      const child = spawn(command, [...args, '--override', `log.dirs=${dir}`, '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        await listening(child);
        assert.equal(await accepts(port), true);
        assert.equal(existsSync(join(dir, '.lock')), true);
        if (name === 'npm start') {
          // while it runs, a second broker on the same data dir is refused (exit 1, Kafka's message)
          const second = spawnSync(
            process.execPath,
            [BIN, 'start', '--override', `log.dirs=${dir}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'],
            {
              cwd: REPO,
              encoding: 'utf8',
              timeout: 60_000,
            },
          );
          assert.equal(second.status, 1, second.stdout + second.stderr);
          assert.match(
            second.stderr,
            new RegExp(`Failed to acquire lock on file \\.lock in ${dir}: a broker in process \\d+ is using this directory`),
          );
        }
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        assert.equal(await closedWithin(port, 20_000), true, `port ${port} still accepts after the command exited`);
        const lockGone = Date.now() + 10_000;
        while (existsSync(join(dir, '.lock')) && Date.now() < lockGone) await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(existsSync(join(dir, '.lock')), false, 'the broker released its .lock');
        assert.equal(existsSync(join(dir, '.kafka_cleanshutdown')), true, 'a clean shutdown');
      } finally {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
