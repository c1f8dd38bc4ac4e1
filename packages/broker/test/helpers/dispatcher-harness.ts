// A RequestDispatcher behind a Connection on an in-memory duplex pair, with no broker and no
// socket: for tests of the dispatcher and of handlers that fail before they reach the broker's
// services. The services hold only a logger that records what is logged; anything else a handler
// reaches for is undefined.
import {
  API_SPECS,
  Reader,
  decodeResponseHeader,
  encodeRequestFrame,
  type ApiKey,
  type Encodable,
  type RequestOf,
  type ResponseOf,
} from '@tributary/protocol';
import { Connection, type ConnectionLimits } from '../../src/server/connection.ts';
import { RequestDispatcher } from '../../src/server/request-dispatcher.ts';
import { ANONYMOUS, type Authorizer } from '../../src/server/authorizer.ts';
import type { HandlerRegistry } from '../../src/server/handler-registry.ts';
import type { BrokerServices } from '../../src/services.ts';
import type { Logger } from '../../src/logger.ts';
import { duplexPair } from './duplex-pair.ts';
import { wireClient, type WireClient } from './wire-client.ts';

const LIMITS: ConnectionLimits = { maxFrameBytes: 1 << 20, idleMs: 0, maxInFlightRequests: 100, maxInFlightBytes: 1 << 24 };

export interface LogEntry {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(entries: LogEntry[]): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void entries.push({ level, msg, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface DispatcherHarness {
  connection: Connection;
  wire: WireClient;
  logged: LogEntry[];
  /** Sends one request frame (the correlation id is the caller's). */
  send<K extends ApiKey>(apiKey: K, version: number, correlationId: number, body: Encodable<RequestOf<K>>): void;
  /** Reads the next response frame and decodes it as (apiKey, version); throws unless every byte is read. */
  response<K extends ApiKey>(apiKey: K, version: number): Promise<{ correlationId: number; body: ResponseOf<K> }>;
}

let nextConnectionId = 1;

export function openDispatcher(
  registry: HandlerRegistry,
  options: { services?: Partial<BrokerServices>; authorizer?: Authorizer } = {},
): DispatcherHarness {
  const logged: LogEntry[] = [];
  const services = { log: recordingLogger(logged), ...options.services } as BrokerServices;
  const dispatcher = new RequestDispatcher(registry, () => services, options.authorizer);
  const [server, client] = duplexPair();
  const info = { id: nextConnectionId++, remoteAddress: '127.0.0.1', remotePort: 40000, listenerName: 'PLAINTEXT', principal: ANONYMOUS };
  const connection = new Connection(server, info, dispatcher, LIMITS, recordingLogger(logged));
  const wire = wireClient(client);
  return {
    connection,
    wire,
    logged,
    send(apiKey, version, correlationId, body) {
      wire.send(encodeRequestFrame({ apiKey, apiVersion: version, correlationId, clientId: 'test' }, body));
    },
    async response(apiKey, version) {
      const [frame] = await wire.frames(1);
      const r = new Reader(frame!);
      const correlationId = decodeResponseHeader(r, apiKey, version);
      const body = API_SPECS[apiKey]!.decodeResponse(r, version) as ResponseOf<typeof apiKey>;
      if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the response body`);
      return { correlationId, body };
    },
  };
}
