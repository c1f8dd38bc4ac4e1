// Handler registry: one handler module per API key registers what it serves; the dispatcher routes
// each request by (apiKey, apiVersion) and ApiVersions advertises what is registered.
//
// A handler module looks like (request/response types come from the generated codec):
//
//   export const metadataHandler: ApiHandler<typeof ApiKey.Metadata> = {
//     apiKey: ApiKey.Metadata, name: 'Metadata', minVersion: 0, maxVersion: 12,
//     handle(ctx, request) { ...; return response; },   // or a Promise of it, NO_RESPONSE or CLOSE_CONNECTION
//   };
//
// `handle` receives the decoded request (every field filled, defaults where the version lacks it)
// and returns an Encodable response (omitted fields take their defaults); the dispatcher encodes it
// at the request's version with the right response header.
//
// Versions: every registered API is advertised with MinVersion 0 (librdkafka disables features
// otherwise) and MaxVersion `maxVersion`. `handle` only sees versions in [minVersion, maxVersion];
// a version in [0, minVersion) goes to `rejectVersion` (answer with UNSUPPORTED_VERSION in the
// response's error fields, as Kafka 4 does for Produce v0-2) or, if the handler has none, closes
// the connection. A version above maxVersion, or an unknown API key, closes the connection, as
// Kafka's SocketServer does — except ApiVersions, answered with a v0 body and UNSUPPORTED_VERSION.
//
// Failures: a handler that throws (or whose promise rejects, or whose response does not encode) is
// answered with `errorResponse(request, UNKNOWN_SERVER_ERROR, version)`: the response Kafka's
// AbstractRequest.getErrorResponse builds for that API (the request's topics / partitions / groups
// each with the code, or the top-level ErrorCode). Handlers also use it for request-wide errors
// (authorization). Without one, the dispatcher sets the response's top-level ErrorCode if it has
// one at that version, else closes the connection (see request-dispatcher.ts).
import type { ApiKey, Encodable, Reader, RequestOf, ResponseOf, Writer } from '@tributary/protocol';
import type { CLOSE_CONNECTION } from './connection.ts';
import type { RequestContext } from './request-context.ts';

export type { RequestContext } from './request-context.ts';

/** Returned by a handler when the request gets no response (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('NO_RESPONSE');
/**
 * Returned by a handler to answer nothing and close the connection once the responses ahead of
 * this one are written (a failed acks=0 Produce, as Kafka does).
 */
export { CLOSE_CONNECTION } from './connection.ts';
export type HandlerResult<Res> = Res | typeof NO_RESPONSE | typeof CLOSE_CONNECTION;

/** A body codec that replaces the generated one (tests, special cases). */
export interface MessageCodec<Req, Res> {
  decodeRequest(r: Reader, version: number): Req;
  encodeResponse(w: Writer, version: number, response: Res): void;
}

export interface ApiHandler<K extends ApiKey = ApiKey, Req = RequestOf<K>, Res = Encodable<ResponseOf<K>>> {
  readonly apiKey: K;
  readonly name: string;
  /** Lowest version `handle` serves (the advertised MinVersion is always 0, see above). */
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, request: Req): HandlerResult<Res> | Promise<HandlerResult<Res>>;
  /** Answers a version in [0, minVersion) with an error response; absent = close the connection. */
  rejectVersion?(ctx: RequestContext, request: Req): Res;
  /**
   * The response that answers the whole request with `errorCode` at `version`, as Kafka's
   * getErrorResponse builds it. Absent: the dispatcher's generic fallback (top-level ErrorCode).
   */
  errorResponse?(request: Req, errorCode: number, version: number): Res | typeof CLOSE_CONNECTION;
  /** Overrides the generated codec (API_SPECS) for this API. */
  readonly codec?: MessageCodec<Req, Res>;
}

// Handlers of every API key, type-erased for storage in the registry.
// biome-ignore lint/suspicious/noExplicitAny: request and response types differ per API key; handlers are typed where registered
export type AnyApiHandler = ApiHandler<ApiKey, any, any>;

export interface AdvertisedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, AnyApiHandler>();

  register(handler: AnyApiHandler): this {
    if (this.byKey.has(handler.apiKey)) throw new Error(`a handler for API key ${handler.apiKey} is already registered`);
    if (handler.minVersion < 0 || handler.maxVersion < handler.minVersion) {
      throw new Error(`handler ${handler.name}: invalid version range ${handler.minVersion}-${handler.maxVersion}`);
    }
    this.byKey.set(handler.apiKey, handler);
    return this;
  }

  get(apiKey: number): AnyApiHandler | undefined {
    return this.byKey.get(apiKey);
  }

  has(apiKey: number): boolean {
    return this.byKey.has(apiKey);
  }

  /** Registered APIs as ApiVersions advertises them: sorted by key, MinVersion 0. */
  advertised(): AdvertisedApi[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: 0, maxVersion: h.maxVersion }));
  }
}
