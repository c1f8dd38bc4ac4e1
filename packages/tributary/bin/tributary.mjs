#!/usr/bin/env node
// The `tributary` command. Installed from the registry it runs the compiled CLI (dist/, plain Node);
// in a checkout of the repository (src/ is there, dist/ may be stale or absent) it runs the
// TypeScript sources through tsx, with the `tributary-source` export condition so our packages resolve to src/.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const source = new URL('../src/main.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  register('./source-condition.mjs', import.meta.url);
  await import('tsx/esm');
  cli = await import(source.href);
} else {
  cli = await import('../dist/main.js');
}
process.exitCode = await cli.run(process.argv.slice(2));
