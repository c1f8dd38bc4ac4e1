// Human-readable list of every broker setting (name, type, default, doc), for `tributary start --help`.
import { BROKER_CONFIG_DEFS, type ConfigDef } from './definitions.ts';

function show(v: unknown): string {
  if (v === null) return '(not set)';
  if (Array.isArray(v)) return v.length === 0 ? '(empty)' : v.join(',');
  if (v === Number.MAX_SAFE_INTEGER) return '(never)';
  if (v === Number.MAX_VALUE) return '(unlimited)';
  return String(v);
}

export function formatConfigDocs(includeNoEffect = false): string {
  const lines: string[] = [];
  for (const [name, d] of Object.entries(BROKER_CONFIG_DEFS) as Array<[string, ConfigDef]>) {
    if (d.noEffect && !includeNoEffect) continue;
    lines.push(`  ${name} (${d.type}, default ${show(d.default)})`);
    lines.push(`      ${d.doc}`);
  }
  return lines.join('\n');
}
