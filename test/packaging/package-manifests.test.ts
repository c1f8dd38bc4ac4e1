// Each package's package.json as it is published: every @tributary package its sources import is
// a dependency at that package's exact version (so packed tarballs install together), and a
// project reference of its tsconfig.build.json (so `npm run build` builds it first); the fields
// a registry package needs are there (exports to dist with types, files, engines, license,
// repository, a 0.x version).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIRS = readdirSync(join(REPO, 'packages')).sort();

interface Manifest {
  name: string;
  version: string;
  license?: string;
  repository?: { directory?: string };
  engines?: { node?: string };
  files?: string[];
  exports: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
}

const read = (dir: string) => JSON.parse(readFileSync(join(REPO, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
const manifests = new Map(DIRS.map((d) => [d, read(d)]));
const dirOf = new Map([...manifests].map(([dir, m]) => [m.name, dir]));

/** The bare specifiers a package's sources import (static, dynamic, createRequire). */
function imported(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:from |import\(|require\(|\)\()'([^'.][^']*)'/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:')) continue;
          out.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  walk(join(REPO, 'packages', dir, 'src'));
  return out;
}

describe('package manifests', () => {
  for (const dir of DIRS) {
    const m = manifests.get(dir)!;
    it(`${m.name}: its imports are its dependencies and build references; publishable fields`, () => {
      const uses = [...imported(dir)].filter((s) => s !== m.name).sort();
      const deps = m.dependencies ?? {};
      assert.deepEqual(
        uses.filter((s) => !(s in deps)),
        [],
        'imported but not a dependency',
      );
      const ours = Object.keys(deps).filter((d) => d.startsWith('@tributary/'));
      assert.deepEqual(
        ours.filter((d) => !uses.includes(d)),
        [],
        'a @tributary dependency it does not import',
      );
      for (const d of ours) assert.equal(deps[d], manifests.get(dirOf.get(d)!)!.version, `${d} at its exact version`);
      const build = JSON.parse(readFileSync(join(REPO, 'packages', dir, 'tsconfig.build.json'), 'utf8')) as {
        references?: Array<{ path: string }>;
      };
      assert.deepEqual(
        (build.references ?? []).map((r) => r.path).sort(),
        ours.map((d) => `../${dirOf.get(d)}/tsconfig.build.json`).sort(),
        'tsconfig.build.json references exactly its @tributary dependencies',
      );
      assert.match(m.version, /^0\.\d+\.\d+$/);
      assert.ok(m.license, 'license');
      assert.equal(m.repository?.directory, `packages/${dir}`);
      assert.ok(m.engines?.node, 'engines.node');
      assert.ok(m.files?.includes('dist'), 'files: dist');
      assert.deepEqual(m.exports['.'], {
        'tributary-source': './src/index.ts',
        types: './dist/index.d.ts',
        default: './dist/index.js',
      });
    });
  }
});
