// The request_percentage quota (Kafka's ClientRequestQuotaManager) as the dispatcher applies it:
// the time a request keeps the event loop busy (its handler's synchronous part, Node's analog of
// Kafka's request handler thread time) is recorded as a percentage of one second of one thread;
// over the client's request_percentage the response carries throttle_time_ms (at most one quota
// window; the larger of this and a byte-rate throttle when both apply) and the connection stops
// reading for that long.
// Exempt, as in Kafka: ApiVersions and the SASL handshakes (answered before authentication),
// broker-to-broker requests (a follower's Fetch, WriteTxnMarkers), and requests without a
// response (acks=0 Produce).
import { ApiKey } from '@tributary/protocol';
import type { RequestContext } from '../server/request-context.ts';
import type { ClientQuotaManager } from './client-quota-manager.ts';

const EXEMPT: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate, ApiKey.WriteTxnMarkers]);

/** The request quota to apply to a request of `apiKey`, or null (no quota set, or exempt). */
export function requestQuotaFor(ctx: RequestContext, apiKey: number, request: unknown): ClientQuotaManager | null {
  const quota = ctx.services.quotas?.request;
  if (!quota?.enabled || EXEMPT.has(apiKey)) return null;
  if (apiKey === ApiKey.Fetch && ((request as { replicaId?: number }).replicaId ?? -1) >= 0) return null;
  return quota;
}

/**
 * Records `elapsedMs` of handling for the request's client and answers the throttle time (0 within
 * the quota), muting the connection when over.
 */
export function recordRequestTime(ctx: RequestContext, quota: ClientQuotaManager, elapsedMs: number): number {
  const percentSeconds = (elapsedMs * 100) / 1000;
  const ms = quota.recordAndGetThrottleTimeMs(
    ctx.connection.principal.name,
    ctx.header.clientId ?? '',
    percentSeconds,
    ctx.services.time.now(),
  );
  if (ms > 0) ctx.connection.throttle?.(ms);
  return ms;
}

/** Sets a response's throttle_time_ms to at least `ms` (responses without the field are left alone). */
export function withThrottle<T>(result: T, ms: number): T {
  if (ms > 0 && typeof result === 'object' && result !== null && 'throttleTimeMs' in result) {
    const r = result as { throttleTimeMs: number };
    if (r.throttleTimeMs < ms) r.throttleTimeMs = ms;
  }
  return result;
}
