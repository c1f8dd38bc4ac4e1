// The committed packages/protocol/src/generated/ must be exactly what `npm run gen` writes from the
// specs today (no hand edits, no stale files). Skipped only when ../shared/kafka-protocol is absent.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { generateAll } from '../../../scripts/protocol-gen/generate.ts';
import { REPO_ROOT, SPECS_SKIP, SPEC_DIR, requireSpecs } from './support/samples.ts';

it('committed generated code matches the generator output', { skip: SPECS_SKIP }, () => {
  requireSpecs(true);
  const dir = join(REPO_ROOT, 'packages/protocol/src/generated');
  const expected = generateAll(SPEC_DIR);
  const committed = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  assert.deepEqual(committed, [...expected.keys()].sort(), 'file list differs: run npm run gen');
  const stale = committed.filter((f) => readFileSync(join(dir, f), 'utf8') !== expected.get(f));
  assert.deepEqual(stale, [], 'generated files differ from the generator output: run npm run gen');
});
