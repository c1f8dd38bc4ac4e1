// Small runtime helpers the generated codecs call: shared defaults and error builders, and the
// deep "is this the default value" check for struct fields a version lacks (the only comparison
// that is not straight-line generated code; it runs only when such a field was given a value).
import { DecodeError, EncodeError } from './errors.ts';

export { ZERO_UUID } from './reader.ts';

/** Default (empty) value of non-nullable bytes/records fields. Zero length: safe to share. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export function unsupportedDecodeVersion(message: string, version: number): DecodeError {
  return new DecodeError(`${message}: unsupported version ${version}`);
}

export function unsupportedEncodeVersion(message: string, version: number): EncodeError {
  return new EncodeError(`${message}: unsupported version ${version}`);
}

export function absentFieldError(field: string, version: number): EncodeError {
  return new EncodeError(`${field}: a non-default value cannot be written at version ${version}, which lacks this field`);
}

export function nullFieldError(field: string, version: number): EncodeError {
  return new EncodeError(`${field}: null is not allowed at version ${version}`);
}

export function nullReadError(field: string): DecodeError {
  return new DecodeError(`${field}: non-nullable field was null`);
}

/** Deep equality of an encodable value with a default, where `undefined` anywhere means default. */
export function isDefaultStruct(value: unknown, dflt: unknown): boolean {
  if (value === undefined || value === dflt) return true;
  if (value === null || dflt === null || typeof value !== 'object' || typeof dflt !== 'object') return false;
  if (Buffer.isBuffer(dflt) || Buffer.isBuffer(value)) {
    return Buffer.isBuffer(dflt) && Buffer.isBuffer(value) && dflt.equals(value);
  }
  if (Array.isArray(dflt) || Array.isArray(value)) {
    if (!Array.isArray(dflt) || !Array.isArray(value) || dflt.length !== value.length) return false;
    return value.every((e, i) => isDefaultStruct(e, dflt[i]));
  }
  const d = dflt as Record<string, unknown>;
  const x = value as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!isDefaultStruct(x[k], d[k])) return false;
  return true;
}
