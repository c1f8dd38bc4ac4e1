// ApiVersions (API key 18), versions 0-4.
//
// Behaviour: lists every API in the handler registry with MinVersion 0 and the handler's
// MaxVersion, sorted by API key; ThrottleTimeMs 0 (v1+). v3+ validates ClientSoftwareName and
// ClientSoftwareVersion as Kafka does (letters, digits, '-', '.'; starting and ending with a letter
// or digit) and answers INVALID_REQUEST otherwise. An ApiVersions request with a version this
// broker does not serve is not parsed: it is answered with a v0 body, UNSUPPORTED_VERSION and
// ApiVersions' own range (KIP-511), see `unsupportedApiVersionsResponse`; the response header
// is always v0, whatever the version.
// Not implemented: SupportedFeatures / FinalizedFeatures tagged fields (v3+), quotas.
import type { ApiHandler } from './registry.ts';
import {
  temporaryApiVersionsCodec,
  type ApiVersionsRequest,
  type ApiVersionsResponse,
} from './temporary-api-versions-codec.ts';

export const API_VERSIONS_KEY = 18;
export const API_VERSIONS_MAX = 4;
// TEMPORARY: from the codec's ErrorCode enum once it lands.
const UNSUPPORTED_VERSION = 35;
const INVALID_REQUEST = 42;

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler: ApiHandler<ApiVersionsRequest, ApiVersionsResponse> = {
  apiKey: API_VERSIONS_KEY,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: API_VERSIONS_MAX,
  codec: temporaryApiVersionsCodec,
  handle(ctx, request) {
    const apiKeys = ctx.services.registry.advertised();
    if (
      ctx.header.apiVersion >= 3 &&
      (!SOFTWARE_PATTERN.test(request.clientSoftwareName) || !SOFTWARE_PATTERN.test(request.clientSoftwareVersion))
    ) {
      return { errorCode: INVALID_REQUEST, apiKeys, throttleTimeMs: 0 };
    }
    return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
  },
};

/** The v0 body sent for an ApiVersions request of an unsupported version (KIP-511). */
export function unsupportedApiVersionsResponse(): Buffer {
  return temporaryApiVersionsCodec.encodeResponse(
    {
      errorCode: UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: API_VERSIONS_KEY, minVersion: 0, maxVersion: API_VERSIONS_MAX }],
      throttleTimeMs: 0,
    },
    0,
  );
}
