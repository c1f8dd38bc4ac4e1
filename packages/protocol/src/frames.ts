// Whole frames: the int32 size prefix, the header and the body, through the generic API table.
//   client: encodeRequestFrame(header, body)  ->  socket;  decodeResponseFrame(apiKey, v, frame)
//   broker: decodeRequestHeader + API_SPECS[k].decodeRequest (or decodeRequestFrame);
//           encodeResponseFrame(apiKey, v, correlationId, body)
// `frame` arguments are the bytes after the size prefix (what a framing layer hands over).
import { API_SPECS, type ApiKey, type ApiMessageTypes } from './generated/api-keys.ts';
import type { Encodable } from './wire/encodable.ts';
import { DecodeError, EncodeError } from './wire/errors.ts';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  type RequestHeader,
} from './wire/headers.ts';
import { Reader } from './wire/reader.ts';
import { Writer } from './wire/writer.ts';

export type RequestOf<K extends ApiKey> = ApiMessageTypes[K]['request'];
export type ResponseOf<K extends ApiKey> = ApiMessageTypes[K]['response'];

function specFor(apiKey: number, apiVersion: number, E: typeof DecodeError | typeof EncodeError) {
  const spec = API_SPECS[apiKey];
  if (spec === undefined) throw new E(`unknown API key ${apiKey}`);
  if (apiVersion < spec.minVersion || apiVersion > spec.maxVersion) {
    throw new E(`${spec.name}: unsupported version ${apiVersion} (supported ${spec.minVersion}-${spec.maxVersion})`);
  }
  return spec;
}

/**
 * Writes a request into `w` (any Writer: one buffer, or the client's chunked writer): 4 bytes
 * reserved for the size, the header, the body. Returns where the size goes; the caller fills it in
 * with the bytes written after it.
 */
export function writeRequest<K extends ApiKey>(w: Writer, header: RequestHeader & { apiKey: K }, body: Encodable<RequestOf<K>>): number {
  const spec = specFor(header.apiKey, header.apiVersion, EncodeError);
  const at = w.reserve(4);
  encodeRequestHeader(w, header);
  spec.encodeRequest(w, header.apiVersion, body);
  return at;
}

/** A complete request frame: int32 size, request header, body. */
export function encodeRequestFrame<K extends ApiKey>(
  header: RequestHeader & { apiKey: K },
  body: Encodable<RequestOf<K>>,
  initialCapacity = 256,
): Buffer {
  const w = new Writer(initialCapacity);
  const at = writeRequest(w, header, body);
  w.setInt32(at, w.length - 4);
  return w.finish();
}

/** A complete response frame: int32 size, response header, body. */
export function encodeResponseFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Encodable<ResponseOf<K>>,
  initialCapacity = 256,
): Buffer {
  const spec = specFor(apiKey, apiVersion, EncodeError);
  const w = new Writer(initialCapacity);
  const at = w.reserve(4);
  encodeResponseHeader(w, apiKey, apiVersion, correlationId);
  spec.encodeResponse(w, apiVersion, body);
  w.setInt32(at, w.length - 4);
  return w.finish();
}

/** Decodes a request frame (without its size prefix). Throws DecodeError, also for unsupported versions. */
export function decodeRequestFrame(frame: Buffer): { header: RequestHeader; body: unknown } {
  const r = new Reader(frame);
  const { headerVersion: _, ...header } = decodeRequestHeader(r);
  const spec = specFor(header.apiKey, header.apiVersion, DecodeError);
  return { header, body: spec.decodeRequest(r, header.apiVersion) };
}

/** Decodes a response frame (without its size prefix) to a request of (apiKey, apiVersion). */
export function decodeResponseFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseOf<K> } {
  const spec = specFor(apiKey, apiVersion, DecodeError);
  const r = new Reader(frame);
  const correlationId = decodeResponseHeader(r, apiKey, apiVersion);
  return { correlationId, body: spec.decodeResponse(r, apiVersion) as ResponseOf<K> };
}
