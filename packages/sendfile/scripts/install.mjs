// Install step of @tributary/sendfile: builds the addon with node-gyp against the headers of the
// Node that runs it (no download when they are installed beside it, as Debian's nodejs puts them in
// /usr/include/node). The addon is optional: when the build fails (no compiler, no headers) this
// prints a note and exits 0, so `npm install` succeeds and the broker serves fetches with its copy
// path (src/index.ts loads nothing). TRIBUTARY_SENDFILE_BUILD=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = join(dirname(new URL(import.meta.url).pathname), '..');

function note(why) {
  console.warn(`@tributary/sendfile: native addon not built (${why}); the broker will use its copy path for fetches.`);
  process.exit(0);
}

if (process.platform !== 'linux') note(`sendfile(2) support is Linux only, not ${process.platform}`);
if (process.env.TRIBUTARY_SENDFILE_BUILD === '0') note('TRIBUTARY_SENDFILE_BUILD=0');

/** node-gyp: the one npm runs scripts with, else npm's own copy. */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  try {
    return createRequire(join(npmDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

const gyp = nodeGyp();
if (!gyp) note('node-gyp not found');
const args = [gyp, 'rebuild'];
// Headers installed beside this Node (Debian, distro packages): use them instead of downloading.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error) note(r.error.message);
if (r.status !== 0) note(`node-gyp exited with ${r.status ?? r.signal}`);
