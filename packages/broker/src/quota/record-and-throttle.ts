// recordAndThrottle: records a request's bytes with a client quota manager (user = the connection's
// principal name, the request's client id) and, when the client is over its quota, mutes the
// connection for the throttle time (KIP-219: the response, carrying throttle_time_ms, goes out at
// once; reading that connection stops until the time has passed). Returns the throttle time.
import type { RequestContext } from '../server/request-context.ts';
import type { ClientQuotaManager } from './client-quota-manager.ts';

/**
 * Records `bytes` of this request's client on `manager`; over the quota, mutes the connection for
 * the throttle time. Answers the throttle time (0 within the quota).
 */
export function recordAndThrottle(ctx: RequestContext, manager: ClientQuotaManager, bytes: number): number {
  const user = ctx.connection.principal.name;
  const ms = manager.recordAndGetThrottleTimeMs(user, ctx.header.clientId ?? '', bytes, ctx.services.time.now());
  if (ms > 0) ctx.connection.throttle?.(ms);
  return ms;
}
