// `npm run gen`: regenerates packages/protocol/src/generated/ from Kafka's JSON message specs.
// Usage: node --import tsx scripts/generate-protocol.ts [specDir]   (default ../shared/kafka-protocol)
// Writes every file generateAll() returns and deletes generated files that no longer have a spec.
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from './protocol-gen/generate.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(root, 'packages/protocol/src/generated');

function main(): void {
  const specDir = resolve(process.argv[2] ?? join(root, '../shared/kafka-protocol'));
  if (!existsSync(join(specDir, 'messages'))) throw new Error(`no Kafka specs at ${specDir}`);
  const files = generateAll(specDir);
  mkdirSync(OUT_DIR, { recursive: true });
  let written = 0;
  for (const [name, text] of files) {
    const path = join(OUT_DIR, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileSync(path, text);
    written++;
  }
  for (const name of readdirSync(OUT_DIR)) {
    if (name.endsWith('.ts') && !files.has(name)) unlinkSync(join(OUT_DIR, name));
  }
  console.log(`generated ${files.size} files (${written} changed) into ${OUT_DIR}`);
}

main();
