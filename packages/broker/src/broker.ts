// Broker: one Tributary broker process (or in-process instance). Owns the configuration, the
// services handlers see, the handler registry and the socket server.
//
//   const broker = new Broker(BrokerConfig.load({ settings: { listeners: 'PLAINTEXT://127.0.0.1:0' } }));
//   const port = await broker.start();   // binds; port 0 in the config picks a free port
//   await broker.stop();                 // stop accepting, answer in-flight requests, close
//
// Start order: cluster id (meta.properties), the partition layer (LogManager: load/recover logs,
// topics, retention and flush scheduling), the producer id block, then listeners. Stop order: listeners (draining
// connections; waiting fetches are completed first), then the partition layer: HW checkpoint,
// flush, recovery-point checkpoints, clean-shutdown marker.
import type { BrokerConfig } from './config/broker-config.ts';
import type { ListenerEndpoint } from './config/listeners.ts';
import { GroupCoordinatorService } from './coordinator/group-coordinator-service.ts';
import type { GroupCoordinatorConfig, Time } from './coordinator/group/index.ts';
import { TopicManagerOffsetsHost } from './coordinator/topic-manager-offsets-host.ts';
import { RequestDispatcher } from './handlers/dispatcher.ts';
import { createDefaultRegistry } from './handlers/index.ts';
import type { HandlerRegistry } from './handlers/registry.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { resolveClusterId } from './meta-properties.ts';
import { TopicManager } from './partitions/topic-manager.ts';
import { ProducerIdManager } from './coordinator/transaction/producer-id-manager.ts';
import { SocketServer, type BoundListener } from './network/socket-server.ts';
import { systemClock, type BrokerServices, type Clock } from './services.ts';
import type { FileSystem, Scheduler } from '@tributary/storage';

export interface BrokerOptions {
  clock?: Clock;
  log?: Logger;
  /** Handlers to serve; defaults to every handler in handlers/index.ts. */
  registry?: HandlerRegistry;
  /** Storage seams for tests: filesystem and background scheduler (null = no background tasks). */
  fs?: FileSystem;
  scheduler?: Scheduler | null;
  /** Group coordinator settings overriding the broker config (tests), and its time seam. */
  groupCoordinator?: { overrides?: Partial<GroupCoordinatorConfig>; time?: Time };
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
  private topicManager: TopicManager | null = null;
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
    const clusterId = resolveClusterId(config.logDirs, config.nodeId);
    const clock = this.options.clock ?? systemClock;
    const topics = new TopicManager({ config, nodeId: config.nodeId, clusterId, clock, log: this.log, fs: this.options.fs, scheduler: this.options.scheduler });
    try {
      topics.start();
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    this.topicManager = topics;
    const producerIds = new ProducerIdManager(topics.logs.fs, config.logDirs[0]!, config.nodeId);
    try {
      producerIds.load();
    } catch (err) {
      this.state = 'stopped';
      topics.stop();
      throw err;
    }
    const limits = {
      maxFrameBytes: config.get('socket.request.max.bytes'),
      idleMs: config.get('connections.max.idle.ms'),
      maxInFlightRequests: this.options.maxInFlightRequestsPerConnection ?? 1000,
      maxInFlightBytes: this.options.maxInFlightBytesPerConnection ?? 64 * 1024 * 1024,
    };
    // Services exist before the listeners bind (a request can arrive as soon as they do); the
    // advertised endpoints are filled in once the bound ports are known.
    const advertised: ListenerEndpoint[] = [];
    // Single broker: every __consumer_offsets partition is led here; loading starts now (requests
    // for a partition still loading get COORDINATOR_LOAD_IN_PROGRESS).
    const groupCoordinator = new GroupCoordinatorService({
      config, host: new TopicManagerOffsetsHost(topics, config, config.nodeId), log: this.log,
      overrides: this.options.groupCoordinator?.overrides, time: this.options.groupCoordinator?.time,
    });
    groupCoordinator.startup();
    // DeleteTopics: the committed offsets of deleted topics go too (Kafka's onPartitionsDeleted).
    topics.onTopicsDeleted((deleted) => {
      groupCoordinator.onTopicsDeleted(deleted.map((t) => t.name)).catch((err) => this.log.error('cannot drop the offsets of deleted topics', { err }));
    });
    this._services = {
      config,
      clock,
      log: this.log,
      nodeId: config.nodeId,
      clusterId,
      advertisedListeners: advertised,
      registry: this.registry,
      metadata: topics,
      topics,
      producerIds,
      groupCoordinator,
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
      groupCoordinator.shutdown();
      topics.stop();
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
      this.topicManager?.purgatory.completeAll();
      // Parked JoinGroup/SyncGroup calls are answered (NOT_COORDINATOR) so the listeners can drain.
      this._services?.groupCoordinator.shutdown();
      await this.server?.stop(this.options.shutdownTimeoutMs ?? 30_000);
      try {
        this.topicManager?.stop();
      } catch (err) {
        this.log.error('storage shutdown failed', { err });
      }
      this.state = 'stopped';
    })();
    return this.stopPromise;
  }
}
