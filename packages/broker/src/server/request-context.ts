// RequestContext: what a handler receives with each request besides its decoded body: the request
// header, the connection it came on (listener, peer), the broker's services, an abort signal for
// long polls and the request's size.
import type { RequestHeader } from '@tributary/protocol';
import type { BrokerServices } from '../services.ts';
import type { ConnectionInfo } from './connection.ts';

/** What a handler receives with each request. */
export interface RequestContext {
  readonly header: RequestHeader;
  readonly connection: ConnectionInfo;
  readonly services: BrokerServices;
  /** Aborts when the connection closes or the broker stops: long polls should answer now. */
  readonly signal: AbortSignal;
  /** Size of the request frame in bytes (without the size prefix). */
  readonly requestBytes: number;
}
