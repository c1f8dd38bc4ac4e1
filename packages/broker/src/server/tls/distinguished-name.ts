// The subject of an X.509 certificate as Kafka names it: Java's X500Principal.getName(), the
// RFC 2253 form that SslAuthenticator hands to the principal mapper. Parsed here from the
// certificate's DER (Node's own `subject` text loses the order and multi-valued RDNs):
// - RDNs most specific first, i.e. the reverse of the certificate's order: a subject written
//   /C=US/O=acme/OU=eng/CN=alice is CN=alice,OU=eng,O=acme,C=US;
// - AVAs of one multi-valued RDN joined with '+', in the certificate's order;
// - the RFC 2253 keywords Java uses (CN, C, L, ST, O, OU, STREET, DC, UID); any other attribute
//   (emailAddress, serialNumber, title, ...) as its dotted OID and '#' + the hex of its DER value,
//   e.g. 1.2.840.113549.1.9.1=#16...;
// - in string values, the characters , = + < > # ; " \ escaped with '\', as are leading and
//   trailing spaces (Java's AVA.toRFC2253String).
// Not done: Java's escaping of non-printable characters beyond NUL.

const KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

interface Tlv {
  tag: number;
  /** Start of the whole element (tag byte). */
  start: number;
  /** Start of its content. */
  content: number;
  end: number;
}

function readTlv(der: Uint8Array, at: number, limit = der.length): Tlv {
  if (at + 2 > limit) throw new Error('truncated DER');
  const tag = der[at]!;
  let len = der[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
  }
  if (p + len > limit) throw new Error('truncated DER');
  return { tag, start: at, content: p, end: p + len };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.content; p < parent.end; ) {
    const t = readTlv(der, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

function decodeOid(b: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function decodeString(tag: number, b: Uint8Array): string | null {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  switch (tag) {
    case 0x0c: // UTF8String
      return buf.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return buf.toString('latin1');
    case 0x14: // TeletexString (read as Latin-1, as Java does)
      return buf.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      const le = Buffer.from(buf);
      le.swap16();
      return le.toString('utf16le');
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < buf.length; i += 4) s += String.fromCodePoint(buf.readUInt32BE(i));
      return s;
    }
    default:
      return null;
  }
}

const SPECIALS = new Set([',', '=', '+', '<', '>', '#', ';', '"', '\\']);

/** Escapes an attribute value as Java's RFC 2253 output does (leading and trailing spaces too). */
export function escapeRfc2253(value: string): string {
  const chars = [...value];
  let lead = 0;
  while (lead < chars.length && chars[lead] === ' ') lead++;
  let trail = chars.length - 1;
  while (trail >= lead && chars[trail] === ' ') trail--;
  return chars.map((c, i) => (c === '\u0000' ? '\\00' : SPECIALS.has(c) || (c === ' ' && (i < lead || i > trail)) ? `\\${c}` : c)).join('');
}

/** RFC 2253 text of a DER-encoded X.500 Name (a SEQUENCE of RDN SETs). */
export function nameToRfc2253(der: Uint8Array, name: Tlv = readTlv(der, 0)): string {
  const rdns: string[] = [];
  for (const rdn of children(der, name)) {
    const avas: string[] = [];
    for (const ava of children(der, rdn)) {
      const [type, value] = children(der, ava);
      if (!type || !value || type.tag !== 0x06) throw new Error('bad AttributeTypeAndValue');
      const oid = decodeOid(der.subarray(type.content, type.end));
      const keyword = KEYWORDS[oid];
      const text = keyword ? decodeString(value.tag, der.subarray(value.content, value.end)) : null;
      if (keyword && text !== null) avas.push(`${keyword}=${escapeRfc2253(text)}`);
      else avas.push(`${keyword ?? oid}=#${Buffer.from(der.subarray(value.start, value.end)).toString('hex')}`);
    }
    rdns.push(avas.join('+'));
  }
  return rdns.reverse().join(',');
}

/** The subject of a DER certificate (e.g. tls.PeerCertificate.raw) in Java's RFC 2253 form. */
export function certificateSubject(cert: Uint8Array): string {
  const certificate = readTlv(cert, 0);
  const tbs = readTlv(cert, certificate.content, certificate.end);
  const fields = children(cert, tbs);
  // [0] version is optional; then serialNumber, signature, issuer, validity, subject
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (subject?.tag !== 0x30) throw new Error('certificate has no subject');
  return nameToRfc2253(cert, subject);
}
