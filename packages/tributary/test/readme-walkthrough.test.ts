// The README's walkthrough, run as written: every command of the fenced `sh` blocks of its
// "### Walkthrough" section, in order, through bash, with `npx tributary` being this repository's
// CLI. `npx tributary start` runs in the background as the walkthrough's broker (in a temporary
// directory, so ./data is fresh; KAFKA_LISTENERS puts it on a free port, TRIBUTARY_BROKERS points
// the other commands at it, the commands themselves unchanged). Each command must exit 0, and a
// `text` block right after an `sh` block is the exact stdout of that block's last command.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCommand } from '../src/cli-command.ts';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

interface Step {
  command: string;
  /** The exact stdout, when the README shows it. */
  expected?: string;
}

/** The walkthrough's commands and shown outputs, in order. */
export function walkthroughSteps(readme: string): Step[] {
  const start = readme.indexOf('\n### Walkthrough\n');
  assert.ok(start >= 0, 'the README has a "### Walkthrough" section');
  const rest = readme.slice(start + 1);
  const end = rest.slice(4).search(/\n##+ /);
  const section = end < 0 ? rest : rest.slice(0, end + 4);
  const steps: Step[] = [];
  for (const m of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    const [, lang, body] = m as unknown as [string, string, string];
    if (lang === 'sh') {
      for (const raw of body.split('\n')) {
        const line = raw.replace(/\s{2,}#.*$/, '').trim();
        if (line !== '' && !line.startsWith('#')) steps.push({ command: line });
      }
    } else if (lang === 'text') {
      const last = steps.at(-1);
      assert.ok(last && last.expected === undefined, 'a text block follows the sh block whose last command prints it');
      last.expected = body;
    }
  }
  return steps;
}

/** `npx tributary ...` in bash runs this repository's CLI (cliCommand), any other npx is npx. */
const CLI = cliCommand()
  .map((a) => `'${a.replaceAll("'", `'\\''`)}'`)
  .join(' ');
const SHIM = `set -o pipefail; npx() { if [ "$1" = tributary ]; then shift; ${CLI} "$@"; else command npx "$@"; fi; }`;

let dir: string;
let broker: ChildProcess | undefined;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-walkthrough-'));
});

after(async () => {
  if (broker && broker.exitCode === null) {
    broker.kill('SIGKILL');
    await new Promise((r) => broker!.once('close', r));
  }
  rmSync(dir, { recursive: true, force: true });
});

function bash(command: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `${SHIM}\n${command}`], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('runs every command of the README walkthrough as written', async () => {
  const steps = walkthroughSteps(readFileSync(README, 'utf8'));
  assert.equal(steps[0]?.command, 'npx tributary start', 'the walkthrough starts a broker first');
  assert.ok(steps.length >= 10, `the walkthrough has ${steps.length} commands`);
  const port = await freePort();
  const env = { TRIBUTARY_BROKERS: `127.0.0.1:${port}` };

  // the broker, in the background until the end
  broker = spawn('bash', ['-c', `${SHIM}\n${steps[0]!.command}`], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, KAFKA_LISTENERS: `PLAINTEXT://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: SIGTERM reaches node, not only bash
  });
  let brokerOut = '';
  broker.stdout!.on('data', (d) => (brokerOut += d));
  broker.stderr!.on('data', (d) => (brokerOut += d));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (brokerOut.includes(`listening on PLAINTEXT://127.0.0.1:${port}`)) resolve();
    };
    broker!.stdout!.on('data', check);
    broker!.once('close', (code) => reject(new Error(`npx tributary start exited ${code}: ${brokerOut}`)));
  });

  for (const step of steps.slice(1)) {
    const r = await bash(step.command, env);
    assert.equal(r.code, 0, `${step.command}\nexited ${r.code}: ${r.stderr}`);
    if (step.expected !== undefined) assert.equal(r.stdout, step.expected, step.command);
    if (step.command === 'npx tributary --version') assert.match(r.stdout, /^tributary \d+\.\d+\.\d+\n$/);
  }

  // Ctrl-C stops it cleanly
  process.kill(-broker.pid!, 'SIGINT');
  const code = await new Promise((r) => broker!.once('close', r));
  assert.equal(code, 0, brokerOut);
  // the broker's log tells what happened
  assert.match(brokerOut, /INFO Created topic orders with topic ID [\w-]{22}: 3 partitions, replication factor 1/);
  assert.match(
    brokerOut,
    /INFO Stabilized group billing generation 1 with 1 members \(protocol \S+, leader \S+\) \(__consumer_offsets-\d+\)/,
  );
  assert.match(brokerOut, /INFO Deleted topic orders with topic ID [\w-]{22}/);
  assert.match(brokerOut, /INFO Deleted topic bench with topic ID [\w-]{22}/);
});
