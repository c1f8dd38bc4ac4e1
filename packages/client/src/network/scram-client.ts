// The client side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802/7677, Kafka's ScramSaslClient):
// client-first "n,,n=<saslname>,r=<nonce>", then from the server-first (nonce, salt, iterations)
// the client-final with its proof, then the server-final's signature is verified (a broker that
// does not know the password cannot fake it). Also the salting AlterUserScramCredentials needs
// (kafka-configs salts and hashes client-side). Through node:crypto; PBKDF2 is async.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

const HASH: Record<ScramMechanismName, { hash: 'sha256' | 'sha512'; keyLength: number; type: 1 | 2 }> = {
  'SCRAM-SHA-256': { hash: 'sha256', keyLength: 32, type: 1 },
  'SCRAM-SHA-512': { hash: 'sha512', keyLength: 64, type: 2 },
};

/** Kafka's ScramMechanism type of a mechanism name (1, 2), or undefined. */
export function scramMechanismType(name: string): 1 | 2 | undefined {
  return (HASH as Record<string, { type: 1 | 2 }>)[name]?.type;
}

export function scramMechanismName(type: number): ScramMechanismName | undefined {
  return type === 1 ? 'SCRAM-SHA-256' : type === 2 ? 'SCRAM-SHA-512' : undefined;
}

/** Hi(password, salt, iterations): the salted password. */
export function scramSaltedPassword(mechanism: ScramMechanismName, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const { hash, keyLength } = HASH[mechanism];
  return new Promise((resolve, reject) =>
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, keyLength, hash, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const saslName = (user: string) => user.replaceAll('=', '=3D').replaceAll(',', '=2C');

export class ScramClient {
  private readonly nonce = randomBytes(24).toString('base64url');
  private readonly firstBare: string;
  private expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanismName,
    username: string,
    private readonly password: string,
  ) {
    this.firstBare = `n=${saslName(username)},r=${this.nonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.firstBare}`, 'utf8');
  }

  /** The client-final for a server-first; throws when the server-first is malformed. */
  async clientFinal(serverFirst: Buffer): Promise<Buffer> {
    const text = serverFirst.toString('utf8');
    const attrs = new Map(text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce?.startsWith(this.nonce) || nonce.length === this.nonce.length || !salt || !Number.isInteger(iterations) || iterations < 1)
      throw new Error(`invalid SCRAM server-first message "${text.slice(0, 100)}"`);
    const { hash } = HASH[this.mechanism];
    const salted = await scramSaltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
    const clientKey = createHmac(hash, salted).update('Client Key').digest();
    const storedKey = createHash(hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.firstBare},${text},${withoutProof}`;
    const signature = createHmac(hash, storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    const serverKey = createHmac(hash, salted).update('Server Key').digest();
    this.expectedServerSignature = createHmac(hash, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Verifies the server-final's signature; throws when it is wrong or an error. */
  verifyServerFinal(serverFinal: Buffer): void {
    const text = serverFinal.toString('utf8');
    if (text.startsWith('e=')) throw new Error(`SCRAM server error: ${text.slice(2)}`);
    const v = text.startsWith('v=') ? Buffer.from(text.slice(2), 'base64') : Buffer.alloc(0);
    const expected = this.expectedServerSignature;
    if (!expected || v.length !== expected.length || !timingSafeEqual(v, expected)) throw new Error('invalid SCRAM server signature');
  }
}
