// ApiVersions (API key 18), versions 0-4.
//
// Behaviour: lists every API in the handler registry with MinVersion 0 and the handler's
// MaxVersion, sorted by API key; ThrottleTimeMs 0 (v1+). v3+ validates ClientSoftwareName and
// ClientSoftwareVersion as Kafka does (letters, digits, '-', '.'; starting and ending with a letter
// or digit) and answers INVALID_REQUEST otherwise. An ApiVersions request with a version this
// broker does not serve is not parsed: the dispatcher answers it (server/request-dispatcher.ts),
// a v0 body with UNSUPPORTED_VERSION and ApiVersions' own range (KIP-511). The response header is
// always v0 (the codec's responseHeaderVersion knows).
// Features (v3+ tagged fields, what kafka-features.sh describe reads): SupportedFeatures, the levels
// this node runs (metadata.version 3.6-IV2 to 3.7-IV2); FinalizedFeatures, the cluster's levels in
// the metadata image this node has applied (min = max = the level, as Kafka's KRaft nodes answer),
// with that image's offset as FinalizedFeaturesEpoch (-1 and none before the first image).
// Not implemented: quotas.
import { SUPPORTED_FEATURES } from '@tributary/metadata';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ApiHandler } from '../server/handler-registry.ts';

export const API_VERSIONS_MAX = 4;

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler: ApiHandler<typeof ApiKey.ApiVersions> = {
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: API_VERSIONS_MAX,
  handle(ctx, request) {
    const apiKeys = ctx.services.registry.advertised();
    const invalidSoftware =
      ctx.header.apiVersion >= 3 &&
      (!SOFTWARE_PATTERN.test(request.clientSoftwareName) || !SOFTWARE_PATTERN.test(request.clientSoftwareVersion));
    const image = ctx.services.controller.image;
    const finalized = image.features.isEmpty ? [] : [...image.features.finalizedVersions];
    return {
      errorCode: invalidSoftware ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE,
      apiKeys,
      throttleTimeMs: 0,
      supportedFeatures: Object.entries(SUPPORTED_FEATURES).map(([name, [minVersion, maxVersion]]) => ({ name, minVersion, maxVersion })),
      finalizedFeaturesEpoch: finalized.length > 0 ? BigInt(image.provenance.lastOffset) : -1n,
      finalizedFeatures: finalized.map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
      zkMigrationReady: false,
    };
  },
  // KIP-511: UNSUPPORTED_VERSION lists ApiVersions' own range; other errors list nothing.
  errorResponse: (_request, errorCode) => ({
    errorCode,
    throttleTimeMs: 0,
    apiKeys:
      errorCode === ErrorCode.UNSUPPORTED_VERSION ? [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: API_VERSIONS_MAX }] : [],
  }),
};
