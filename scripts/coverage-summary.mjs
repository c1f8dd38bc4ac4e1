// Prints the coverage figure per package from coverage/coverage-summary.json (c8's json-summary
// reporter): lines and branches of packages/*/src, the generated codecs left out (.c8rc.json).
// Run by scripts/run-tests.mjs under TRIBUTARY_COVERAGE=1, or by hand after `npx c8 report`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2] ?? 'coverage/coverage-summary.json';
const summary = JSON.parse(readFileSync(file, 'utf8'));
const zero = () => ({ files: 0, lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } });
const byPackage = new Map();
const all = zero();
for (const [path, s] of Object.entries(summary)) {
  if (path === 'total') continue;
  const pkg = /^packages\/([^/]+)\//.exec(relative(process.cwd(), path))?.[1] ?? '(other)';
  if (!byPackage.has(pkg)) byPackage.set(pkg, zero());
  for (const acc of [byPackage.get(pkg), all]) {
    acc.files++;
    for (const k of ['lines', 'branches']) {
      acc[k].total += s[k].total;
      acc[k].covered += s[k].covered;
    }
  }
}
const pct = (m) => (m.total ? ((100 * m.covered) / m.total).toFixed(1) : '-').padStart(5) + '%';
const cell = (m) => `${pct(m)} ${`${m.covered}/${m.total}`.padStart(13)}`;
const row = (name, a) => `${name.padEnd(11)} ${String(a.files).padStart(5)}  ${cell(a.lines)}  ${cell(a.branches)}`;
console.log('\ncoverage of packages/*/src (c8: V8 coverage mapped to the TypeScript sources; generated codecs excluded)');
console.log(`${'package'.padEnd(11)} ${'files'.padStart(5)}  ${'lines'.padEnd(20)}  branches`);
for (const name of [...byPackage.keys()].sort()) console.log(row(name, byPackage.get(name)));
console.log(row('total', all));
