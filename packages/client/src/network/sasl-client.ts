// SASL authentication of one client connection (Kafka's SaslClientAuthenticator): after
// ApiVersions, SaslHandshake v1 with the mechanism, then the mechanism's tokens in SaslAuthenticate
// requests: PLAIN (RFC 4616: one token "\0user\0password") or SCRAM-SHA-256/512 (scram-client.ts).
// A refusal (UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED) is a non-retriable
// KafkaClientError naming the error and carrying the broker's message; the broker closes the
// connection after it. The password never appears in an error.
// Not done: re-authentication before the broker's SessionLifetimeMs (KIP-368): the connection is
// closed by the broker and the client reconnects.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import { KafkaClientError } from './errors.ts';
import { ScramClient, type ScramMechanismName } from './scram-client.ts';

export interface SaslOptions {
  mechanism: 'PLAIN' | ScramMechanismName;
  username: string;
  password: string;
}

/** What the authenticator needs of a connection: requests at an explicit version. */
export interface SaslTransport {
  readonly broker: string;
  saslRequest(apiKey: typeof ApiKey.SaslHandshake, body: { mechanism: string }): Promise<{ errorCode: number; mechanisms: string[] }>;
  saslRequest(
    apiKey: typeof ApiKey.SaslAuthenticate,
    body: { authBytes: Buffer },
  ): Promise<{ errorCode: number; errorMessage: string | null; authBytes: Buffer }>;
}

function failure(broker: string, code: number, message: string | null, what: string): KafkaClientError {
  const name = errorInfo(code).name;
  return new KafkaClientError(`${what} with ${broker} failed: ${name}${message ? ` (${message})` : ''}`, name, false, { code, broker });
}

export async function saslAuthenticate(t: SaslTransport, sasl: SaslOptions): Promise<void> {
  const hs = await t.saslRequest(ApiKey.SaslHandshake, { mechanism: sasl.mechanism });
  if (hs.errorCode !== ErrorCode.NONE)
    throw failure(
      t.broker,
      hs.errorCode,
      `mechanism ${sasl.mechanism}; the broker enables ${hs.mechanisms.join(', ') || 'none'}`,
      'SASL handshake',
    );
  const step = async (token: Buffer): Promise<Buffer> => {
    const r = await t.saslRequest(ApiKey.SaslAuthenticate, { authBytes: token });
    if (r.errorCode !== ErrorCode.NONE) throw failure(t.broker, r.errorCode, r.errorMessage, `SASL ${sasl.mechanism} authentication`);
    return r.authBytes;
  };
  if (sasl.mechanism === 'PLAIN') {
    await step(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
    return;
  }
  const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
  const serverFirst = await step(scram.clientFirst());
  let final: Buffer;
  try {
    final = await scram.clientFinal(serverFirst);
  } catch (err) {
    throw new KafkaClientError(
      `SASL ${sasl.mechanism} authentication with ${t.broker} failed: ${(err as Error).message}`,
      'SASL_AUTHENTICATION_FAILED',
      false,
      { broker: t.broker },
    );
  }
  const serverFinal = await step(final);
  try {
    scram.verifyServerFinal(serverFinal);
  } catch (err) {
    throw new KafkaClientError(
      `SASL ${sasl.mechanism} authentication with ${t.broker} failed: ${(err as Error).message}`,
      'SASL_AUTHENTICATION_FAILED',
      false,
      { broker: t.broker },
    );
  }
}
