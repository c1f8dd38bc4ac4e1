// Runs every test file with Node's built-in runner (node --test), TypeScript loaded through tsx.
// Node 20's --test takes no globs, so this script finds the files: packages/*/test/**/*.test.ts
// and test/**/*.test.ts. Pass paths or substrings as arguments to run a subset.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
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
if (!files.length) { console.error('no test files found'); process.exit(1); }
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
