// TEMPORARY hand-written ApiVersions codec, to be deleted when the generated codec
// (`@tributary/protocol` generated/api-versions-*.ts) is merged into main.
//
// Request v0-2: empty. v3+ (flexible): ClientSoftwareName compact string, ClientSoftwareVersion
// compact string, tagged fields.
// Response v0: ErrorCode int16 | ApiKeys int32 count, each ApiKey int16 MinVersion int16 MaxVersion int16
// v1-2: v0 + ThrottleTimeMs int32
// v3-4: ErrorCode int16 | ApiKeys compact array (uvarint count+1), each entry + empty tagged fields |
//       ThrottleTimeMs int32 | tagged fields (SupportedFeatures etc., none written)
import type { MessageCodec } from './registry.ts';

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionsResponseKey {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseKey[];
  throttleTimeMs: number;
}

function readUvarint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value >>> 0, pos];
  }
  throw new Error('varint too long');
}

function readCompactString(buf: Buffer, pos: number): [string, number] {
  let n: number;
  [n, pos] = readUvarint(buf, pos);
  if (n === 0) throw new Error('null where a string is required');
  const len = n - 1;
  if (pos + len > buf.length) throw new Error('truncated string');
  return [buf.toString('utf8', pos, pos + len), pos + len];
}

function uvarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

export const temporaryApiVersionsCodec: MessageCodec<ApiVersionsRequest, ApiVersionsResponse> = {
  decodeRequest(body, version) {
    if (version < 3) return { clientSoftwareName: '', clientSoftwareVersion: '' };
    let pos = 0;
    let clientSoftwareName: string;
    let clientSoftwareVersion: string;
    [clientSoftwareName, pos] = readCompactString(body, pos);
    [clientSoftwareVersion, pos] = readCompactString(body, pos);
    let tags: number;
    [tags, pos] = readUvarint(body, pos);
    for (let i = 0; i < tags; i++) {
      let size: number;
      [, pos] = readUvarint(body, pos);
      [size, pos] = readUvarint(body, pos);
      if (pos + size > body.length) throw new Error('truncated tagged field');
      pos += size;
    }
    return { clientSoftwareName, clientSoftwareVersion };
  },

  encodeResponse(res, version) {
    const flexible = version >= 3;
    const bytes: number[] = [];
    const i16 = (v: number) => bytes.push((v >> 8) & 0xff, v & 0xff);
    const i32 = (v: number) => bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    i16(res.errorCode);
    if (flexible) bytes.push(...uvarint(res.apiKeys.length + 1));
    else i32(res.apiKeys.length);
    for (const k of res.apiKeys) {
      i16(k.apiKey);
      i16(k.minVersion);
      i16(k.maxVersion);
      if (flexible) bytes.push(0);
    }
    if (version >= 1) i32(res.throttleTimeMs);
    if (flexible) bytes.push(0);
    return Buffer.from(bytes);
  },
};
