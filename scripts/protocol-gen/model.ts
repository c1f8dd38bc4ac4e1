// Reads Kafka's JSON message specs (with their // comments) and resolves them into a model the
// emitter walks: messages, their structs (nested and common), and fields with version ranges
// already intersected with the enclosing struct's versions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOverlay } from './overlays.ts';

export interface Range {
  lo: number;
  hi: number; // inclusive; lo > hi means empty
}

export const EMPTY: Range = { lo: 1, hi: 0 };

export type Scalar =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records';
const SCALARS = new Set<string>([
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'bool',
  'string',
  'uuid',
  'bytes',
  'records',
]);

export interface FieldModel {
  jsonName: string;
  prop: string;
  /** scalar type, 'struct' or 'array' */
  kind: Scalar | 'struct' | 'array';
  /** element: a scalar or a struct (arrays only) */
  elem?: Scalar | 'struct';
  struct?: StructModel;
  versions: Range;
  nullable: Range;
  /** the versions in which the field is a tagged field (a subset of versions) */
  tagged: Range;
  tag: number;
  ignorable: boolean;
  /** the spec's default, as written ('null', '-1', 'true', ...) or undefined */
  default: string | undefined;
  about: string;
}

export interface StructModel {
  tsName: string;
  jsonName: string;
  fields: FieldModel[];
  /** versions in which this struct can appear */
  versions: Range;
}

export interface MessageModel {
  name: string;
  kind: 'request' | 'response' | 'data' | 'metadata';
  apiKey: number | undefined;
  valid: Range;
  flexible: Range;
  root: StructModel;
  /** every struct, nested and common, root excluded, in definition order */
  structs: StructModel[];
  /** spec file path relative to the spec folder, with forward slashes */
  source: string;
  /** set when an overlay (overlays.ts) amended the spec: why */
  overlay?: string;
}

export function parseRange(s: string | undefined, max: number): Range {
  if (s === undefined || s === 'none' || s === '') return EMPTY;
  const plus = /^(\d+)\+$/.exec(s);
  if (plus) return { lo: Number(plus[1]), hi: max };
  const dash = /^(\d+)-(\d+)$/.exec(s);
  if (dash) return { lo: Number(dash[1]), hi: Number(dash[2]) };
  if (/^\d+$/.test(s)) return { lo: Number(s), hi: Number(s) };
  throw new Error(`bad version range ${JSON.stringify(s)}`);
}

export function intersect(a: Range, b: Range): Range {
  const r = { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
  return r.lo > r.hi ? EMPTY : r;
}

export function isEmpty(r: Range): boolean {
  return r.lo > r.hi;
}

/** Strips // comments (outside strings) so the spec parses as JSON. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  ignorable?: boolean;
  default?: string | number | boolean | null;
  about?: string;
  fields?: RawField[];
}

interface RawMessage {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions?: string;
  fields: RawField[];
  commonStructs?: { name: string; versions?: string; fields: RawField[] }[];
}

export function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Nested struct TypeScript name: the message name, then the JSON struct type (unless it already starts with it). */
export function structTsName(message: string, jsonType: string): string {
  return jsonType.startsWith(message) ? jsonType : message + jsonType;
}

function buildMessage(raw: RawMessage, source: string, overlay: string | undefined): MessageModel {
  const valid = parseRange(raw.validVersions, 0);
  const max = valid.hi;
  const flexible = intersect(parseRange(raw.flexibleVersions, max), valid);
  const structs: StructModel[] = [];
  const byJsonName = new Map<string, StructModel>();
  const commonRaw = new Map<string, RawField[]>();
  for (const c of raw.commonStructs ?? []) commonRaw.set(c.name, c.fields);

  function defineStruct(jsonName: string, rawFields: RawField[], versions: Range): StructModel {
    const existing = byJsonName.get(jsonName);
    if (existing) {
      existing.versions = { lo: Math.min(existing.versions.lo, versions.lo), hi: Math.max(existing.versions.hi, versions.hi) };
      return existing;
    }
    const s: StructModel = { tsName: structTsName(raw.name, jsonName), jsonName, fields: [], versions };
    byJsonName.set(jsonName, s);
    structs.push(s);
    // Field ranges are taken against the message's valid versions (not the first use's), since a
    // common struct can be reached from fields with different versions.
    s.fields = rawFields.map((f) => buildField(f, valid));
    return s;
  }

  function buildField(f: RawField, parent: Range): FieldModel {
    // As Kafka's FieldSpec: a tagged-only field (no "versions") exists in its taggedVersions.
    const versions = intersect(parseRange(f.versions ?? f.taggedVersions, max), parent);
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    let kind: FieldModel['kind'];
    let elem: FieldModel['elem'];
    let struct: StructModel | undefined;
    if (SCALARS.has(base)) {
      kind = isArray ? 'array' : (base as Scalar);
      if (isArray) elem = base as Scalar;
    } else {
      const fields = f.fields ?? commonRaw.get(base);
      if (!fields) throw new Error(`${source}: unknown type ${f.type} of field ${f.name}`);
      struct = defineStruct(base, fields, versions);
      kind = isArray ? 'array' : 'struct';
      if (isArray) elem = 'struct';
    }
    const def = f.default === undefined ? undefined : String(f.default);
    return {
      jsonName: f.name,
      prop: lowerCamel(f.name),
      kind,
      elem,
      struct,
      versions,
      nullable: intersect(parseRange(f.nullableVersions, max), versions),
      tagged: intersect(parseRange(f.taggedVersions, max), versions),
      tag: f.tag ?? -1,
      ignorable: f.ignorable === true,
      default: def,
      about: f.about ?? '',
    };
  }

  const root: StructModel = { tsName: raw.name, jsonName: raw.name, fields: [], versions: valid };
  root.fields = raw.fields.map((f) => buildField(f, valid));
  // Common structs that no field referenced still get types (they are part of the message's vocabulary).
  for (const [name, fields] of commonRaw) if (!byJsonName.has(name)) defineStruct(name, fields, valid);
  return {
    name: raw.name,
    kind: raw.type as MessageModel['kind'],
    apiKey: raw.apiKey,
    valid,
    flexible,
    root,
    structs,
    source,
    ...(overlay ? { overlay } : {}),
  };
}

/** Every message spec under specDir's messages/, group-coordinator/, transaction-coordinator/, metadata/ (headers excluded). */
export function loadMessages(specDir: string): MessageModel[] {
  const out: MessageModel[] = [];
  for (const sub of ['messages', 'group-coordinator', 'transaction-coordinator', 'metadata']) {
    let files: string[];
    try {
      files = readdirSync(join(specDir, sub))
        .filter((f) => f.endsWith('.json'))
        .sort();
    } catch {
      if (sub === 'messages') throw new Error(`no messages/ folder in ${specDir}`);
      continue;
    }
    for (const file of files) {
      const raw = JSON.parse(stripComments(readFileSync(join(specDir, sub, file), 'utf8'))) as RawMessage;
      if (raw.type === 'header') continue;
      const source = `${sub}/${file}`;
      out.push(buildMessage(raw, source, applyOverlay(raw, source)));
    }
  }
  return out;
}
