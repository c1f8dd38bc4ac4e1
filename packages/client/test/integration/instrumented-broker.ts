// A real Tributary broker (testkit) whose handlers are wrapped, for client tests that need to see
// or steer what the broker receives: every request is recorded (API key, version, decoded body,
// connection id); an API can be left out (a broker without InitProducerId), capped at a lower
// max version (an older broker), or have its handling replaced per request (inject an error
// answer, hold a request until the test releases it). Everything else is the broker's own code.
import { ApiKey } from '@tributary/protocol';
import { createDefaultRegistry, HandlerRegistry, type AnyApiHandler, type RequestContext } from '@tributary/broker';
import { startBroker, type StartBrokerOptions, type TestBroker } from '@tributary/testkit';

export interface RecordedRequest {
  apiKey: number;
  apiVersion: number;
  connectionId: number;
  body: any;
}

/** Runs instead of the handler when it returns something other than undefined. */
export type Intercept = (ctx: RequestContext, request: any, next: () => unknown) => unknown;

export interface InstrumentOptions extends StartBrokerOptions {
  /** API keys the broker does not serve (nor advertise). */
  without?: number[];
  /** Highest version advertised and served per API key. */
  maxVersions?: Record<number, number>;
}

export interface InstrumentedBroker extends TestBroker {
  requests: RecordedRequest[];
  /** Requests of one API. */
  of(apiKey: number): RecordedRequest[];
  /** Replaces (or with null removes) the interceptor of an API. */
  intercept(apiKey: number, fn: Intercept | null): void;
}

export async function startInstrumentedBroker(options: InstrumentOptions = {}): Promise<InstrumentedBroker> {
  const { without = [], maxVersions = {}, ...rest } = options;
  const requests: RecordedRequest[] = [];
  const intercepts = new Map<number, Intercept>();
  const base = createDefaultRegistry();
  const registry = new HandlerRegistry();
  for (const { apiKey } of base.advertised()) {
    if (without.includes(apiKey)) continue;
    const h = base.get(apiKey)!;
    const wrapped: AnyApiHandler = {
      ...h,
      minVersion: Math.min(h.minVersion, maxVersions[apiKey] ?? h.maxVersion),
      maxVersion: maxVersions[apiKey] ?? h.maxVersion,
      handle(ctx: RequestContext, request: any) {
        requests.push({ apiKey, apiVersion: ctx.header.apiVersion, connectionId: ctx.connection.id, body: request });
        const next = () => h.handle(ctx, request);
        const fn = intercepts.get(apiKey);
        if (fn) {
          const out = fn(ctx, request, next);
          if (out !== undefined) return out as never;
        }
        return next() as never;
      },
    };
    registry.register(wrapped);
  }
  const broker = await startBroker({ ...rest, registry });
  return Object.assign(broker, {
    requests,
    of: (apiKey: number) => requests.filter((r) => r.apiKey === apiKey),
    intercept(apiKey: number, fn: Intercept | null) {
      if (fn) intercepts.set(apiKey, fn);
      else intercepts.delete(apiKey);
    },
  });
}

export { ApiKey };
