// RequestContext: what a handler receives with each request besides its decoded body: the request
// header, the connection it came on (listener, peer, principal), the broker's services, an abort
// signal for long polls, the request's size, and `authorize` (the broker's Authorizer asked about
// this request's principal).
import type { RequestHeader } from '@tributary/protocol';
import type { BrokerServices } from '../services.ts';
import type { AclOperation, Authorizer, ResourceType } from './authorizer.ts';
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
  /** Whether this request's principal may perform `operation` on the resource (Kafka's AuthHelper.authorize). */
  authorize(operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean;
  /** Whether the principal may perform `operation` on some resource of the type (Kafka's AuthHelper.authorizeByResourceType). */
  authorizeByResourceType(operation: AclOperation, resourceType: ResourceType): boolean;
}

/** The RequestContext the dispatcher builds for each request. */
export class DispatchedRequestContext implements RequestContext {
  constructor(
    readonly header: RequestHeader,
    readonly connection: ConnectionInfo,
    readonly services: BrokerServices,
    readonly signal: AbortSignal,
    readonly requestBytes: number,
    private readonly authorizer: Authorizer,
  ) {}

  authorize(operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean {
    return this.authorizer.authorize(this, operation, resourceType, resourceName);
  }

  authorizeByResourceType(operation: AclOperation, resourceType: ResourceType): boolean {
    const a = this.authorizer;
    return a.authorizeByResourceType
      ? a.authorizeByResourceType(this, operation, resourceType)
      : a.authorize(this, operation, resourceType, '*');
  }
}
