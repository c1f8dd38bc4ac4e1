// Broker: one Tributary broker process (or in-process instance). Owns the configuration, the
// services handlers see, the handler registry and the socket server.
//
//   const broker = new Broker(BrokerConfig.load({ settings: { listeners: 'PLAINTEXT://127.0.0.1:0' } }));
//   const port = await broker.start();   // binds; port 0 in the config picks a free port
//   await broker.stop();                 // stop accepting, answer in-flight requests, close
//
// Start order: log dirs + meta.properties (cluster id), then listeners. Stop order: listeners
// (draining connections), then (SEAM) the storage layer: flush and write checkpoints.
import type { BrokerConfig } from './config/broker-config.ts';
import type { ListenerEndpoint } from './config/listeners.ts';
import { RequestDispatcher } from './handlers/dispatcher.ts';
import { createDefaultRegistry } from './handlers/index.ts';
import type { HandlerRegistry } from './handlers/registry.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { loadOrCreateMetaProperties } from './meta-properties.ts';
import { SocketServer, type BoundListener } from './network/socket-server.ts';
import { EmptyMetadata, systemClock, type BrokerServices, type Clock, type MetadataView } from './services.ts';

export interface BrokerOptions {
  clock?: Clock;
  log?: Logger;
  /** Handlers to serve; defaults to every handler in handlers/index.ts. */
  registry?: HandlerRegistry;
  /** SEAM until the topic/partition manager lands. */
  metadata?: MetadataView;
  /** Most unanswered requests per connection before reading pauses. */
  maxInFlightRequestsPerConnection?: number;
  /** Most bytes held per connection (requests being handled + queued responses) before reading pauses. */
  maxInFlightBytesPerConnection?: number;
  /** How long stop() waits for in-flight requests before closing connections forcibly. */
  shutdownTimeoutMs?: number;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Broker {
  readonly registry: HandlerRegistry;
  private readonly log: Logger;
  private readonly shutdown = new AbortController();
  private state: State = 'new';
  private server: SocketServer | null = null;
  private _services: BrokerServices | null = null;
  private _bound: BoundListener[] = [];
  private stopPromise: Promise<void> | null = null;

  constructor(
    readonly config: BrokerConfig,
    private readonly options: BrokerOptions = {},
  ) {
    this.registry = options.registry ?? createDefaultRegistry();
    this.log = options.log ?? consoleLogger();
  }

  /** The services handlers receive; available once start() has resolved. */
  get services(): BrokerServices {
    if (!this._services) throw new Error('broker not started');
    return this._services;
  }

  /** Bound listeners (ports resolved). */
  get listeners(): readonly BoundListener[] {
    return this._bound;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.server?.connectionCount ?? 0;
  }

  /** Binds the listeners and returns the first one's port. */
  async start(): Promise<number> {
    if (this.state !== 'new') throw new Error(`cannot start a broker that is ${this.state}`);
    this.state = 'starting';
    const config = this.config;
    const meta = loadOrCreateMetaProperties(config.logDirs, config.nodeId);
    const limits = {
      maxFrameBytes: config.get('socket.request.max.bytes'),
      idleMs: config.get('connections.max.idle.ms'),
      maxInFlightRequests: this.options.maxInFlightRequestsPerConnection ?? 1000,
      maxInFlightBytes: this.options.maxInFlightBytesPerConnection ?? 64 * 1024 * 1024,
    };
    // Services exist before the listeners bind (a request can arrive as soon as they do); the
    // advertised endpoints are filled in once the bound ports are known.
    const advertised: ListenerEndpoint[] = [];
    this._services = {
      config,
      clock: this.options.clock ?? systemClock,
      log: this.log,
      nodeId: config.nodeId,
      clusterId: meta.clusterId,
      advertisedListeners: advertised,
      registry: this.registry,
      metadata: this.options.metadata ?? new EmptyMetadata(),
      shutdownSignal: this.shutdown.signal,
    };
    const services = this._services;
    const dispatcher = new RequestDispatcher(this.registry, () => services);
    this.server = new SocketServer({
      listeners: config.listeners,
      limits,
      processor: dispatcher,
      log: this.log,
    });
    try {
      this._bound = await this.server.start();
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    advertised.push(...this.resolveAdvertised(this._bound));
    this.state = 'running';
    return this._bound[0]!.boundPort;
  }

  /** advertised.listeners, or the bound listeners; port 0 is replaced by the bound port. */
  private resolveAdvertised(bound: BoundListener[]): ListenerEndpoint[] {
    const configured = this.config.advertisedListeners ?? bound.map((b) => ({ name: b.name, host: b.host, port: b.port }));
    return configured.map((a) => {
      const b = bound.find((x) => x.name === a.name);
      const host = a.host === '' || a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
      return { name: a.name, host, port: a.port === 0 && b ? b.boundPort : a.port };
    });
  }

  /** Stops accepting, answers in-flight requests, closes connections. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      this.state = 'stopping';
      this.shutdown.abort();
      await this.server?.stop(this.options.shutdownTimeoutMs ?? 30_000);
      // SEAM: storage flush + checkpoints go here once the storage layer lands.
      this.state = 'stopped';
    })();
    return this.stopPromise;
  }
}
