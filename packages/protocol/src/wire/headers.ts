// Request and response headers, hand-written because of Kafka's exceptions to its own spec:
//
//   request header v0: api_key int16, api_version int16, correlation_id int32
//   request header v1: v0 + client_id NULLABLE_STRING (int16 length, -1 = null)
//   request header v2: v1 + tagged fields. The client id stays an int16-length string even though
//                      v2 is flexible (RequestHeader.json: ClientId flexibleVersions "none").
//   response header v0: correlation_id int32
//   response header v1: v0 + tagged fields
//
// Which version: request header v2 when the API version is flexible, else v1 (ControlledShutdown
// v0 alone uses v0); response header v1 when flexible, else v0, except ApiVersions responses,
// which always use v0 (a client that sent an unsupported version must still read the answer).
import { API_SPECS, ApiKey } from '../generated/api-keys.ts';
import { DecodeError } from './errors.ts';
import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** null when the client sent none (or for header v0) */
  clientId: string | null;
}

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const spec = API_SPECS[apiKey];
  return spec !== undefined && apiVersion >= spec.flexibleMin;
}

/** 0, 1 or 2. Unknown API keys get 1. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** 0 or 1; ApiVersions responses are always 0. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

/**
 * Reads a request header; the header version follows from the API key and version read first.
 * Throws DecodeError for an unknown API key (Kafka closes such connections). A version outside the
 * API's range is returned as is: the caller answers UNSUPPORTED_VERSION.
 */
export function decodeRequestHeader(r: Reader): RequestHeader & { headerVersion: number } {
  const apiKey = r.readInt16();
  const apiVersion = r.readInt16();
  const correlationId = r.readInt32();
  if (API_SPECS[apiKey] === undefined) throw new DecodeError(`unknown API key ${apiKey}`, r.pos - 8);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion >= 1 ? r.readNullableString() : null;
  if (headerVersion >= 2) r.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId, headerVersion };
}

export function encodeRequestHeader(w: Writer, h: RequestHeader): void {
  const headerVersion = requestHeaderVersion(h.apiKey, h.apiVersion);
  w.writeInt16(h.apiKey);
  w.writeInt16(h.apiVersion);
  w.writeInt32(h.correlationId);
  if (headerVersion >= 1) w.writeNullableString(h.clientId);
  if (headerVersion >= 2) w.writeUVarint(0);
}

/** Reads a response header for a request of (apiKey, apiVersion); returns the correlation id. */
export function decodeResponseHeader(r: Reader, apiKey: number, apiVersion: number): number {
  const correlationId = r.readInt32();
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) r.skipTaggedFields();
  return correlationId;
}

export function encodeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  w.writeInt32(correlationId);
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) w.writeUVarint(0);
}
