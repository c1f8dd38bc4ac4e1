// TEMPORARY (replace with @tributary/protocol `wire/headers.ts` once the generated codec lands on main):
// request header decoding and response header encoding, hand-written.
//
// Request header (after the 4-byte frame size):
//   v0: RequestApiKey int16 | RequestApiVersion int16 | CorrelationId int32
//   v1: v0 + ClientId nullable string (int16 length, -1 = null)
//   v2: v1 + tagged fields (flexible; ClientId keeps its int16 length)
// Response header: v0 CorrelationId int32; v1 adds an (empty) tagged field section.
// ApiVersions responses always use header v0.

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export class MalformedHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedHeaderError';
  }
}

/** The fixed-offset routing fields every header version starts with. */
export function peekRouting(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length < 8) throw new MalformedHeaderError(`request of ${frame.length} bytes is shorter than a request header`);
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

// First flexible version per API key, from the message specs (TEMPORARY table: the codec's
// API_SPECS[apiKey].flexibleMin replaces it).
const FLEXIBLE_MIN: Record<number, number> = {
  0: 9, 1: 12, 2: 6, 3: 9, 7: 3, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 15: 5, 16: 3, 17: Infinity,
  18: 3, 19: 5, 20: 4, 21: 2, 22: 2, 23: 4, 32: 4, 33: 2, 35: 2, 36: 2, 37: 2, 42: 2, 44: 1, 60: 0,
};

export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === 7 && apiVersion === 0) return 0; // ControlledShutdown v0 has no ClientId
  const flexibleMin = FLEXIBLE_MIN[apiKey] ?? Infinity;
  return apiVersion >= flexibleMin ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === 18) return 0;
  const flexibleMin = FLEXIBLE_MIN[apiKey] ?? Infinity;
  return apiVersion >= flexibleMin ? 1 : 0;
}

function readUnsignedVarint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (pos >= buf.length) throw new MalformedHeaderError('truncated varint in request header');
    const b = buf[pos++]!;
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value >>> 0, pos];
  }
  throw new MalformedHeaderError('varint longer than 5 bytes in request header');
}

/** Decodes the whole header; returns it and the offset where the request body starts. */
export function decodeRequestHeader(frame: Buffer, headerVersion: number): { header: RequestHeader; bodyOffset: number } {
  const { apiKey, apiVersion, correlationId } = peekRouting(frame);
  let pos = 8;
  let clientId: string | null = null;
  if (headerVersion >= 1) {
    if (frame.length < pos + 2) throw new MalformedHeaderError('truncated ClientId length');
    const len = frame.readInt16BE(pos);
    pos += 2;
    if (len < -1) throw new MalformedHeaderError(`invalid ClientId length ${len}`);
    if (len >= 0) {
      if (frame.length < pos + len) throw new MalformedHeaderError('truncated ClientId');
      clientId = frame.toString('utf8', pos, pos + len);
      pos += len;
    }
  }
  if (headerVersion >= 2) {
    let count: number;
    [count, pos] = readUnsignedVarint(frame, pos);
    for (let i = 0; i < count; i++) {
      let size: number;
      [, pos] = readUnsignedVarint(frame, pos); // tag
      [size, pos] = readUnsignedVarint(frame, pos);
      if (frame.length < pos + size) throw new MalformedHeaderError('truncated tagged field in request header');
      pos += size;
    }
  }
  return { header: { apiKey, apiVersion, correlationId, clientId }, bodyOffset: pos };
}

/** A whole response frame: size prefix, response header, body. */
export function encodeResponseFrame(correlationId: number, headerVersion: number, body: Buffer): Buffer {
  const headerSize = headerVersion >= 1 ? 5 : 4;
  const out = Buffer.allocUnsafe(4 + headerSize + body.length);
  out.writeInt32BE(headerSize + body.length, 0);
  out.writeInt32BE(correlationId, 4);
  if (headerVersion >= 1) out[8] = 0; // no tagged fields
  body.copy(out, 4 + headerSize);
  return out;
}
