// Argument parsing shared by the client commands (topics, produce, consume, groups): options as
// Kafka's scripts name them (`--bootstrap-server`, `--topic`, `--partitions`, `--from-beginning`),
// as `--name value` or `--name=value`, repeatable ones collected (`--config a=1 --config b=2`),
// flags without values, and positional arguments in order.
import { UsageError } from './command.ts';

export interface OptionSpec {
  /** Options that take a value (without the leading `--`). */
  values?: readonly string[];
  /** Options that take a value and may repeat. */
  repeated?: readonly string[];
  /** Options without a value. */
  flags?: readonly string[];
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string>;
  repeated: Map<string, string[]>;
  flags: Set<string>;
}

/** Every client command accepts these. */
export const COMMON_VALUES = ['bootstrap-server', 'client-id', 'api-timeout-ms', 'command-config'] as const;

export function parseArgs(args: string[], spec: OptionSpec): ParsedArgs {
  const values = new Set<string>([...COMMON_VALUES, ...(spec.values ?? [])]);
  const repeated = new Set(spec.repeated ?? []);
  const flags = new Set(spec.flags ?? []);
  const out: ParsedArgs = { positional: [], values: new Map(), repeated: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      if (a.startsWith('-') && a !== '-' && !/^-\d/.test(a)) throw new UsageError(`unknown option ${a}`);
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (flags.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    if (!values.has(name) && !repeated.has(name)) throw new UsageError(`unknown option --${name}`);
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      v = args[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
    }
    if (repeated.has(name)) {
      let l = out.repeated.get(name);
      if (!l) out.repeated.set(name, (l = []));
      l.push(v);
    } else {
      out.values.set(name, v);
    }
  }
  return out;
}

export function intOption(p: ParsedArgs, name: string): number | undefined {
  const v = p.values.get(name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} must be an integer, got "${v}"`);
  return Number(v);
}

/** `k=v` pairs from repeated options, each of which may itself be a comma-separated list (`a=1,b=2`). */
export function keyValues(items: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    for (const pair of item.split(',')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${option} expects key=value, got "${pair}"`);
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return out;
}

/**
 * Config `k=v` pairs (topics create --config, alter-config --add-config): as keyValues, and list
 * values as both Kafka tools write them: kafka-configs.sh's brackets (`cleanup.policy=[compact,delete]`)
 * and kafka-topics.sh's plain commas (`--config cleanup.policy=compact,delete`: an item without `=`
 * continues the value before it).
 */
export function configValues(items: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    let last: string | null = null;
    for (const pair of splitOutsideBrackets(item)) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        if (last === null) throw new UsageError(`--${option} expects key=value, got "${pair}"`);
        out[last] += `,${pair}`;
        continue;
      }
      last = pair.slice(0, eq);
      const v = pair.slice(eq + 1);
      out[last] = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    }
  }
  return out;
}

function splitOutsideBrackets(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '[') depth++;
    else if (s[i] === ']') depth = Math.max(0, depth - 1);
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Comma-separated names from repeated options. */
export function names(items: readonly string[]): string[] {
  return items.flatMap((i) => i.split(',')).filter((s) => s !== '');
}
