// Broker: one Tributary broker process (or in-process instance), a whole broker: a BrokerCore
// (logs and partitions, metadata, coordinators) with one BrokerNode (node.id's listeners and
// handler services). Owns the configuration and the handler registry. With the controller role
// (process.roles unset, or broker,controller) it is its own controller: alone, a single-node
// cluster; with a CONTROLLER listener (controller.listener.names), other broker-only nodes join it.
// A broker-only node (process.roles=broker) follows the controller at controller.quorum.voters.
// Several in-process brokers given one `controller` form a cluster (testkit).
//
//   const broker = new Broker(BrokerConfig.load({ settings: { listeners: 'PLAINTEXT://127.0.0.1:0' } }));
//   const port = await broker.start();   // binds; port 0 in the config picks a free port
//   await broker.stop();                 // stop accepting, answer in-flight requests, close
//
// Start order: cluster id (meta.properties), the logs (load/recover, retention and flush
// scheduling), the metadata (replayed; partitions made), the producer id block, the group
// coordinator, the metrics endpoint (tributary.metrics.port, when set: metrics/), then listeners
// and the broker's registration. Stop order: the metrics endpoint, listeners (draining
// connections; waiting fetches are completed first), then storage: HW checkpoint, flush,
// recovery-point checkpoints, clean-shutdown marker.
import type { BrokerConfig } from './config/broker-config.ts';
import { BrokerCore } from './broker-core.ts';
import { ControllerServer } from './controller/controller-server.ts';
import { raftEndpoint } from './controller/quorum.ts';
import { BrokerNode, connectionLimits } from './broker-node.ts';
import type { ControllerChannel } from './metadata/controller-channel.ts';
import type { GroupCoordinatorConfig } from './coordinator/group/index.ts';
import type { TransactionCoordinatorConfig } from './coordinator/transaction/config.ts';
import type { MarkerWriter } from './coordinator/transaction/transaction-marker-channel-manager.ts';
import { createDefaultRegistry } from './handlers/index.ts';
import type { HandlerRegistry } from './server/handler-registry.ts';
import type { Authorizer } from './server/authorizer.ts';
import { createAuthorizer } from './security/authorizer/authorizer-config.ts';
import { Log4jController } from './log4j-controller.ts';
import { consoleLogger, type LogFormat, type Logger } from './logger.ts';
import type { BoundListener } from './server/socket-server.ts';
import type { BrokerServices } from './services.ts';
import { systemTime, type FileSystem, type Time } from '@tributary/storage';
import type { LocalController } from '@tributary/metadata';
import { RequestMetrics } from './metrics/request-metrics.ts';
import { MetricsServer } from './metrics/metrics-server.ts';
import { collectBrokerMetrics } from './metrics/broker-metrics.ts';
import { QuorumControllerMetrics } from './metrics/quorum-controller-metrics.ts';
import { brokerStateValue } from './metrics/controller-metrics.ts';

export interface BrokerOptions {
  /** Clock, timers and storage background tasks (retention, flush, checkpoints); default systemTime. Tests pass a MockTime. */
  time?: Time;
  /** Where log lines go; every logger filters by its level first (default: stderr). */
  log?: Logger;
  /** Handlers to serve; defaults to every handler in handlers/index.ts. */
  registry?: HandlerRegistry;
  /** Decides what each request's principal may do; default: from authorizer.class.name (none: allow everything). */
  authorizer?: Authorizer;
  /** Storage seam for tests: the filesystem. */
  fs?: FileSystem;
  /** Group coordinator settings overriding the broker config (tests). */
  groupCoordinator?: { overrides?: Partial<GroupCoordinatorConfig> };
  /** Overrides of the transaction coordinator settings and its marker writer (tests). */
  transactionCoordinator?: { overrides?: Partial<TransactionCoordinatorConfig>; markerWriter?: MarkerWriter };
  /** The cluster's controller (an in-process cluster shares one); default: the broker's own. */
  controller?: ControllerChannel;
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
  /** The broker's loggers and their levels (Kafka's Log4jController; BROKER_LOGGER resources). */
  readonly loggers: Log4jController;
  private readonly log: Logger;
  private state: State = 'new';
  private core: BrokerCore | null = null;
  private node: BrokerNode | null = null;
  /** The CONTROLLER listener of a combined node (its own controller, reachable by other brokers). */
  private controllerServer: ControllerServer | null = null;
  /** The Prometheus endpoint (tributary.metrics.port), when configured. */
  private metricsServer: MetricsServer | null = null;
  private stopPromise: Promise<void> | null = null;

  constructor(
    readonly config: BrokerConfig,
    private readonly options: BrokerOptions = {},
  ) {
    this.registry = options.registry ?? createDefaultRegistry();
    // every message goes through the loggers' levels (root INFO), changed at runtime with
    // BROKER_LOGGER resources: the sink itself lets everything through
    this.loggers = new Log4jController(
      options.log ?? consoleLogger('debug', config.get('tributary.log.format') as LogFormat),
      config.get('tributary.log.level'),
    );
    this.log = this.loggers.logger('kafka.server.BrokerServer');
  }

  /** The services handlers receive; available once start() has resolved. */
  get services(): BrokerServices {
    if (!this.node) throw new Error('broker not started');
    return this.node.services;
  }

  /** Bound listeners (ports resolved). */
  get listeners(): readonly BoundListener[] {
    return this.node?.listeners ?? [];
  }

  /** The bound CONTROLLER listeners of a combined node (empty otherwise). */
  get controllerListeners(): readonly BoundListener[] {
    return this.controllerServer?.listeners ?? [];
  }

  /** Where the Prometheus endpoint serves (http://host:port/metrics) once started; null when tributary.metrics.port is not set. */
  get metricsUrl(): string | null {
    return this.metricsServer && this.metricsServer.port >= 0 ? this.metricsServer.url : null;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.node?.connectionCount ?? 0;
  }

  /** Whether another broker is active (unfenced, not shutting down) in the cluster. */
  private othersActive(core: BrokerCore): boolean {
    const cluster = core.metadata.image.cluster;
    return cluster.brokerIds().some((id) => id !== this.config.nodeId && cluster.isActive(id));
  }

  /** Binds the listeners and returns the first one's port. */
  async start(): Promise<number> {
    if (this.state !== 'new') throw new Error(`cannot start a broker that is ${this.state}`);
    this.state = 'starting';
    const config = this.config;
    const core = new BrokerCore(config, {
      time: this.options.time ?? systemTime,
      log: this.log,
      loggers: this.loggers,
      fs: this.options.fs,
      groupCoordinator: this.options.groupCoordinator,
      transactionCoordinator: this.options.transactionCoordinator,
      controller: this.options.controller,
    });
    try {
      await core.start();
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    this.core = core;
    const metricsPort = config.get('tributary.metrics.port');
    const requestMetrics = metricsPort === null ? undefined : new RequestMetrics();
    const node = new BrokerNode(core, {
      nodeId: config.nodeId,
      listeners: config.listeners,
      advertisedListeners: config.advertisedListeners,
      registry: this.registry,
      authorizer: this.options.authorizer ?? createAuthorizer(config, () => core.metadata.image.acls),
      limits: connectionLimits(config, this.options),
      controllerListeners: () => this.controllerListeners,
      requestMetrics,
    });
    this.node = node;
    // The CONTROLLER listener first: other nodes reach this controller (a voter must be reachable
    // to be elected) before this broker registers with whichever controller is active.
    const local = core.localController;
    if (local && config.controllerListeners.length > 0) {
      const quorum = core.metadataQuorum;
      const server = new ControllerServer({
        controller: local,
        ...(quorum ? { raft: raftEndpoint(quorum, config, core.clusterId) } : {}),
        config,
        nodeId: config.nodeId,
        clusterId: core.clusterId,
        listeners: config.controllerListeners,
        log: this.loggers.logger('org.apache.kafka.controller.QuorumController'),
        loggers: this.loggers,
        time: this.options.time,
      });
      try {
        await server.start();
      } catch (err) {
        this.state = 'stopped';
        await core.stop();
        throw err;
      }
      this.controllerServer = server;
    }
    let bound: BoundListener[];
    try {
      if (requestMetrics && metricsPort !== null) await this.startMetrics(core, node, requestMetrics, metricsPort);
      await core.startQuorum();
      bound = await node.start();
    } catch (err) {
      this.state = 'stopped';
      await this.metricsServer?.stop();
      await this.controllerServer?.stop(0);
      await core.stop();
      throw err;
    }
    this.state = 'running';
    return bound[0]!.boundPort;
  }

  /** Serves /metrics on `port` of the first listener's host (metrics/metrics-server.ts). */
  private async startMetrics(core: BrokerCore, node: BrokerNode, requests: RequestMetrics, port: number): Promise<void> {
    // a combined node's controller reports its own work too
    const local = core.localController;
    let controller: { local: LocalController; metrics: QuorumControllerMetrics } | undefined;
    if (local) {
      const metrics = new QuorumControllerMetrics();
      metrics.attach(local, core.metadataQuorum);
      controller = { local, metrics };
    }
    const server = new MetricsServer({
      host: this.config.listeners[0]?.host ?? '',
      port,
      log: this.log,
      collect: () =>
        collectBrokerMetrics({
          replicas: core.replicas,
          requests,
          image: () => core.metadata.image,
          quorum: () => core.quorumState(),
          brokerState: () => brokerStateValue(node.lifecycleState ?? 'starting'),
          committedOffsets: () => core.groupCoordinator.coordinator.committedOffsets(),
          controller,
        }),
    });
    this.metricsServer = server;
    await server.start();
    this.log.info('serving metrics', { url: server.url });
  }

  /**
   * Stops accepting, answers in-flight requests, closes connections. Idempotent. First, when other
   * brokers are active to take over, a controlled shutdown (Kafka's controlled.shutdown.enable):
   * the controller moves this broker's leaderships away, so clients only see retriable errors.
   * `controlled: false` skips it (as a crash would: the controller fences the broker once its
   * session times out).
   */
  stop(opts: { controlled?: boolean } = {}): Promise<void> {
    this.stopPromise ??= (async () => {
      const node = this.state === 'running' ? this.node : null;
      this.state = 'stopping';
      if (node && opts.controlled !== false && this.core && this.othersActive(this.core)) {
        const moved = await node.controlledShutdown(this.options.shutdownTimeoutMs ?? 30_000);
        if (!moved) this.log.warn('controlled shutdown did not complete in time; stopping anyway');
      }
      await this.metricsServer?.stop();
      // other brokers following this node's controller lose it first (they keep serving what they have)
      await this.controllerServer?.stop(0);
      await this.core?.shutdown(this.node ? [this.node] : [], this.options.shutdownTimeoutMs ?? 30_000);
      this.state = 'stopped';
    })();
    return this.stopPromise;
  }
}
