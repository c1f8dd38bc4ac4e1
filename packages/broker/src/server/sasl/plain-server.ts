// SASL/PLAIN on the broker (RFC 4616; Kafka's PlainSaslServer with PlainServerCallbackHandler):
// one client token `authzid NUL authcid NUL passwd`, checked against the listener's JAAS users
// (`user_<name>="<password>"`). The authorization id must be empty or equal to the user name.
// Messages are Kafka's. Passwords are compared in constant time and never appear in an error.
import { timingSafeEqual, createHash } from 'node:crypto';
import { SaslAuthenticationError, SaslError, type SaslServer } from './sasl-server.ts';

export class PlainSaslServer implements SaslServer {
  readonly mechanism = 'PLAIN';
  private complete = false;
  private user = '';

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  get isComplete(): boolean {
    return this.complete;
  }

  get authorizationId(): string {
    if (!this.complete) throw new Error('Authentication exchange has not completed');
    return this.user;
  }

  evaluateResponse(token: Buffer): Buffer {
    if (this.complete) throw new SaslError('PLAIN authentication already complete');
    const parts = splitPlain(token);
    if (parts.length !== 3) throw new SaslError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`);
    const [authzid, username, password] = parts as [string, string, string];
    if (username === '') throw new SaslError('Authentication failed: username not specified');
    if (password === '') throw new SaslError('Authentication failed: password not specified');
    const expected = this.users.get(username);
    if (expected === undefined || !samePassword(expected, password))
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== username)
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    this.user = username;
    this.complete = true;
    return Buffer.alloc(0);
  }
}

/** The NUL-separated fields of a PLAIN message (Kafka's PlainSaslServer.extractTokens). */
export function splitPlain(token: Buffer): string[] {
  return token.toString('utf8').split('\u0000');
}

function samePassword(a: string, b: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a === b;
}
