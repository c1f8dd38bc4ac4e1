// Finds the load generators and peer servers installed on this machine (none is required: a
// scenario whose tool is missing is skipped with a note). Versions go into the printed setup.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface Tools {
  /** kcat (librdkafka's CLI): path and "kcat 1.7.0 / librdkafka 2.0.2". */
  kcat: { path: string; version: string } | null;
  /** A python with confluent-kafka (librdkafka): path and versions. */
  python: { path: string; version: string } | null;
  natsServer: { path: string; version: string } | null;
  redisServer: { path: string; version: string } | null;
  /** npm clients for the peers (root devDependencies). */
  natsClient: string | null;
  ioredis: string | null;
}

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    // kcat -V exits non-zero on some builds but still prints its version
    return (e.stdout || '') + (e.stderr || '') || null;
  }
}

export function which(name: string): string | null {
  const out = run('sh', ['-c', `command -v ${name}`]);
  return out?.trim() || null;
}

function npmVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

export function findTools(): Tools {
  const kcatPath = which('kcat') ?? which('kafkacat');
  let kcat: Tools['kcat'] = null;
  if (kcatPath) {
    const out = run(kcatPath, ['-V']) ?? '';
    const v = /kcat - .*?\n.*?Version ([\w.-]+)/s.exec(out)?.[1] ?? /(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? '?';
    const lib = /librdkafka (?:version )?(\d[\w.-]*)/.exec(out)?.[1] ?? '?';
    kcat = { path: kcatPath, version: `kcat ${v} / librdkafka ${lib}` };
  }
  let python: Tools['python'] = null;
  for (const candidate of [process.env.BENCH_PYTHON, '/usr/bin/python3', which('python3')]) {
    if (!candidate) continue;
    const out = run(candidate, ['-c', 'import confluent_kafka as c; print(c.version()[0], c.libversion()[0])']);
    const m = out && /^(\d[\w.]*) (\d[\w.]*)\s*$/.exec(out.trim());
    if (m) {
      python = { path: candidate, version: `confluent-kafka ${m[1]} / librdkafka ${m[2]}` };
      break;
    }
  }
  const natsPath = which('nats-server');
  const redisPath = which('redis-server');
  return {
    kcat,
    python,
    natsServer: natsPath ? { path: natsPath, version: (run(natsPath, ['--version']) ?? '').trim() || '?' } : null,
    redisServer: redisPath
      ? { path: redisPath, version: `redis-server ${/v=([\d.]+)/.exec(run(redisPath, ['--version']) ?? '')?.[1] ?? '?'}` }
      : null,
    natsClient: npmVersion('nats'),
    ioredis: npmVersion('ioredis'),
  };
}
