// `tributary start`: argument parsing, refusing bad settings with exit code 1, and a real start
// that prints where it listens (and, with tributary.metrics.port, where metrics are served) and
// stops cleanly on SIGTERM.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStartArgs } from '../src/commands/start.ts';
import { scrape } from '../../broker/test/helpers/prometheus-text.ts';
import { spawnCli } from './cli-process.ts';

function runCli(args: string[], onStdout?: (text: string, child: ChildProcess) => void) {
  const child = spawnCli(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('tributary start', () => {
  it('parses a properties file and --override flags', () => {
    assert.deepEqual(parseStartArgs(['server.properties', '--override', 'a=1', '--override=b=2']), {
      file: 'server.properties',
      overrides: ['a=1', 'b=2'],
    });
    assert.throws(() => parseStartArgs(['--bogus']), /unknown option --bogus/);
    assert.throws(() => parseStartArgs(['a', 'b']), /unexpected argument b/);
  });

  it('refuses unknown settings with exit code 1 and a clear message', async () => {
    const r = await runCli(['start', '--override', 'no.such=1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown setting "no\.such" \(from --override\)/);
  });

  it('starts, prints its listener and data dir, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    try {
      let signalled = false;
      const r = await runCli(
        ['start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dir}`],
        (out, child) => {
          if (!signalled && out.includes('Data:')) {
            signalled = true;
            child.kill('SIGTERM');
          }
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Tributary broker 1 listening on PLAINTEXT:\/\/127\.0\.0\.1:\d+/);
      assert.match(r.stdout, new RegExp(`Data: ${dir} \\(cluster id [A-Za-z0-9_-]{22}\\)`));
      assert.match(r.stdout, /Stopped\./);
      assert.doesNotMatch(r.stdout, /Metrics:/, 'no metrics endpoint unless tributary.metrics.port is set');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with tributary.metrics.port, prints where metrics are served, and serves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    try {
      let scraped: Promise<number | undefined> | null = null;
      const r = await runCli(
        [
          'start',
          '--override',
          'listeners=PLAINTEXT://127.0.0.1:0',
          '--override',
          `log.dirs=${dir}`,
          '--override',
          'tributary.metrics.port=0',
        ],
        (out, child) => {
          const url = /Metrics: (\S+)\n/.exec(out)?.[1];
          if (url && !scraped) {
            scraped = scrape(url)
              .then((m) => m.value('kafka_server_kafkaserver_brokerstate'))
              .finally(() => child.kill('SIGTERM'));
          }
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Metrics: http:\/\/127\.0\.0\.1:\d+\/metrics\n/);
      assert.equal(await scraped, 3, 'RUNNING');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
