// SCRAM (RFC 5802, RFC 7677) as Kafka implements it (org.apache.kafka.common.security.scram
// .internals: ScramMechanism, ScramFormatter, ScramMessages): the two mechanisms, their hashes and
// minimum iterations, the key derivations (Hi = PBKDF2, ClientKey, StoredKey, ServerKey, proofs and
// signatures) and the message grammar of client-first, server-first, client-final and server-final.
// Channel binding: only the gs2 header "n,," (or "n,a=<authzid>,"), as Kafka; "y" and "p=" are
// refused. Through node:crypto (async PBKDF2 so salting never blocks the event loop).
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramMechanism {
  readonly name: ScramMechanismName;
  /** Kafka's ScramMechanism type (AlterUserScramCredentials, UserScramCredentialRecord). */
  readonly type: 1 | 2;
  readonly hash: 'sha256' | 'sha512';
  readonly keyLength: number;
  readonly minIterations: number;
}

export const SCRAM_SHA_256: ScramMechanism = { name: 'SCRAM-SHA-256', type: 1, hash: 'sha256', keyLength: 32, minIterations: 4096 };
export const SCRAM_SHA_512: ScramMechanism = { name: 'SCRAM-SHA-512', type: 2, hash: 'sha512', keyLength: 64, minIterations: 4096 };

/** The largest iteration count Kafka's AlterUserScramCredentials accepts. */
export const MAX_ITERATIONS = 16384;

export function scramMechanismByName(name: string): ScramMechanism | undefined {
  return name === SCRAM_SHA_256.name ? SCRAM_SHA_256 : name === SCRAM_SHA_512.name ? SCRAM_SHA_512 : undefined;
}

export function scramMechanismByType(type: number): ScramMechanism | undefined {
  return type === 1 ? SCRAM_SHA_256 : type === 2 ? SCRAM_SHA_512 : undefined;
}

/** A stored credential (Kafka's ScramCredential): never the password. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export const hmac = (m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer => createHmac(m.hash, key).update(data).digest();
export const digest = (m: ScramMechanism, data: Buffer): Buffer => createHash(m.hash).update(data).digest();

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new Error('SCRAM: arguments of different lengths');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC (async: runs on the libuv pool). */
export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, m.keyLength, m.hash, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** The stored credential of a salted password (what the broker keeps, as Kafka's ScramFormatter.generateCredential). */
export function credentialFromSaltedPassword(m: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, storedKey: digest(m, clientKey), serverKey: hmac(m, salted, 'Server Key'), iterations };
}

export async function generateCredential(m: ScramMechanism, password: string, iterations: number, salt = randomBytes(32)) {
  return credentialFromSaltedPassword(m, await saltedPassword(m, password, salt, iterations), salt, iterations);
}

export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A nonce of printable characters without ',' (Kafka's ScramFormatter.secureRandomString). */
export function serverNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** saslname -> username: "=2C" is ',' and "=3D" is '='; any other '=' is malformed (RFC 5802). */
export function usernameOf(saslName: string): string {
  if (/=(?!2C|3D)/.test(saslName)) throw new ScramFormatError('Invalid username: ' + saslName);
  return saslName.replaceAll('=2C', ',').replaceAll('=3D', '=');
}

/** username -> saslname. */
export function saslNameOf(username: string): string {
  return username.replaceAll('=', '=3D').replaceAll(',', '=2C');
}

export class ScramFormatError extends Error {}

const VALUE = '[\\x21-\\x2B\\x2D-\\x7E]*'; // printable, no ','
const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const CLIENT_FIRST = new RegExp(`^n,(?:a=(${SASLNAME}))?,n=(${SASLNAME}),r=(${VALUE})((?:,[A-Za-z]+=[^,]*)*)$`);
const CLIENT_FINAL = new RegExp(`^c=([A-Za-z0-9+/=]*),r=(${VALUE})((?:,[A-Za-z]+=[^,]*)*),p=([A-Za-z0-9+/=]+)$`);

export interface ClientFirstMessage {
  /** "n,," or "n,a=<authzid>," */
  readonly gs2Header: string;
  readonly authorizationId: string;
  readonly saslName: string;
  readonly nonce: string;
  readonly extensions: ReadonlyMap<string, string>;
  /** The message without the gs2 header (part of AuthMessage). */
  readonly bare: string;
}

function extensionsOf(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of s.split(',').filter(Boolean)) {
    const eq = kv.indexOf('=');
    out.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return out;
}

export function parseClientFirst(bytes: Buffer): ClientFirstMessage {
  const text = bytes.toString('utf8');
  const m = CLIENT_FIRST.exec(text);
  if (!m) throw new ScramFormatError('Invalid SCRAM client first message format: ' + printable(text));
  const authorizationId = m[1] ? usernameOf(m[1]) : '';
  const gs2Header = `n,${m[1] ? `a=${m[1]}` : ''},`;
  return { gs2Header, authorizationId, saslName: m[2]!, nonce: m[3]!, extensions: extensionsOf(m[4]!), bare: text.slice(gs2Header.length) };
}

export function formatServerFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

export interface ClientFinalMessage {
  readonly channelBinding: Buffer;
  readonly nonce: string;
  readonly proof: Buffer;
  /** The message without ",p=<proof>" (part of AuthMessage). */
  readonly withoutProof: string;
}

export function parseClientFinal(bytes: Buffer): ClientFinalMessage {
  const text = bytes.toString('utf8');
  const m = CLIENT_FINAL.exec(text);
  if (!m) throw new ScramFormatError('Invalid SCRAM client final message format: ' + printable(text.replace(/,p=.*$/, ',p=...')));
  return {
    channelBinding: Buffer.from(m[1]!, 'base64'),
    nonce: m[2]!,
    proof: Buffer.from(m[4]!, 'base64'),
    withoutProof: text.slice(0, text.lastIndexOf(',p=')),
  };
}

/** At most 100 printable characters of a malformed message, for errors and logs (no proofs). */
function printable(s: string): string {
  const t = s.replace(/[^\x20-\x7e]/g, '?');
  return t.length > 100 ? t.slice(0, 100) + '...' : t;
}
