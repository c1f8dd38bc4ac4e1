// ssl.cipher.suites: Kafka (JSSE) names cipher suites by their IANA names
// (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); Node's `ciphers` option wants OpenSSL's
// (ECDHE-RSA-AES128-GCM-SHA256). This maps the suites OpenSSL 3 offers for TLS 1.2 and 1.3
// (AEAD and CBC with ECDHE, DHE or RSA key exchange). TLS 1.3 suites keep their names. Unknown names
// are a config error (JSSE fails on them too). Not mapped: PSK, SRP, CCM_8, ARIA and CAMELLIA suites,
// and TLS_EMPTY_RENEGOTIATION_INFO_SCSV (a signalling value, ignored).

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256'];

/** Key exchange + authentication, IANA to OpenSSL prefix. */
const KX: Record<string, string> = {
  ECDHE_ECDSA: 'ECDHE-ECDSA-',
  ECDHE_RSA: 'ECDHE-RSA-',
  DHE_RSA: 'DHE-RSA-',
  RSA: '',
};

/** Bulk cipher + MAC, IANA to OpenSSL suffix. */
const BULK: Record<string, string> = {
  AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
  AES_128_CBC_SHA256: 'AES128-SHA256',
  AES_256_CBC_SHA384: 'AES256-SHA384',
  AES_256_CBC_SHA256: 'AES256-SHA256',
  AES_128_CBC_SHA: 'AES128-SHA',
  AES_256_CBC_SHA: 'AES256-SHA',
  AES_128_CCM: 'AES128-CCM',
  AES_256_CCM: 'AES256-CCM',
};

const SCSV = 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV';

/** The OpenSSL name of an IANA cipher suite name, or null when it has none here. */
export function opensslCipherName(iana: string): string | null {
  const name = iana.trim().toUpperCase();
  if (TLS13.includes(name)) return name;
  const m = /^(?:TLS|SSL)_(ECDHE_ECDSA|ECDHE_RSA|DHE_RSA|RSA)_WITH_([A-Z0-9_]+)$/.exec(name);
  if (!m) return null;
  const bulk = BULK[m[2]!];
  if (bulk === undefined) return null;
  // ECDHE-RSA-AES128-SHA and DHE-RSA-AES128-SHA follow the pattern; plain RSA CCM is AES128-CCM.
  return KX[m[1]!] + bulk;
}

/** Node's `ciphers` string for ssl.cipher.suites; undefined for an empty list (Node's defaults). */
export function opensslCipherList(suites: readonly string[]): string | undefined {
  const names: string[] = [];
  for (const s of suites) {
    if (s.trim().toUpperCase() === SCSV) continue;
    const n = opensslCipherName(s);
    if (n === null) throw new Error(`ssl.cipher.suites: unknown cipher suite ${s}`);
    names.push(n);
  }
  return names.length ? names.join(':') : undefined;
}

/** ssl.cipher.suites' validator: every name must map. */
export function validateCipherSuites(suites: string[]): string | undefined {
  const bad = suites.filter((s) => s.trim().toUpperCase() !== SCSV && opensslCipherName(s) === null);
  return bad.length
    ? `unknown cipher suite${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`
    : undefined;
}
