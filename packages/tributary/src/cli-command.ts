// The command line that runs this package's `tributary` CLI in a new process, as an argv (the node
// binary, its flags, the script): what LocalCluster starts its nodes with, and what the tests spawn.
// Compiled (dist/, as installed from the registry): `node dist/cli.js`. From the TypeScript sources:
// `node --conditions=tributary-source --import tsx src/cli.ts`, or, when TRIBUTARY_TEST_FROM_DIST=1,
// the compiled `node dist/cli.js` of this checkout (which `npm run build` must have made current):
// it loads in about a quarter of the CPU time tsx takes, which CI's many CLI processes add up to.
// A dist/ older than its sources (a package's .ts file changed after its build) is refused.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that makes a run from the sources start the CLI from dist/. */
export const FROM_DIST_ENV = 'TRIBUTARY_TEST_FROM_DIST';

export function cliCommand(): string[] {
  if (!import.meta.url.endsWith('.ts')) return [process.execPath, fileURLToPath(new URL('./cli.js', import.meta.url))];
  if (process.env[FROM_DIST_ENV] === '1') {
    const dist = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    if (!existsSync(dist)) throw new Error(`${FROM_DIST_ENV}=1 but ${dist} does not exist: run \`npm run build\` first`);
    staleDist ??= findStaleDist(fileURLToPath(new URL('../../', import.meta.url)));
    if (staleDist) throw new Error(`${FROM_DIST_ENV}=1 but ${staleDist}: run \`npm run build\` first`);
    return [process.execPath, dist];
  }
  // tsx as this module resolves it (a bare `--import tsx` would be looked up from the cwd); the
  // condition makes our packages' imports resolve to their src/
  return [
    process.execPath,
    '--conditions=tributary-source',
    '--import',
    import.meta.resolve('tsx'),
    fileURLToPath(new URL('./cli.ts', import.meta.url)),
  ];
}

let staleDist: string | undefined;

/** Which package's dist/ is older than one of its TypeScript sources ('' when none is). */
function findStaleDist(packagesDir: string): string {
  for (const pkg of readdirSync(packagesDir)) {
    const built = join(packagesDir, pkg, 'dist', 'tsconfig.build.tsbuildinfo');
    const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
    const src = join(packagesDir, pkg, 'src');
    if (!existsSync(src)) continue;
    for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts') && statSync(join(src, f)).mtimeMs > builtAt) return `packages/${pkg}/src/${f} is newer than its dist/`;
    }
  }
  return '';
}
