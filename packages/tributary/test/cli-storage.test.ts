// `tributary storage format|random-uuid` and how `tributary start` uses formatted log dirs and
// CLUSTER_ID, through the real CLI (node on cli.ts): exit codes, one-line errors, meta.properties.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, type CliResult } from './cli-process.ts';

const ID = 'MkU3OEVBNTcwNTJENDM2Qk';

/** Runs the CLI; `stopOn`: SIGTERM it once stdout contains this text. */
function runCli(args: string[], env: Record<string, string> = {}, stopOn?: string): Promise<CliResult> {
  const child = spawnCli(args, { env });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stopOn && !signalled && stdout.includes(stopOn)) {
      signalled = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function meta(dir: string): Record<string, string> {
  const lines = readFileSync(join(dir, 'meta.properties'), 'utf8').split('\n');
  return Object.fromEntries(lines.filter((l) => l.includes('=')).map((l) => l.split('=') as [string, string]));
}

describe('tributary storage', () => {
  let root: string;
  let n = 0;
  /** A KRaft server.properties for node 1 with fresh log dirs; returns [file, dirs]. */
  function node(extra: string[] = []): [string, string[]] {
    const base = join(root, `node${++n}`);
    const dirs = [join(base, 'a'), join(base, 'b')];
    const file = `${base}.properties`;
    writeFileSync(
      file,
      [
        'process.roles=broker,controller',
        'node.id=1',
        'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
        'controller.listener.names=CONTROLLER',
        'controller.quorum.voters=1@127.0.0.1:9093',
        `log.dirs=${dirs.join(',')}`,
        ...extra,
      ].join('\n'),
    );
    return [file, dirs];
  }
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tributary-storage-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('random-uuid prints a new cluster id', async () => {
    const [a, b] = await Promise.all([runCli(['storage', 'random-uuid']), runCli(['storage', 'random-uuid'])]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}\n$/);
    assert.notEqual(a.stdout, b.stdout);
  });

  it('format writes meta.properties into every log dir, then refuses to format them again', async () => {
    const [file, [a, b]] = node();
    const r = await runCli(['storage', 'format', '-t', ID, '-c', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Formatting ${a} with cluster id ${ID} and node id 1.\nFormatting ${b} with cluster id ${ID} and node id 1.\n`);
    const ma = meta(a!);
    assert.deepEqual({ ...ma, 'directory.id': '' }, { version: '1', 'cluster.id': ID, 'node.id': '1', 'directory.id': '' });
    assert.match(ma['directory.id']!, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    assert.notEqual(meta(b!)['directory.id'], ma['directory.id']);

    const again = await runCli(['storage', 'format', '--cluster-id', ID, '--config', file]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      `tributary storage format: Log directory ${a} is already formatted. Use --ignore-formatted to ignore this directory and format the others.\n`,
    );
    const ignored = await runCli(['storage', 'format', '-t', ID, '-c', file, '-g']);
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.equal(ignored.stdout, 'All of the log directories are already formatted.\n');
    const other = await runCli(['storage', 'format', '-t', 'AAAAAAAAAAAAAAAAAAAAAw', '-c', file, '-g']);
    assert.equal(other.code, 1);
    assert.equal(
      other.stderr,
      `tributary storage format: ${a}/meta.properties is formatted for cluster ${ID}, not AAAAAAAAAAAAAAAAAAAAAw\n`,
    );
    const otherNode = await runCli([
      'storage',
      'format',
      '-t',
      ID,
      '-c',
      file,
      '-g',
      '--override',
      'node.id=2',
      '--override',
      'controller.quorum.voters=2@h:9093',
    ]);
    assert.equal(otherNode.code, 1);
    assert.match(otherNode.stderr, new RegExp(`^tributary storage format: ${a}/meta.properties belongs to node 1, but node.id is 2\\. `));
  });

  it('format: a controller without voters needs --standalone or --no-initial-controllers, as kafka-storage does', async () => {
    const [file] = node(['controller.quorum.voters=']);
    const r = await runCli(['storage', 'format', '-t', ID, '-c', file]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'tributary storage format: Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone or --no-initial-controllers.\n',
    );
    const s = await runCli(['storage', 'format', '-t', ID, '-c', file, '--standalone']);
    assert.equal(s.code, 0, s.stderr);
    const [brokerFile] = node(['process.roles=broker', 'node.id=4', 'listeners=PLAINTEXT://:0']);
    const b = await runCli(['storage', 'format', '-t', ID, '-c', brokerFile, '-s']);
    assert.equal(b.code, 1);
    assert.equal(b.stderr, 'tributary storage format: You can only use --standalone on a controller.\n');
  });

  it('format: usage and configuration errors are one line with exit code 1', async () => {
    const [file] = node();
    const cases: Array<[string[], string]> = [
      [['storage', 'format', '-c', file], 'tributary storage format: --cluster-id (-t) is required (see `tributary storage --help`)\n'],
      [['storage', 'format', '-t', ID, '--bogus'], 'tributary storage format: unknown option --bogus (see `tributary storage --help`)\n'],
      [['storage', 'wipe'], 'tributary storage: unknown subcommand "wipe" (see `tributary storage --help`)\n'],
      [
        ['storage', 'format', '-t', ID, '-c', file, '--override', 'process.roles=zookeeper'],
        "tributary storage format: invalid configuration: process.roles=zookeeper: Unknown process role 'zookeeper' (only 'broker' and 'controller' are allowed roles) (from --override)\n",
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      assert.equal(r.code, 1);
      assert.equal(r.stderr, cases[i]![1]);
    });
  });
});

describe('tributary start with KRaft settings', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tributary-start-kraft-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function kraft(dir: string, extra: string[] = []): string[] {
    const o = [
      'process.roles=broker,controller',
      'node.id=1',
      'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      'controller.listener.names=CONTROLLER',
      `log.dirs=${dir}`,
      ...extra,
    ];
    return ['start', ...o.flatMap((x) => ['--override', x])];
  }

  it('formats empty log dirs with CLUSTER_ID, then refuses another CLUSTER_ID', async () => {
    const dir = join(root, 'env');
    const r = await runCli(kraft(dir), { CLUSTER_ID: ID }, 'Data:');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\(cluster id ${ID}\\)`));
    assert.deepEqual({ ...meta(dir), 'directory.id': '' }, { version: '1', 'cluster.id': ID, 'node.id': '1', 'directory.id': '' });
    const other = await runCli(kraft(dir), { CLUSTER_ID: 'AAAAAAAAAAAAAAAAAAAAAw' });
    assert.equal(other.code, 1);
    assert.equal(
      other.stderr,
      `tributary start: cannot start the broker: ${dir}/meta.properties is formatted for cluster ${ID}, but CLUSTER_ID is AAAAAAAAAAAAAAAAAAAAAw\n`,
    );
    const otherNode = await runCli(kraft(dir, ['node.id=2']));
    assert.equal(otherNode.code, 1);
    assert.match(
      otherNode.stderr,
      new RegExp(`^tributary start: cannot start the broker: ${dir}/meta.properties belongs to node 1, but node.id is 2\\. `),
    );
  });

  it('starts on dirs formatted by `storage format`; refuses unformatted dirs without CLUSTER_ID', async () => {
    const dir = join(root, 'fmt');
    const unformatted = await runCli(kraft(dir));
    assert.equal(unformatted.code, 1);
    assert.equal(
      unformatted.stderr,
      `tributary start: cannot start the broker: no log directory is formatted (${dir}): run \`tributary storage format -t <cluster id> -c <server.properties>\` first, or set CLUSTER_ID\n`,
    );
    const f = await runCli(['storage', 'format', '-t', ID, '--standalone', ...kraft(dir).slice(1)]);
    assert.equal(f.code, 0, f.stderr);
    const r = await runCli(kraft(dir), {}, 'Data:');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Data: ${dir} \\(cluster id ${ID}\\)`));
  });
});
