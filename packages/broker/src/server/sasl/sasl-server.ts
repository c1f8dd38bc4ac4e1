// The mechanism side of a SASL exchange (javax.security.sasl.SaslServer as Kafka uses it): one
// instance per authentication, fed the client's tokens until complete, then naming the user.
// Two failures, as Kafka tells them apart in SaslServerAuthenticator:
// * SaslAuthenticationError: its message is sent to the client as is (PLAIN's "Authentication
//   failed: Invalid username or password").
// * SaslError: the client is told only "Authentication failed during authentication due to
//   invalid credentials with SASL mechanism <M>"; the message is logged.

export interface SaslServer {
  readonly mechanism: string;
  /** Processes one client token; returns the server's token (possibly empty). */
  evaluateResponse(token: Buffer): Promise<Buffer> | Buffer;
  readonly isComplete: boolean;
  /** The authenticated user, once complete. */
  readonly authorizationId: string;
}

/** A failure whose message the client is told. */
export class SaslAuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

/** A failure the client is told about only in general terms. */
export class SaslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslError';
  }
}
