// Builds Node's TLS options from a listener's SslSettings: reads the PEM key store (one file with
// the private key and the certificate chain, or the inline key and chain) and the PEM trust store,
// checks them (a key and at least one certificate; the key decrypts with ssl.key.password; Node
// accepts the pair) and answers the options of tls.createServer / server.setSecureContext for a
// listener, or of tls.connect for this broker's own outbound connections. Errors name the file and
// what is wrong, never a key or a password.
// ssl.client.auth: required = requestCert + rejectUnauthorized; requested = requestCert only (the
// SocketServer refuses a certificate that does not verify, as Java's TrustManager would); none.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { SslSettings } from './ssl-settings.ts';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

interface PemBlocks {
  keys: string[];
  certificates: string[];
}

function pemBlocks(text: string): PemBlocks {
  const out: PemBlocks = { keys: [], certificates: [] };
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1] === 'CERTIFICATE' || m[1] === 'TRUSTED CERTIFICATE') out.certificates.push(m[0]);
    else if (m[1]!.endsWith('PRIVATE KEY')) out.keys.push(m[0]);
  }
  return out;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The key, chain and CAs of the settings, read and checked. */
export interface SslMaterial {
  key?: string;
  cert?: string;
  passphrase?: string;
  ca?: string[];
}

export function loadSslMaterial(s: SslSettings): SslMaterial {
  const out: SslMaterial = {};
  if (s.keyStore) {
    const where = 'location' in s.keyStore ? `key store ${s.keyStore.location}` : 'ssl.keystore.key / ssl.keystore.certificate.chain';
    const blocks =
      'location' in s.keyStore
        ? pemBlocks(readPem(s.keyStore.location, 'key store'))
        : { keys: pemBlocks(s.keyStore.key).keys, certificates: pemBlocks(s.keyStore.certificateChain).certificates };
    if (blocks.keys.length !== 1) throw new Error(`${where}: expected one private key in PEM, found ${blocks.keys.length}`);
    if (blocks.certificates.length === 0) throw new Error(`${where}: no certificate in PEM`);
    try {
      createPrivateKey({ key: blocks.keys[0]!, format: 'pem', passphrase: s.keyPassword ?? undefined });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      throw new Error(
        `${where}: the private key cannot be read${s.keyPassword === null ? ' (encrypted? set ssl.key.password)' : ' with ssl.key.password'} (${code || 'invalid key'})`,
      );
    }
    out.key = blocks.keys[0]!;
    out.cert = blocks.certificates.join('\n');
    if (s.keyPassword !== null) out.passphrase = s.keyPassword;
  }
  if (s.trustStore) {
    const where = 'location' in s.trustStore ? `trust store ${s.trustStore.location}` : 'ssl.truststore.certificates';
    const text = 'location' in s.trustStore ? readPem(s.trustStore.location, 'trust store') : s.trustStore.certificates;
    const certs = pemBlocks(text).certificates;
    if (certs.length === 0) throw new Error(`${where}: no certificate in PEM`);
    out.ca = certs;
  }
  // Node checks the key matches the certificate, and parses everything once more.
  try {
    tls.createSecureContext(commonOptions(s, out));
  } catch (err) {
    throw new Error(`listener ${s.listenerName}: the SSL key store or trust store is not usable (${(err as Error).message})`);
  }
  return out;
}

function commonOptions(s: SslSettings, m: SslMaterial): tls.SecureContextOptions {
  return {
    key: m.key,
    cert: m.cert,
    passphrase: m.passphrase,
    ca: m.ca,
    minVersion: s.minVersion,
    maxVersion: s.maxVersion,
    ciphers: s.ciphers,
  };
}

/** Options for tls.createServer (and setSecureContext) on a listener. */
export function serverTlsOptions(s: SslSettings, m: SslMaterial): tls.TlsOptions {
  if (!m.key)
    throw new Error(
      `listener ${s.listenerName}: an SSL listener needs ssl.keystore.location (or ssl.keystore.key and ssl.keystore.certificate.chain)`,
    );
  return {
    ...commonOptions(s, m),
    requestCert: s.clientAuth !== 'none',
    rejectUnauthorized: s.clientAuth === 'required',
  };
}

/** Options for tls.connect from this broker to another's SSL listener (the client certificate is this broker's key store). */
export function clientTlsOptions(s: SslSettings, m: SslMaterial): tls.ConnectionOptions {
  return {
    ...commonOptions(s, m),
    rejectUnauthorized: true,
    ...(s.endpointIdentification ? {} : { checkServerIdentity: () => undefined }),
  };
}
