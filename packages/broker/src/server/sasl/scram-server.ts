// SASL/SCRAM-SHA-256 and SCRAM-SHA-512 on the broker (RFC 5802/7677; Kafka's ScramSaslServer):
// client-first -> server-first (client nonce + a server nonce, the stored salt and iterations),
// client-final -> server-final (v=ServerSignature) once the proof verifies against StoredKey. The
// credentials come from the cluster metadata (UserScramCredentialRecord), stored salted: no
// password is ever known to the broker. Failures carry Kafka's messages ("Authentication failed:
// Invalid user credentials" for an unknown user, "Invalid client credentials" for a bad proof:
// both reach the client as Kafka's general SASL_AUTHENTICATION_FAILED message).
// The `tokenauth` extension (delegation tokens) is refused: delegation tokens are not done.
import {
  constantTimeEqual,
  digest,
  formatServerFirst,
  hmac,
  parseClientFinal,
  parseClientFirst,
  ScramFormatError,
  serverNonce,
  usernameOf,
  xor,
  type ClientFirstMessage,
  type ScramCredential,
  type ScramMechanism,
} from './scram.ts';
import { SaslAuthenticationError, SaslError, type SaslServer } from './sasl-server.ts';

/** Looks a user's credential up (the metadata image's SCRAM credentials). */
export type ScramCredentialLookup = (user: string, mechanism: ScramMechanism) => ScramCredential | undefined;

type State = 'client-first' | 'client-final' | 'complete' | 'failed';

export class ScramSaslServer implements SaslServer {
  private state: State = 'client-first';
  private user = '';
  private clientFirst: ClientFirstMessage | null = null;
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | null = null;

  constructor(
    private readonly m: ScramMechanism,
    private readonly lookup: ScramCredentialLookup,
    /** The server's part of the nonce (tests pass RFC 7677's). */
    private readonly newNonce: () => string = serverNonce,
  ) {}

  get mechanism(): string {
    return this.m.name;
  }

  get isComplete(): boolean {
    return this.state === 'complete';
  }

  get authorizationId(): string {
    if (this.state !== 'complete') throw new Error('Authentication exchange has not completed');
    return this.user;
  }

  evaluateResponse(token: Buffer): Buffer {
    try {
      switch (this.state) {
        case 'client-first':
          return this.onClientFirst(token);
        case 'client-final':
          return this.onClientFinal(token);
        default:
          throw new SaslError(`Unexpected SCRAM message in state ${this.state}`);
      }
    } catch (err) {
      this.state = 'failed';
      this.credential = null;
      if (err instanceof ScramFormatError) throw new SaslError(err.message);
      throw err;
    }
  }

  private onClientFirst(token: Buffer): Buffer {
    const first = parseClientFirst(token);
    if (first.extensions.get('tokenauth') === 'true') throw new SaslError('Authentication failed: delegation tokens are not supported');
    this.user = usernameOf(first.saslName);
    const credential = this.lookup(this.user, this.m);
    if (!credential) throw new SaslError('Authentication failed: Invalid user credentials');
    if (first.authorizationId !== '' && first.authorizationId !== this.user)
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    if (credential.iterations < this.m.minIterations)
      throw new SaslError(`Iterations ${credential.iterations} is less than the minimum ${this.m.minIterations} for ${this.m.name}`);
    this.clientFirst = first;
    this.credential = credential;
    this.nonce = first.nonce + this.newNonce();
    this.serverFirst = formatServerFirst(this.nonce, credential.salt, credential.iterations);
    this.state = 'client-final';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private onClientFinal(token: Buffer): Buffer {
    const final = parseClientFinal(token);
    const first = this.clientFirst!;
    const credential = this.credential!;
    // Kafka checks that the nonce ends with the server-first's (librdkafka sends its own nonce in front of it)
    if (!final.nonce.endsWith(this.nonce)) throw new SaslError('Invalid client nonce in the final client message.');
    if (!final.channelBinding.equals(Buffer.from(first.gs2Header, 'utf8')))
      throw new SaslError('Invalid channel binding in the final client message.');
    const authMessage = `${first.bare},${this.serverFirst},${final.withoutProof}`;
    const clientSignature = hmac(this.m, credential.storedKey, authMessage);
    if (final.proof.length !== clientSignature.length) throw new SaslError('Invalid client credentials');
    const clientKey = xor(final.proof, clientSignature);
    if (!constantTimeEqual(digest(this.m, clientKey), credential.storedKey)) throw new SaslError('Invalid client credentials');
    const serverSignature = hmac(this.m, credential.serverKey, authMessage);
    this.credential = null;
    this.state = 'complete';
    return Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8');
  }
}
