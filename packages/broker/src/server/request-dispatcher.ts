// RequestDispatcher: the FrameProcessor between the network and the handlers. For each frame it
// reads the routing fields at fixed offsets (apiKey int16 @0, apiVersion int16 @2, correlationId
// int32 @4), looks the handler up, decodes the rest of the header and the body with the generated
// codec, runs the handler and encodes the response frame (size + header + body); large record
// buffers are spliced into the frame, not copied (splicing-writer.ts). Each request's context
// carries `authorize`, backed by the Authorizer the broker was given (default: allow all).
//
// Client quotas on request time (request_percentage, quota/request-time-quota.ts): when one is set,
// the synchronous part of each handler is timed and recorded for the request's client; over the
// quota the response's throttle_time_ms is raised and the connection muted. Nothing is timed when
// no request_percentage quota exists.
//
// Request metrics (metrics/request-metrics.ts, when the broker serves metrics): each answered
// request counts for its API and version, and its time from dispatch to the encoded response
// frame is observed (Fetch counted as FetchConsumer or FetchFollower by its ReplicaId). Requests
// that close the connection are not counted.
//
// Framing and decoding faults close the connection (process throws): a header too short or
// malformed, an unknown API key, a version above the handler's max (or below 0), a version in
// [0, minVersion) when the handler has no `rejectVersion`, a body that does not decode.
// ApiVersions of an unsupported version is answered (v0 body, UNSUPPORTED_VERSION, KIP-511).
//
// A handler that fails (throws, rejects, or returns a response that does not encode) is answered
// with the error code the error carries (KafkaError: NOT_CONTROLLER from a standby controller, ...)
// or, for anything else, logged with the API name and answered with UNKNOWN_SERVER_ERROR, as
// Kafka's KafkaApis answers `request.getErrorResponse(e)`: the handler's `errorResponse`, or for a handler without
// one the response with its top-level ErrorCode set and every other field at its default. When
// the response has no top-level ErrorCode at that version (Produce; a handler with its own codec),
// the connection is closed, as Kafka does when getErrorResponse gives no response.
import {
  API_SPECS,
  ApiKey,
  ErrorCode,
  errorCodeOf,
  Reader,
  Writer,
  decodeRequestHeader,
  encodeResponseFrame,
  encodeResponseHeader,
} from '@tributary/protocol';
import type { ConnectionInfo, FrameProcessor, ResponseFrame } from './connection.ts';
import type { BrokerServices } from '../services.ts';
import { SplicingWriter } from './splicing-writer.ts';
import { allowAll, type Authorizer } from './authorizer.ts';
import {
  CLOSE_CONNECTION,
  NO_RESPONSE,
  type AnyApiHandler,
  type HandlerRegistry,
  type HandlerResult,
  type RequestContext,
} from './handler-registry.ts';
import { DispatchedRequestContext } from './request-context.ts';
import { recordRequestTime, requestQuotaFor, withThrottle } from '../quota/request-time-quota.ts';
import type { RequestEntry, RequestMetrics } from '../metrics/request-metrics.ts';

export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

export class RequestDispatcher implements FrameProcessor {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly services: () => BrokerServices,
    private readonly authorizer: Authorizer = allowAll,
    /** Where answered requests are counted and timed; none: nothing is measured. */
    private readonly metrics: RequestMetrics | null = null,
  ) {}

  /** Produce handlers keep nothing of the request once answered (records are in the log). */
  recyclable(frame: Buffer): boolean {
    return frame.length >= 2 && frame.readInt16BE(0) === ApiKey.Produce;
  }

  /** A Fetch response may hold fetch.max.bytes of records: one in flight per connection (connection.ts). */
  oneInFlight(frame: Buffer): boolean {
    return frame.length >= 2 && frame.readInt16BE(0) === ApiKey.Fetch;
  }

  process(frame: Buffer, connection: ConnectionInfo, signal: AbortSignal): ResponseFrame | Promise<ResponseFrame> {
    if (frame.length < 8) throw new ProtocolViolation(`request of ${frame.length} bytes is shorter than a request header`);
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const handler = this.registry.get(apiKey);
    if (!handler) throw new ProtocolViolation(`unknown API key ${apiKey}`);
    if (apiVersion < 0 || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) return unsupportedApiVersionsFrame(frame.readInt32BE(4), handler.maxVersion);
      throw new ProtocolViolation(`${handler.name} version ${apiVersion} is not supported (0-${handler.maxVersion})`);
    }
    const below = apiVersion < handler.minVersion;
    if (below && !handler.rejectVersion) {
      throw new ProtocolViolation(`${handler.name} version ${apiVersion} is not served (${handler.minVersion}-${handler.maxVersion})`);
    }

    // DecodeError from here on closes the connection (the Connection logs the message).
    const r = new Reader(frame);
    const { headerVersion: _, ...header } = decodeRequestHeader(r);
    const request = handler.codec ? handler.codec.decodeRequest(r, apiVersion) : API_SPECS[apiKey]!.decodeRequest(r, apiVersion);

    const ctx = new DispatchedRequestContext(header, connection, this.services(), signal, frame.length, this.authorizer);
    const requestQuota = requestQuotaFor(ctx, apiKey, request);
    const metrics = this.metrics;
    const entry = metrics ? metrics.entry(apiKey, apiKey === ApiKey.Fetch && isFollowerFetch(request)) : null;
    const started = requestQuota || entry ? performance.now() : 0;
    let result: HandlerResult<unknown> | Promise<HandlerResult<unknown>>;
    try {
      result = below ? handler.rejectVersion!(ctx, request) : handler.handle(ctx, request);
    } catch (err) {
      return recorded(entry, apiVersion, started, answerFailure(handler, ctx, request, err));
    }
    if (requestQuota) {
      const elapsed = performance.now() - started;
      const throttled = (res: HandlerResult<unknown>) =>
        res === NO_RESPONSE || res === CLOSE_CONNECTION ? res : withThrottle(res, recordRequestTime(ctx, requestQuota, elapsed));
      result = result instanceof Promise ? result.then(throttled) : throttled(result);
    }
    if (result instanceof Promise) {
      return result.then(
        (res) => recorded(entry, apiVersion, started, encodeOrAnswerFailure(handler, ctx, request, res)),
        (err) => recorded(entry, apiVersion, started, answerFailure(handler, ctx, request, err)),
      );
    }
    return recorded(entry, apiVersion, started, encodeOrAnswerFailure(handler, ctx, request, result));
  }
}

/** A Fetch from a follower (ReplicaId >= 0; in ReplicaState from v15). */
function isFollowerFetch(request: unknown): boolean {
  const r = request as { replicaId?: number; replicaState?: { replicaId: number } };
  return (r.replicaId ?? -1) >= 0 || (r.replicaState?.replicaId ?? -1) >= 0;
}

/** Counts and times an answered request (when metrics are kept); returns its frame. */
function recorded(entry: RequestEntry | null, version: number, started: number, frame: ResponseFrame): ResponseFrame {
  if (entry) {
    const now = performance.now();
    entry.record(version, now - started, now);
  }
  return frame;
}

/** Thrown (closing the connection) when a failed request cannot be answered with an error. */
export class UnanswerableFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnanswerableFailure';
  }
}

function encodeOrAnswerFailure(
  handler: AnyApiHandler,
  ctx: RequestContext,
  request: unknown,
  result: HandlerResult<unknown>,
): ResponseFrame {
  try {
    return encode(handler, ctx.header.apiVersion, ctx.header.correlationId, result);
  } catch (err) {
    return answerFailure(handler, ctx, request, err);
  }
}

/**
 * Answers a handler failure with the Kafka error code it carries (NOT_CONTROLLER from a controller
 * that is not active, ...), else logs it and answers UNKNOWN_SERVER_ERROR; throws when the
 * response has no place for an error code.
 */
function answerFailure(handler: AnyApiHandler, ctx: RequestContext, request: unknown, err: unknown): ResponseFrame {
  const { apiVersion, correlationId, clientId } = ctx.header;
  const code = errorCodeOf(err);
  if (code === ErrorCode.UNKNOWN_SERVER_ERROR) {
    ctx.services.log.error('unexpected error handling a request', {
      api: handler.name,
      version: apiVersion,
      correlationId,
      clientId,
      error: err,
    });
  }
  const body = handler.errorResponse ? handler.errorResponse(request, code, apiVersion) : topLevelErrorResponse(handler, apiVersion, code);
  if (body === null) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UnanswerableFailure(`${handler.name} v${apiVersion} failed and its response has no error code: ${message}`, { cause: err });
  }
  return encode(handler, apiVersion, correlationId, body);
}

/**
 * The fallback error response of a handler without `errorResponse`: `{ errorCode }`, every other
 * field at its default (arrays empty), when the response has a top-level ErrorCode at `version`
 * (checked by encoding and decoding it); null otherwise, or when the handler has its own codec.
 */
export function topLevelErrorResponse(handler: AnyApiHandler, version: number, errorCode: number): { errorCode: number } | null {
  if (handler.codec) return null;
  const spec = API_SPECS[handler.apiKey]!;
  const body = { errorCode };
  try {
    const w = new Writer(64);
    spec.encodeResponse(w, version, body);
    return spec.decodeResponse(new Reader(w.finish()), version).errorCode === errorCode ? body : null;
  } catch {
    return null; // the version lacks the field
  }
}

function encode(handler: AnyApiHandler, apiVersion: number, correlationId: number, result: HandlerResult<unknown>): ResponseFrame {
  if (result === NO_RESPONSE) return null;
  if (result === CLOSE_CONNECTION) return CLOSE_CONNECTION;
  const w = new SplicingWriter(256);
  const at = w.reserve(4);
  encodeResponseHeader(w, handler.apiKey, apiVersion, correlationId);
  if (handler.codec) handler.codec.encodeResponse(w, apiVersion, result);
  else API_SPECS[handler.apiKey]!.encodeResponse(w, apiVersion, result);
  w.setInt32(at, w.length - 4);
  return w.chunks();
}

/** The whole response frame for an ApiVersions request of an unsupported version (KIP-511). */
export function unsupportedApiVersionsFrame(correlationId: number, maxVersion: number): Buffer {
  return encodeResponseFrame(ApiKey.ApiVersions, 0, correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion }],
  });
}
