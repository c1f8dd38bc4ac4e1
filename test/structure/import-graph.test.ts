// The structure of the source tree, checked: the import graph of every package's src (relative
// and @tributary/* imports, type-only ones included) has no cycle between files; packages import
// only the layers below them (protocol < storage < raft < metadata < broker < testkit, tributary;
// protocol < client < broker: a broker reaches other brokers and the controller through the
// client's BrokerConnection, as Kafka's broker uses the clients' NetworkClient); and a broker handler imports no storage module (handlers delegate to the
// ReplicaManager and the metadata, they never touch logs themselves).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGES = join(ROOT, 'packages');

/** Which @tributary packages each package may import. */
const LAYERS: Record<string, string[]> = {
  protocol: [],
  storage: ['protocol'],
  raft: ['protocol', 'storage'],
  metadata: ['protocol', 'storage', 'raft'],
  sendfile: [],
  broker: ['protocol', 'storage', 'raft', 'metadata', 'client', 'sendfile'],
  client: ['protocol'],
  testkit: ['protocol', 'storage', 'raft', 'metadata', 'broker', 'client'],
  tributary: ['protocol', 'storage', 'raft', 'metadata', 'broker', 'client'],
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g;

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]!);
}

const packages = readdirSync(PACKAGES).filter((p) => statSync(join(PACKAGES, p, 'src')).isDirectory());
const files = packages.flatMap((p) => sources(join(PACKAGES, p, 'src')));

/** The file an import names, when it is one of ours (relative, or a package's index). */
function resolveImport(from: string, spec: string): string | null {
  if (spec.startsWith('.')) return resolve(dirname(from), spec);
  const m = /^@tributary\/([^/]+)$/.exec(spec);
  return m ? join(PACKAGES, m[1]!, 'src', 'index.ts') : null;
}

describe('import graph', () => {
  it('every package imports only the layers below it', () => {
    const problems: string[] = [];
    for (const f of files) {
      const pkg = relative(PACKAGES, f).split('/')[0]!;
      for (const spec of importsOf(f)) {
        const m = /^@tributary\/([^/]+)/.exec(spec);
        if (m && m[1] !== pkg && !(LAYERS[pkg] ?? []).includes(m[1]!)) problems.push(`${relative(ROOT, f)} imports ${spec}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('has no cycle between source files', () => {
    const edges = new Map<string, string[]>();
    for (const f of files)
      edges.set(
        f,
        importsOf(f)
          .map((s) => resolveImport(f, s))
          .filter((x): x is string => x !== null),
      );
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of edges.get(v) ?? []) {
        if (!edges.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(relative(ROOT, w));
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('no broker handler imports a storage module', () => {
    const handlers = sources(join(PACKAGES, 'broker', 'src', 'handlers'));
    assert.ok(handlers.length >= 28, `${handlers.length} handler files`);
    const problems = handlers.flatMap((f) =>
      importsOf(f)
        .filter(
          (s) => s.startsWith('@tributary/storage') || (s.startsWith('.') && resolve(dirname(f), s).startsWith(join(PACKAGES, 'storage'))),
        )
        .map((s) => `${relative(ROOT, f)} imports ${s}`),
    );
    assert.deepEqual(problems, []);
  });
});
