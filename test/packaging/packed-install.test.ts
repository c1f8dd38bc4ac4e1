// SLOW (~1-2 min; it runs in CI): Tributary as a user outside this repository gets it. Builds every
// package (`npm run build`), packs each (`npm pack`), installs the tarballs into a fresh temporary
// project with nothing else but registry packages (KafkaJS, TypeScript, @types/node; the npm cache
// first, `--prefer-offline`), and there, in plain `node` (no tsx): starts a broker with the testkit,
// creates a topic, produces and consumes with @tributary/client and with KafkaJS, forms a consumer
// group with each (fixtures/consumer-project/smoke.mjs); runs the testkit README's node:test
// recipe (recipe.test.mjs); type-checks a strict TypeScript file
// using both packages (`tsc --noEmit`, skipLibCheck off: our .d.ts files are checked too); runs the
// CLI by its package name (`npx tributary --version`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/consumer-project', import.meta.url));
const PACKAGES = ['protocol', 'storage', 'raft', 'metadata', 'client', 'sendfile', 'broker', 'testkit', 'tributary'];

/** The version this repository uses of a registry package (so the npm cache has it). */
function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

async function sh(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: cleanEnv() });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/**
 * This process's environment without what would make the project's node load tsx or our sources,
 * or report to this test runner instead of printing (NODE_TEST_CONTEXT).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  delete env.TSX_TSCONFIG_PATH;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  return env;
}

describe('packed packages installed into a fresh project (SLOW: build, pack, install)', { timeout: 600_000 }, () => {
  let root: string;
  let project: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tributary-packed-'));
    project = join(root, 'project');
    const tarballs = join(root, 'tarballs');
    await sh('npm', ['run', 'build'], REPO);
    mkdirSync(tarballs);
    await sh('npm', ['pack', '--workspaces', '--pack-destination', tarballs, '--silent'], REPO);
    const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
    assert.equal(packed.length, PACKAGES.length, `one tarball per package: ${packed.join(', ')}`);
    cpSync(FIXTURE, project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-user-project', private: true, type: 'module' }, null, 2));
    await sh(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        ...packed.map((f) => join(tarballs, f)),
        `kafkajs@${repoVersion('kafkajs')}`,
        `typescript@${repoVersion('typescript')}`,
        `@types/node@${repoVersion('@types/node')}`,
      ],
      project,
    );
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('installed only compiled JavaScript and declarations: no TypeScript sources, no source maps, no tsx', () => {
    const modules = join(project, 'node_modules');
    for (const name of ['protocol', 'storage', 'raft', 'metadata', 'client', 'broker', 'testkit', 'cli']) {
      const dir = join(modules, '@tributary', name);
      const files = readdirSync(dir, { recursive: true }).map(String);
      assert.ok(files.includes(join('dist', 'index.js')) && files.includes(join('dist', 'index.d.ts')), `${name}: dist/index.js and .d.ts`);
      assert.deepEqual(
        files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
        [],
        `${name}: no .ts sources`,
      );
      // the build's source maps (for coverage of the tests' dist/ processes) point at src/, which is not shipped
      assert.deepEqual(
        files.filter((f) => f.endsWith('.map')),
        [],
        `${name}: no source maps`,
      );
    }
    assert.throws(() => readdirSync(join(modules, 'tsx')), /ENOENT/, 'tsx is not installed');
  });

  it('plain node: a testkit broker, records both ways with @tributary/client and KafkaJS, groups formed at once', async () => {
    const out = JSON.parse((await sh(process.execPath, ['smoke.mjs'], project, 120_000)).trim().split('\n').pop()!) as Record<
      string,
      unknown
    >;
    assert.equal(out.tributaryProduced, '0:0');
    assert.equal(out.kafkajsProduced, '0:1');
    assert.deepEqual(out.tributaryConsumed, ['0:0:k1:from-tributary', '0:1:k2:from-kafkajs']);
    assert.deepEqual(out.kafkajsConsumed, ['0:0:k1:from-tributary', '0:1:k2:from-kafkajs']);
    assert.equal(out.tributaryGroup, 'Stable:1');
    // The testkit sets group.initial.rebalance.delay.ms to 0: a group forms in well under 500 ms on
    // an idle machine (Kafka's default delay alone is 3000 ms). Generous bounds for a loaded CI box.
    console.log(`group formed in ${out.tributaryGroupMs} ms (@tributary/client), ${out.kafkajsGroupMs} ms (KafkaJS)`);
    assert.ok((out.tributaryGroupMs as number) < 2_500, `@tributary/client group formed in ${out.tributaryGroupMs} ms`);
    assert.ok((out.kafkajsGroupMs as number) < 2_500, `KafkaJS group formed in ${out.kafkajsGroupMs} ms`);
  });

  it("the testkit README's node:test + KafkaJS recipe passes under node --test", async () => {
    const out = await sh(process.execPath, ['--test', '--test-reporter=tap', 'recipe.test.mjs'], project, 120_000);
    assert.match(out, /^# pass 1$/m);
    assert.match(out, /^# fail 0$/m);
  });

  it('a strict TypeScript project type-checks against both packages (tsc --noEmit, skipLibCheck off)', async () => {
    await sh(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], project, 180_000);
  });

  it('the CLI runs by its package name: npx tributary --version, npx @tributary/cli --version', async () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'packages/tributary/package.json'), 'utf8')) as { version: string }).version;
    assert.equal((await sh('npx', ['--no-install', 'tributary', '--version'], project)).trim(), `tributary ${version}`);
    assert.equal((await sh('npx', ['--no-install', '@tributary/cli', '--version'], project)).trim(), `tributary ${version}`);
    const help = await sh('npx', ['--no-install', 'tributary', 'topics', '--help'], project);
    assert.match(help, /topics/);
  });
});
