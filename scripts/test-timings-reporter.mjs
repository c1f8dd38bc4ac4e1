// A node:test reporter that prints, once the run ends, the files that took longest: the sum of each
// file's top-level test durations (tests in one file run one after another). scripts/run-tests.mjs
// adds it beside the spec reporter, so every CI log shows where the suite's minutes go.
// TRIBUTARY_TEST_TIMINGS sets how many files are listed (default 15; 0 turns the table off).
const SHOWN = Number(process.env.TRIBUTARY_TEST_TIMINGS ?? 15);

export default async function* testTimings(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0) continue;
    const file = event.data.file ?? '(unknown file)';
    perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
  }
  if (SHOWN <= 0 || perFile.size === 0) return;
  const cwd = `${process.cwd()}/`;
  const rows = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  const total = [...perFile.values()].reduce((s, ms) => s + ms, 0);
  yield `\n# slowest ${rows.length} of ${perFile.size} files (sum of each file's top-level tests; all files: ${(total / 1000).toFixed(0)} s)\n`;
  for (const [file, ms] of rows) yield `#   ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(cwd, '')}\n`;
}
