// Runs every test file with Node's built-in runner (node --test), TypeScript loaded through tsx.
// Node 20's --test takes no globs, so this script finds the files: packages/*/test/**/*.test.ts
// and test/**/*.test.ts. Pass paths or substrings as arguments to run a subset.
// The whole run has two steps, each one `node --test` with its own counts: the suite (two files at a
// time), then the cluster fault tests (test/cluster/: broker and controller processes SIGKILLed and
// restarted, one file at a time), which take minutes of their own.
// TRIBUTARY_COVERAGE=1 (CI sets it) also measures coverage: every Node process the run starts, test
// files and the brokers and CLIs they spawn, writes V8 coverage to coverage/tmp (NODE_V8_COVERAGE);
// c8 then maps it to the TypeScript sources (.c8rc.json; a CLI or broker process started from dist/
// under TRIBUTARY_TEST_FROM_DIST=1 through the build's source maps), the figure per package is
// printed, and the raw data is deleted (coverage/coverage-summary.json stays).
// After each step, the slowest files are listed (scripts/test-timings-reporter.mjs).
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const roots = [...readdirSync('packages').map((p) => join('packages', p, 'test')), 'test'];
let files = roots.flatMap((r) => walk(r, [])).sort();
const filters = process.argv.slice(2);
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (!files.length) {
  console.error('no test files found');
  process.exit(1);
}
const coverage = process.env.TRIBUTARY_COVERAGE === '1';
const env = { ...process.env };
if (coverage) {
  rmSync('coverage', { recursive: true, force: true });
  env.NODE_V8_COVERAGE = resolve('coverage/tmp');
}
const FAULT_TESTS = `test${sep}cluster${sep}`;
const steps = filters.length
  ? [files]
  : [files.filter((f) => !f.startsWith(FAULT_TESTS)), files.filter((f) => f.startsWith(FAULT_TESTS))].filter((s) => s.length);
let status = 0;
for (const [i, step] of steps.entries()) {
  if (steps.length > 1)
    console.log(
      `\n# step ${i + 1} of ${steps.length}: ${i === 0 ? 'the suite' : 'cluster fault tests (test/cluster)'}, ${step.length} files\n`,
    );
  // The suite runs two test files at a time (most of its time is spent waiting on brokers, clients
  // and timers; Node's default on this 2-core machine is one); the cluster fault tests, whose broker
  // processes use both cores, run one at a time. TRIBUTARY_TEST_CONCURRENCY overrides the first.
  const concurrency = i === 0 ? (process.env.TRIBUTARY_TEST_CONCURRENCY ?? '2') : '1';
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
  reporters.push('--test-reporter=./scripts/test-timings-reporter.mjs', '--test-reporter-destination=stdout');
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...step];
  const res = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  status ||= res.status ?? 1;
}
if (coverage) {
  const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status === 0;
  // c8 holds every process's raw coverage at once: past 4 GB (Node's default heap) with the whole
  // suite's processes, so it gets 12 GB of this 24 GB machine
  const reported = run(['--max-old-space-size=12288', 'node_modules/c8/bin/c8.js', 'report']) && run(['scripts/coverage-summary.mjs']);
  rmSync('coverage/tmp', { recursive: true, force: true }); // ~600 MB for the full suite; the summary stays
  if (!reported) {
    console.error('coverage report failed');
    status ||= 1;
  }
}
process.exit(status);
