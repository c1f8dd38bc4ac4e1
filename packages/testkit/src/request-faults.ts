// RequestFaults: fault injection at a broker's request handlers, for tests of how clients cope.
// Every handler of the broker's registry is wrapped; a fault on an API (by Kafka's name, e.g.
// 'Produce', 'Fetch', 'JoinGroup', or by key) applies to the requests of that API that arrive while
// it is set:
//
//   delay(api, ms)     the request is handled `ms` later (a slow broker; a request.timeout.ms test)
//   drop(api)          no answer: the request is held until the fault is cleared, then its
//                      connection is closed (a lost request; the client's request times out)
//   disconnect(api)    the connection is closed instead of answering (a network failure)
//
// `{ times: n }` limits a fault to the next n requests; `clear(api?)` removes faults (and lets held
// requests go). Requests already being handled are not affected.
//
//   const kafka = await startBroker();
//   kafka.faults.delay('Produce', 2_000, { times: 1 });
//   kafka.faults.drop('Fetch');  ...  kafka.faults.clear();
import { ApiKey } from '@tributary/protocol';
import { CLOSE_CONNECTION, createDefaultRegistry, HandlerRegistry, type AnyApiHandler, type RequestContext } from '@tributary/broker';

/** An API by Kafka's name ('Produce', 'Fetch', 'JoinGroup', ...) or by its key. */
export type ApiName = keyof typeof ApiKey | number;

export interface FaultOptions {
  /** Apply to the next `times` requests of the API only (default: every request until cleared). */
  times?: number;
}

type Fault = { kind: 'delay'; ms: number; left: number } | { kind: 'drop'; left: number } | { kind: 'disconnect'; left: number };

function apiKeyOf(api: ApiName): number {
  if (typeof api === 'number') return api;
  const key = ApiKey[api];
  if (key === undefined) throw new Error(`unknown API "${api}"`);
  return key;
}

export class RequestFaults {
  private readonly faults = new Map<number, Fault>();
  private readonly held = new Set<() => void>();

  /** Handles requests of `api` `ms` later. */
  delay(api: ApiName, ms: number, opts: FaultOptions = {}): this {
    return this.set(api, { kind: 'delay', ms, left: opts.times ?? Number.POSITIVE_INFINITY });
  }

  /** Answers no request of `api` until cleared (then closes their connections). */
  drop(api: ApiName, opts: FaultOptions = {}): this {
    return this.set(api, { kind: 'drop', left: opts.times ?? Number.POSITIVE_INFINITY });
  }

  /** Closes the connection of each request of `api` instead of answering it. */
  disconnect(api: ApiName, opts: FaultOptions = {}): this {
    return this.set(api, { kind: 'disconnect', left: opts.times ?? Number.POSITIVE_INFINITY });
  }

  /** Removes the fault of `api`, or every fault; held (dropped) requests have their connections closed. */
  clear(api?: ApiName): void {
    if (api === undefined) this.faults.clear();
    else this.faults.delete(apiKeyOf(api));
    for (const release of [...this.held]) release();
  }

  private set(api: ApiName, fault: Fault): this {
    this.faults.set(apiKeyOf(api), fault);
    return this;
  }

  /** The fault for the next request of `apiKey`, counted down (null: none). */
  private take(apiKey: number): Fault | null {
    const fault = this.faults.get(apiKey);
    if (!fault) return null;
    if (--fault.left <= 0) this.faults.delete(apiKey);
    return fault;
  }

  /** Wraps a handler so this object's faults apply to its requests. */
  wrap(handler: AnyApiHandler): AnyApiHandler {
    const handle = (ctx: RequestContext, request: unknown) => {
      const fault = this.take(handler.apiKey);
      if (!fault) return handler.handle(ctx, request);
      switch (fault.kind) {
        case 'disconnect':
          return CLOSE_CONNECTION;
        case 'drop':
          return this.hold(ctx).then(() => CLOSE_CONNECTION);
        case 'delay':
          return new Promise((resolve) => setTimeout(resolve, fault.ms)).then(() => handler.handle(ctx, request));
      }
    };
    return { ...handler, handle } as AnyApiHandler;
  }

  /** Resolves once the faults are cleared or the request's connection closes. */
  private hold(ctx: RequestContext): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = () => {
        this.held.delete(release);
        ctx.signal.removeEventListener('abort', release);
        resolve();
      };
      this.held.add(release);
      ctx.signal.addEventListener('abort', release, { once: true });
    });
  }

  /** A registry of every default handler, wrapped (pass it as a Broker's `registry`). */
  registry(base: HandlerRegistry = createDefaultRegistry()): HandlerRegistry {
    const registry = new HandlerRegistry();
    for (const { apiKey } of base.advertised()) registry.register(this.wrap(base.get(apiKey)!));
    return registry;
  }
}
