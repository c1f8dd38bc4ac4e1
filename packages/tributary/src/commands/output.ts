// `--output text|json` (rpk's `--format json`, Kafka tools' text): every list and describe
// subcommand takes it. JSON is one document on stdout, pretty-printed; bigint offsets become
// numbers (JavaScript's safe range covers every offset a log reaches in practice) and Buffers
// become UTF-8 strings.
import { UsageError } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { writeOut } from './client.ts';

/** The value option every list and describe subcommand accepts. */
export const OUTPUT_OPTION = 'output';

export const OUTPUT_USAGE = `  --output <text|json>                  text (Kafka's tools' layout, the default) or one JSON document`;

export function isJsonOutput(p: ParsedArgs): boolean {
  const v = p.values.get(OUTPUT_OPTION) ?? 'text';
  if (v !== 'text' && v !== 'json') throw new UsageError(`--output must be text or json, got "${v}"`);
  return v === 'json';
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (
    value &&
    typeof value === 'object' &&
    (value as { type?: string }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  )
    return Buffer.from((value as { data: number[] }).data).toString('utf8');
  return value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer, 2) + '\n';
}

export async function writeJson(value: unknown): Promise<void> {
  await writeOut(toJson(value));
}
