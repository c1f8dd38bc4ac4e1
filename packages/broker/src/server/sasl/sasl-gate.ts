// SaslGate: the FrameProcessor in front of the RequestDispatcher. On listeners whose security
// protocol starts with SASL_ (SASL_PLAINTEXT here; SASL_SSL is the TLS socket with the same gate)
// each connection gets a SaslServerAuthenticator that serves the SASL exchange and lets requests
// through once authenticated; other listeners go straight to the dispatcher. Built from the
// broker's configuration: each SASL listener's settings are resolved and checked up front (a
// SaslConfigError names the setting), and every connection shares one Semaphore bounding
// concurrent mechanism steps.
import type { BrokerConfig } from '../../config/broker-config.ts';
import type { Logger } from '../../logger.ts';
import type { ConnectionInfo, FrameProcessor, ResponseFrame } from '../connection.ts';
import { listenerSaslConfig, type ListenerSaslConfig } from './sasl-config.ts';
import { SaslServerAuthenticator } from './sasl-authenticator.ts';
import type { ScramCredentialLookup } from './scram-server.ts';
import { Semaphore } from './semaphore.ts';

/** Concurrent SASL mechanism steps per broker. */
export const SASL_CONCURRENCY = 4;

export function isSaslProtocol(protocol: string | undefined): boolean {
  return protocol?.startsWith('SASL_') === true;
}

export interface SaslGateOptions {
  /** SASL settings per listener name (upper-case). */
  listeners: ReadonlyMap<string, ListenerSaslConfig>;
  scramCredentials: ScramCredentialLookup;
  log: Logger;
  now?: () => number;
  concurrency?: number;
}

export class SaslGate implements FrameProcessor {
  private readonly sessions = new WeakMap<ConnectionInfo, SaslServerAuthenticator>();
  private readonly semaphore: Semaphore;

  constructor(
    private readonly next: FrameProcessor,
    private readonly options: SaslGateOptions,
  ) {
    this.semaphore = new Semaphore(options.concurrency ?? SASL_CONCURRENCY);
  }

  recyclable(frame: Buffer): boolean {
    return this.next.recyclable?.(frame) ?? false;
  }

  oneInFlight(frame: Buffer): boolean {
    return this.next.oneInFlight?.(frame) ?? false;
  }

  process(frame: Buffer, conn: ConnectionInfo, signal: AbortSignal): ResponseFrame | Promise<ResponseFrame> {
    if (!isSaslProtocol(conn.securityProtocol)) return this.next.process(frame, conn, signal);
    let auth = this.sessions.get(conn);
    if (!auth) {
      const config = this.options.listeners.get(conn.listenerName);
      if (!config) throw new Error(`listener ${conn.listenerName} has no SASL configuration`);
      auth = new SaslServerAuthenticator(
        {
          config,
          scramCredentials: this.options.scramCredentials,
          semaphore: this.semaphore,
          log: this.options.log,
          now: this.options.now ?? Date.now,
        },
        this.next,
      );
      this.sessions.set(conn, auth);
    }
    return auth.process(frame, conn, signal);
  }
}

/** The SASL settings of every SASL listener among `listeners` (throws SaslConfigError). */
export function saslListenerConfigs(
  config: BrokerConfig,
  listeners: ReadonlyArray<{ name: string; securityProtocol?: string }>,
): Map<string, ListenerSaslConfig> {
  const out = new Map<string, ListenerSaslConfig>();
  for (const l of listeners) if (isSaslProtocol(l.securityProtocol)) out.set(l.name, listenerSaslConfig(config, l.name));
  return out;
}
