// SaslHandshake (API key 17), versions 0-1: what reaches the dispatcher. On SASL_* listeners the
// handshake is served by the connection's authenticator (server/sasl/sasl-authenticator.ts)
// before any handler runs; a SaslHandshake that gets here came on a listener without SASL, and is
// answered ILLEGAL_SASL_STATE as Kafka's KafkaApis.handleSaslHandshakeRequest does. Registered so
// ApiVersions lists the versions served.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ApiHandler } from '../server/handler-registry.ts';

export const saslHandshakeHandler: ApiHandler<typeof ApiKey.SaslHandshake> = {
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  handle: () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
  errorResponse: (_request, errorCode) => ({ errorCode, mechanisms: [] }),
};
