// Test PKI made with the openssl CLI in a temporary directory: a CA, a server certificate for
// 127.0.0.1 and localhost, client certificates with chosen subjects, and PEM key stores (private
// key + certificate chain in one file, as ssl.keystore.location takes them). RSA 2048 keys (the
// cipher tests use ECDHE_RSA suites), PKCS#8, optionally encrypted. Each certificate gets a random
// serial number. Remove the directory with `cleanup()`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  /** PEM private key (PKCS#8; encrypted when a password was given). */
  key: string;
  /** PEM certificate. */
  cert: string;
  /** PEM key store: the key then the certificate chain (the certificate, then its CA). */
  keystore: string;
  /** The certificate's serial number, upper-case hex as Node reports it. */
  serial: string;
}

export interface TestPki {
  dir: string;
  ca: CertFiles;
  /** A certificate for 127.0.0.1 and localhost signed by the CA. */
  server: CertFiles;
  /** Issues a certificate signed by `ca` (default: the test CA). */
  issue(name: string, subject: string, opts?: { ca?: CertFiles; password?: string; san?: string }): CertFiles;
  /** Another self-signed CA (for "wrong CA" tests). */
  newCa(name: string, subject?: string): CertFiles;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function serialHex(): string {
  const b = randomBytes(8);
  b[0] = (b[0]! & 0x7f) | 0x10; // positive, no leading zero byte
  return b.toString('hex').toUpperCase();
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pki-'));
  const newCa = (name: string, subject = `/CN=Tributary Test CA ${name}`): CertFiles => {
    const serial = serialHex();
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '3']
        .concat(['-subj', subject, '-set_serial', `0x${serial}`])
        .concat(['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
      dir,
    );
    const files = { key: join(dir, `${name}.key`), cert: join(dir, `${name}.crt`), keystore: join(dir, `${name}.keystore.pem`), serial };
    writeFileSync(files.keystore, readFileSync(files.key, 'utf8') + readFileSync(files.cert, 'utf8'));
    return files;
  };
  const ca = newCa('ca');
  const issue = (name: string, subject: string, opts: { ca?: CertFiles; password?: string; san?: string } = {}): CertFiles => {
    const signer = opts.ca ?? ca;
    const serial = serialHex();
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.plain.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, `basicConstraints=CA:FALSE\n${opts.san ? `subjectAltName=${opts.san}\n` : ''}`);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', signer.cert, '-CAkey', signer.key, '-set_serial', `0x${serial}`].concat([
        '-days',
        '2',
        '-out',
        `${name}.crt`,
        '-extfile',
        ext,
      ]),
      dir,
    );
    if (opts.password !== undefined)
      openssl(
        ['pkcs8', '-topk8', '-in', `${name}.plain.key`, '-out', `${name}.key`, '-v2', 'aes-256-cbc', '-passout', `pass:${opts.password}`],
        dir,
      );
    else openssl(['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.plain.key`, '-out', `${name}.key`], dir);
    const files = { key: join(dir, `${name}.key`), cert: join(dir, `${name}.crt`), keystore: join(dir, `${name}.keystore.pem`), serial };
    writeFileSync(files.keystore, readFileSync(files.key, 'utf8') + readFileSync(files.cert, 'utf8') + readFileSync(signer.cert, 'utf8'));
    return files;
  };
  const server = issue('server', '/C=US/O=Tributary/CN=localhost', { san: 'IP:127.0.0.1,DNS:localhost' });
  return { dir, ca, server, issue, newCa, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
