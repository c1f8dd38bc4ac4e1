// SaslAuthenticate (API key 36), versions 0-2: what reaches the dispatcher. During authentication
// on a SASL_* listener the connection's authenticator serves it (server/sasl/); one that gets here
// came after a completed authentication or on a listener without SASL, and is answered
// ILLEGAL_SASL_STATE with Kafka's message (KafkaApis.handleSaslAuthenticateRequest). Registered so
// ApiVersions lists the versions served.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ApiHandler } from '../server/handler-registry.ts';

export const saslAuthenticateHandler: ApiHandler<typeof ApiKey.SaslAuthenticate> = {
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  handle: () => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: 'SaslAuthenticate request received after successful authentication',
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0n,
  }),
  errorResponse: (_request, errorCode) => ({ errorCode, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }),
};
