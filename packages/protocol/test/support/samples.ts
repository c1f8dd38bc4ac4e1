// Test oracle built straight from Kafka's JSON specs (through the generator's model): for a message
// and a version, a sample value with a non-default value in every field the version has (or null in
// every nullable one), and the value a decoder must return for it (defaults where the version lacks a
// field). Independent of the generated code, so round trips check the generator, not themselves.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FieldModel, type MessageModel, type Scalar, type StructModel, loadMessages } from '../../../../scripts/protocol-gen/model.ts';
import * as generated from '../../src/generated/index.ts';
import type { Reader } from '../../src/wire/reader.ts';
import type { Writer } from '../../src/wire/writer.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SPEC_DIR = resolve(REPO_ROOT, '../shared/kafka-protocol');
export const HAVE_SPECS = existsSync(join(SPEC_DIR, 'messages'));
/** CI (.ci/run sets TRIBUTARY_REQUIRE_INTEROP=1): missing specs fail the spec-driven tests instead of skipping them. */
export const REQUIRE_SPECS = process.env.TRIBUTARY_REQUIRE_INTEROP === '1';
const MISSING = `no Kafka message specs at ${join(SPEC_DIR, 'messages')}`;

/**
 * The `skip` option of a describe/it that needs the specs: a visible reason when they are absent on a
 * developer's machine; false when they are present, and in CI, where requireSpecs() then fails.
 */
export const SPECS_SKIP: string | false = HAVE_SPECS || REQUIRE_SPECS ? false : `${MISSING} (skipped; CI fails instead)`;

/**
 * Call at the top of a describe body (or a test body) that needs the specs: true when they are
 * present. Otherwise (only reached in CI, see SPECS_SKIP) registers a failing test (inside a describe)
 * or throws (inside a test) and returns false. Node 20 counts an error thrown by a describe callback
 * as no failure, hence the explicit failing test.
 */
export function requireSpecs(inTest = false): boolean {
  if (HAVE_SPECS) return true;
  const message = `${MISSING} and TRIBUTARY_REQUIRE_INTEROP=1`;
  if (inTest) throw new Error(message);
  it('the Kafka message specs are present', () => assert.fail(message));
  return false;
}

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

let cached: MessageModel[] | undefined;
export function messages(): MessageModel[] {
  cached ??= loadMessages(SPEC_DIR);
  return cached;
}

type Decode = (r: Reader, v: number) => unknown;
type Encode = (w: Writer, v: number, x: unknown) => void;

export function codecOf(m: MessageModel): { decode: Decode; encode: Encode } {
  const g = generated as unknown as Record<string, unknown>;
  const decode = g[`decode${m.name}`] as Decode | undefined;
  const encode = g[`encode${m.name}`] as Encode | undefined;
  if (!decode || !encode) throw new Error(`no generated codec for ${m.name}`);
  return { decode, encode };
}

function has(r: { lo: number; hi: number }, v: number): boolean {
  return v >= r.lo && v <= r.hi;
}

export function defaultOf(f: FieldModel): unknown {
  if (f.default === 'null' && f.nullable.lo <= f.nullable.hi) return null;
  const d = f.default === 'null' ? undefined : f.default;
  switch (f.kind) {
    case 'array':
      return [];
    case 'struct':
      return defaultStruct(f.struct!);
    case 'int64':
      return BigInt(d ?? '0');
    case 'bool':
      return d === 'true';
    case 'string':
      return d ?? '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return Number(d ?? '0');
  }
}

function defaultStruct(s: StructModel): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of s.fields) o[f.prop] = defaultOf(f);
  return o;
}

export type Mode = 'values' | 'nulls';

/** Builds { input, expected } for struct s at version v; a counter keeps every value distinct. */
export class SampleBuilder {
  private n = 0;
  constructor(private readonly mode: Mode) {}

  struct(s: StructModel, v: number): { input: Record<string, unknown>; expected: Record<string, unknown> } {
    const input: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const f of s.fields) {
      if (!has(f.versions, v)) {
        expected[f.prop] = defaultOf(f);
        continue;
      }
      const { input: i, expected: e } = this.field(f, v);
      input[f.prop] = i;
      expected[f.prop] = e;
    }
    return { input, expected };
  }

  private field(f: FieldModel, v: number): { input: unknown; expected: unknown } {
    if (this.mode === 'nulls' && has(f.nullable, v)) return { input: null, expected: null };
    if (f.kind === 'array') {
      const inputs: unknown[] = [];
      const expecteds: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        if (f.elem === 'struct') {
          const s = this.struct(f.struct!, v);
          inputs.push(s.input);
          expecteds.push(s.expected);
        } else {
          const x = this.scalar(f.elem as Scalar, undefined);
          inputs.push(x);
          expecteds.push(x);
        }
      }
      return { input: inputs, expected: expecteds };
    }
    if (f.kind === 'struct') return this.struct(f.struct!, v);
    const x = this.scalar(f.kind, defaultOf(f));
    return { input: x, expected: x };
  }

  /** A value of type t, different from `dflt`. */
  scalar(t: Scalar, dflt: unknown): unknown {
    const k = ++this.n;
    let x: unknown;
    switch (t) {
      case 'int8':
        x = (k % 100) + 1;
        break;
      case 'int16':
        x = 1000 + k;
        break;
      case 'uint16':
        x = 40000 + k;
        break;
      case 'int32':
        x = 100000 + k * 7;
        break;
      case 'uint32':
        x = 3000000000 + k;
        break;
      case 'int64':
        x = 10000000000n + BigInt(k);
        break;
      case 'float64':
        x = k + 0.5;
        break;
      case 'bool':
        x = dflt !== true;
        break;
      case 'string':
        x = `s${k}-ü`;
        break;
      case 'uuid': {
        const b = Buffer.alloc(16);
        b.writeUInt32BE((k * 2654435761) >>> 0, 0);
        b[15] = k & 0xff;
        x = b.toString('base64url');
        break;
      }
      case 'bytes':
      case 'records':
        x = Buffer.from([k & 0xff, 1, 2, 3]);
        break;
    }
    return x === dflt ? this.scalar(t, dflt) : x;
  }
}
