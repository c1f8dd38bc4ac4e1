// SaslServerAuthenticator: the SASL state of one connection on a SASL_PLAINTEXT or SASL_SSL
// listener (Kafka's org.apache.kafka.common.security.authenticator.SaslServerAuthenticator, with
// KIP-152 SaslAuthenticate, KIP-368 re-authentication and KIP-43's legacy flow).
//
// Before authentication only ApiVersions (passed on to the dispatcher), SaslHandshake (17) and
// SaslAuthenticate (36) are served; any other request closes the connection (logged).
// * SaslHandshake v1 + SaslAuthenticate requests (librdkafka, KafkaJS, Java): each SASL token
//   travels in a SaslAuthenticate request; errors answer SASL_AUTHENTICATION_FAILED with a message.
// * SaslHandshake v0 + raw tokens (kafka-python's legacy flow): after the handshake each frame is
//   a bare token (size prefix, no Kafka header) answered by a bare size-prefixed token; a failure
//   cannot be answered and just closes the connection.
// An unknown or disabled mechanism answers UNSUPPORTED_SASL_MECHANISM with the enabled list, then
// closes. A failed login is logged (never the token or a password) and answered after
// connection.failed.authentication.delay.ms, then the connection closes (logged at INFO as Kafka's Selector does). Mechanism steps run
// through a shared Semaphore. A login sets the connection's principal User:<name>.
// connections.max.reauth.ms > 0: SaslAuthenticate v1+ tells SessionLifetimeMs; a SaslHandshake
// on an authenticated connection starts re-authentication (same mechanism and same principal
// required, at most once a second, as Kafka); a connection whose session expired is closed on its next other request.
// Not done: GSSAPI, OAUTHBEARER, delegation tokens.
import {
  API_SPECS,
  ApiKey,
  ErrorCode,
  Reader,
  decodeRequestHeader,
  encodeResponseFrame,
  type SaslAuthenticateResponse,
} from '@tributary/protocol';
import type { Logger } from '../../logger.ts';
import { CLOSE_CONNECTION, CloseAfterResponse, type ConnectionInfo, type FrameProcessor, type ResponseFrame } from '../connection.ts';
import type { KafkaPrincipal } from '../authorizer.ts';
import type { ListenerSaslConfig } from './sasl-config.ts';
import { PlainSaslServer } from './plain-server.ts';
import { SaslAuthenticationError, type SaslServer } from './sasl-server.ts';
import { ScramSaslServer, type ScramCredentialLookup } from './scram-server.ts';
import { scramMechanismByName } from './scram.ts';
import type { Semaphore } from './semaphore.ts';

type State = 'handshake' | 'authenticate' | 'authenticated' | 'failed';

/** Kafka's KafkaChannel.MIN_REAUTH_INTERVAL_ONE_SECOND_NANOS. */
const MIN_REAUTH_INTERVAL_MS = 1000;

export interface AuthenticatorDeps {
  readonly config: ListenerSaslConfig;
  readonly scramCredentials: ScramCredentialLookup;
  readonly semaphore: Semaphore;
  readonly log: Logger;
  /** Milliseconds clock (session expiry). */
  readonly now: () => number;
}

/** Kafka's general message for a failure whose details stay on the broker. */
export function invalidCredentialsMessage(mechanism: string, reauthenticating: boolean): string {
  return `Authentication failed during ${reauthenticating ? 're-authentication' : 'authentication'} due to invalid credentials with SASL mechanism ${mechanism}`;
}

export class SaslServerAuthenticator {
  private state: State = 'handshake';
  /** After SaslHandshake v0: frames are bare tokens. */
  private rawTokens = false;
  private server: SaslServer | null = null;
  private mechanism = '';
  /** A token is being evaluated (a client waits for its answer; anything else is a violation). */
  private busy = false;
  /** When the session ends (ms); Infinity without connections.max.reauth.ms. */
  private sessionExpiresAt = Infinity;
  /** When the last re-authentication started (ms); -Infinity before the first. */
  private lastReauthAt = -Infinity;
  /** Set while re-authenticating: the principal and mechanism of the session being renewed. */
  private previous: { principal: KafkaPrincipal; mechanism: string } | null = null;

  constructor(
    private readonly deps: AuthenticatorDeps,
    private readonly next: FrameProcessor,
  ) {}

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  process(frame: Buffer, conn: ConnectionInfo, signal: AbortSignal): ResponseFrame | Promise<ResponseFrame> {
    if (this.state === 'failed') return CLOSE_CONNECTION;
    if (this.busy) return this.violation(conn, 'a request arrived while a SASL token was being evaluated');
    if (this.state === 'authenticate' && this.rawTokens) return this.rawToken(frame, conn);
    if (frame.length < 8) return this.violation(conn, `request of ${frame.length} bytes is shorter than a request header`);
    const apiKey = frame.readInt16BE(0);
    switch (this.state) {
      case 'authenticated':
        // Kafka re-authenticates at most once a second; a SaslHandshake sooner goes to its handler (ILLEGAL_SASL_STATE)
        if (apiKey === ApiKey.SaslHandshake && this.deps.now() - this.lastReauthAt >= MIN_REAUTH_INTERVAL_MS) {
          this.lastReauthAt = this.deps.now();
          return this.handshake(frame, conn, true);
        }
        if (this.deps.now() >= this.sessionExpiresAt) {
          this.deps.log.info('closing connection: its SASL session expired (connections.max.reauth.ms)', this.who(conn));
          this.state = 'failed';
          return CLOSE_CONNECTION;
        }
        return this.next.process(frame, conn, signal);
      case 'handshake':
        if (apiKey === ApiKey.ApiVersions) return this.next.process(frame, conn, signal);
        if (apiKey === ApiKey.SaslHandshake) return this.handshake(frame, conn, false);
        return this.violation(conn, `Unexpected Kafka request of type ${apiName(apiKey)} during SASL handshake.`);
      case 'authenticate':
        if (apiKey === ApiKey.SaslAuthenticate) return this.authenticate(frame, conn);
        return this.violation(conn, `Unexpected Kafka request of type ${apiName(apiKey)} during SASL authentication.`);
    }
  }

  private who(conn: ConnectionInfo): Record<string, unknown> {
    return { id: conn.id, remote: `${conn.remoteAddress}:${conn.remotePort}`, listener: conn.listenerName };
  }

  private violation(conn: ConnectionInfo, reason: string): ResponseFrame {
    this.deps.log.warn('closing connection: request refused before SASL authentication completed', { ...this.who(conn), reason });
    this.state = 'failed';
    return CLOSE_CONNECTION;
  }

  private handshake(frame: Buffer, conn: ConnectionInfo, reauth: boolean): ResponseFrame {
    const decoded = decode(frame, ApiKey.SaslHandshake);
    if (!decoded) return this.violation(conn, 'malformed or unsupported SaslHandshake request');
    const { version, correlationId } = decoded;
    const mechanism = (decoded.body as { mechanism: string }).mechanism;
    const enabled = [...this.deps.config.enabledMechanisms];
    const answer = (errorCode: number) =>
      encodeResponseFrame(ApiKey.SaslHandshake, version, correlationId, { errorCode, mechanisms: enabled });
    if (reauth && (version < 1 || mechanism !== this.mechanism)) {
      const why =
        version < 1
          ? 're-authentication needs SaslHandshake v1'
          : `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${this.mechanism}'`;
      this.deps.log.warn('closing connection: re-authentication refused', { ...this.who(conn), reason: why });
      this.state = 'failed';
      return new CloseAfterResponse(answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM), why);
    }
    const server = enabled.includes(mechanism) ? this.createServer(mechanism) : null;
    if (!server) {
      const why = `Unsupported SASL mechanism ${mechanism}`;
      this.deps.log.warn('closing connection: SASL handshake refused', { ...this.who(conn), reason: why, enabled: enabled.join(',') });
      this.state = 'failed';
      return new CloseAfterResponse(answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM), why);
    }
    if (reauth) this.previous = { principal: conn.principal, mechanism: this.mechanism };
    this.server = server;
    this.mechanism = mechanism;
    this.rawTokens = version === 0;
    this.state = 'authenticate';
    return answer(ErrorCode.NONE);
  }

  private createServer(mechanism: string): SaslServer | null {
    if (mechanism === 'PLAIN') return new PlainSaslServer(this.deps.config.plainUsers);
    const scram = scramMechanismByName(mechanism);
    return scram ? new ScramSaslServer(scram, this.deps.scramCredentials) : null;
  }

  /** SaslAuthenticate (v1 handshake flow). */
  private async authenticate(frame: Buffer, conn: ConnectionInfo): Promise<ResponseFrame> {
    const decoded = decode(frame, ApiKey.SaslAuthenticate);
    if (!decoded) return this.violation(conn, 'malformed or unsupported SaslAuthenticate request');
    const { version, correlationId } = decoded;
    const token = (decoded.body as { authBytes: Buffer }).authBytes;
    const answer = (r: SaslAuthenticateResponse) => encodeResponseFrame(ApiKey.SaslAuthenticate, version, correlationId, r);
    const outcome = await this.evaluate(token, conn);
    if ('error' in outcome) {
      await this.failureDelay();
      return new CloseAfterResponse(
        answer({
          errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
          errorMessage: outcome.error,
          authBytes: Buffer.alloc(0),
          sessionLifetimeMs: 0n,
        }),
        'failed authentication',
      );
    }
    return answer({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: outcome.token,
      sessionLifetimeMs: BigInt(outcome.lifetimeMs),
    });
  }

  /** A bare token after SaslHandshake v0. */
  private async rawToken(frame: Buffer, conn: ConnectionInfo): Promise<ResponseFrame> {
    const outcome = await this.evaluate(frame, conn);
    if ('error' in outcome) {
      await this.failureDelay();
      return CLOSE_CONNECTION; // the legacy flow has no way to tell the client why
    }
    const out = Buffer.alloc(4 + outcome.token.length);
    out.writeInt32BE(outcome.token.length, 0);
    outcome.token.copy(out, 4);
    return out;
  }

  /** Runs one mechanism step; on completion installs the principal and the session expiry. */
  private async evaluate(token: Buffer, conn: ConnectionInfo): Promise<{ token: Buffer; lifetimeMs: number } | { error: string }> {
    const server = this.server!;
    const reauthenticating = this.previous !== null;
    this.busy = true;
    let response: Buffer;
    try {
      response = await this.deps.semaphore.run(() => server.evaluateResponse(token));
    } catch (err) {
      return this.fail(conn, err, reauthenticating);
    } finally {
      this.busy = false;
    }
    if (!server.isComplete) return { token: response, lifetimeMs: 0 };
    const principal: KafkaPrincipal = { type: 'User', name: server.authorizationId };
    if (this.previous && (this.previous.principal.type !== principal.type || this.previous.principal.name !== principal.name)) {
      const p = this.previous.principal;
      return this.fail(
        conn,
        new SaslAuthenticationError(
          `Cannot change principals during re-authentication from ${p.type}:${p.name}: ${principal.type}:${principal.name}`,
        ),
        true,
      );
    }
    conn.principal = principal;
    this.previous = null;
    this.server = null;
    this.state = 'authenticated';
    const lifetimeMs = this.deps.config.maxReauthMs;
    this.sessionExpiresAt = lifetimeMs > 0 ? this.deps.now() + lifetimeMs : Infinity;
    this.deps.log.debug('SASL authentication succeeded', {
      ...this.who(conn),
      mechanism: this.mechanism,
      principal: `User:${principal.name}`,
      reauthenticating,
    });
    return { token: response, lifetimeMs };
  }

  private fail(conn: ConnectionInfo, err: unknown, reauthenticating: boolean): { error: string } {
    this.state = 'failed';
    this.server = null;
    const detail = err instanceof Error ? err.message : String(err);
    const error = err instanceof SaslAuthenticationError ? detail : invalidCredentialsMessage(this.mechanism, reauthenticating);
    this.deps.log.info('failed authentication', { ...this.who(conn), mechanism: this.mechanism, reason: detail });
    return { error };
  }

  private failureDelay(): Promise<void> {
    const ms = this.deps.config.failedAuthenticationDelayMs;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}

/** The header and body of a SASL request, or null when it does not decode at a version served. */
function decode(frame: Buffer, apiKey: number): { version: number; correlationId: number; body: unknown } | null {
  try {
    const r = new Reader(frame);
    const header = decodeRequestHeader(r);
    if (header.apiKey !== apiKey) return null;
    const max = apiKey === ApiKey.SaslHandshake ? 1 : 2;
    if (header.apiVersion < 0 || header.apiVersion > max) return null;
    return {
      version: header.apiVersion,
      correlationId: header.correlationId,
      body: API_SPECS[apiKey]!.decodeRequest(r, header.apiVersion),
    };
  } catch {
    return null;
  }
}

function apiName(apiKey: number): string {
  return API_SPECS[apiKey]?.name ?? `unknown API key ${apiKey}`;
}
