// RequestDispatcher: the FrameProcessor between the network and the handlers. For each frame it
// reads the routing fields at fixed offsets, looks the handler up, decodes the rest of the header
// and the body, runs the handler and encodes the response frame (size + header + body).
//
// Closes the connection (throws ProtocolViolation) on: a header too short or malformed, an unknown
// API key, a version above the handler's max (or below 0), a version in [0, minVersion) when the
// handler has no `rejectVersion`, a body that does not decode, and a handler that throws.
// ApiVersions of an unsupported version is answered (v0 body, UNSUPPORTED_VERSION, KIP-511).
import type { ConnectionInfo, FrameProcessor, ResponseFrame } from '../network/connection.ts';
import {
  decodeRequestHeader,
  encodeResponseFrame,
  peekRouting,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../network/request-header.ts';
import type { BrokerServices } from '../services.ts';
import { API_VERSIONS_KEY, unsupportedApiVersionsResponse } from './api-versions.ts';
import { NO_RESPONSE, type ApiHandler, type HandlerRegistry, type HandlerResult, type RequestContext } from './registry.ts';

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
  ) {}

  process(frame: Buffer, connection: ConnectionInfo, signal: AbortSignal): ResponseFrame | Promise<ResponseFrame> {
    const { apiKey, apiVersion, correlationId } = peekRouting(frame);
    const handler = this.registry.get(apiKey);
    if (!handler) throw new ProtocolViolation(`unknown API key ${apiKey}`);
    if (apiVersion < 0 || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS_KEY) return encodeResponseFrame(correlationId, 0, unsupportedApiVersionsResponse());
      throw new ProtocolViolation(`${handler.name} version ${apiVersion} is not supported (0-${handler.maxVersion})`);
    }
    const below = apiVersion < handler.minVersion;
    if (below && !handler.rejectVersion) {
      throw new ProtocolViolation(`${handler.name} version ${apiVersion} is not served (${handler.minVersion}-${handler.maxVersion})`);
    }

    const { header, bodyOffset } = decodeRequestHeader(frame, requestHeaderVersion(apiKey, apiVersion));
    const codec = handler.codec;
    if (!codec) throw new ProtocolViolation(`no codec for ${handler.name}`); // TEMPORARY: API_SPECS once the codec lands
    let request: unknown;
    try {
      request = codec.decodeRequest(frame.subarray(bodyOffset), apiVersion);
    } catch (err) {
      throw new ProtocolViolation(`malformed ${handler.name} v${apiVersion} request: ${(err as Error).message}`);
    }

    const ctx: RequestContext = { header, connection, services: this.services(), signal, requestBytes: frame.length };
    const result: HandlerResult<unknown> | Promise<HandlerResult<unknown>> = below
      ? handler.rejectVersion!(ctx, request)
      : handler.handle(ctx, request);
    if (result instanceof Promise) return result.then((res) => this.encode(handler, header.apiVersion, correlationId, res));
    return this.encode(handler, header.apiVersion, correlationId, result);
  }

  private encode(handler: ApiHandler, apiVersion: number, correlationId: number, result: HandlerResult<unknown>): ResponseFrame {
    if (result === NO_RESPONSE) return null;
    const body = handler.codec!.encodeResponse(result, apiVersion);
    return encodeResponseFrame(correlationId, responseHeaderVersion(handler.apiKey, apiVersion), body);
  }
}
