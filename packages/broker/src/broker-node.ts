// BrokerNode: the front end of one node id over a BrokerCore — its listeners (SocketServer), its
// advertised endpoints, and the BrokerServices its handlers see (`nodeId` is this node: data
// handlers answer NOT_LEADER_OR_FOLLOWER for partitions another node leads). Starting binds the
// listeners, then runs the broker's lifecycle with the controller (BrokerLifecycleManager:
// BrokerRegistration with a new incarnation id and the advertised endpoints, registered fenced;
// heartbeats every broker.heartbeat.interval.ms reporting the metadata offset this broker has
// applied; unfenced once caught up): from then on it is live in every broker's metadata, and a
// broker that stops heartbeating is fenced after broker.session.timeout.ms. Stopping may first
// run a controlled shutdown (WantShutDown until the controller answers ShouldShutDown: its
// leaderships moved away), then heartbeats stop and the listeners close (draining connections
// for up to `timeoutMs`). A stopped node is not restarted: a new BrokerNode with the same node id is.
// JBOD (KIP-858): the registration lists the online log dirs' ids, heartbeats the failed ones (at
// once when one fails), and replicas are assigned to their dirs (controller/log-dir-events.ts,
// `logDirEvents`; logDirOnline(dir) there tells the controller a failed dir is back).
// Dynamic max.connections* settings reach its listeners' connection limits while it runs.
import { SUPPORTED_FEATURES } from '@tributary/metadata';
import type { BrokerConfig } from './config/broker-config.ts';
import { SECURITY_PROTOCOLS, type ListenerEndpoint } from './config/listeners.ts';
import type { BrokerCore } from './broker-core.ts';
import type { Logger } from './logger.ts';
import { BrokerLifecycleManager } from './controller/broker-lifecycle-manager.ts';
import { AssignmentsManager } from './controller/assignments-manager.ts';
import { LogDirEvents } from './controller/log-dir-events.ts';
import { controllerEndpoints, quorumNodes } from './controller/describe-quorum-channel.ts';
import { createQuotaManagers } from './quota/quota-managers.ts';
import { IpConnectionRateQuotas } from './quota/ip-connection-rate.ts';
import { RequestDispatcher } from './server/request-dispatcher.ts';
import type { HandlerRegistry } from './server/handler-registry.ts';
import type { Authorizer } from './server/authorizer.ts';
import type { ConnectionLimits } from './server/connection.ts';
import { zeroCopySender } from './server/zero-copy.ts';
import { SocketServer, type BoundListener, type ListenerSpec } from './server/socket-server.ts';
import { parsePerIpOverrides, type ConnectionQuotaConfig } from './server/connection-quotas.ts';
import { SaslGate, saslListenerConfigs } from './server/sasl/sasl-gate.ts';
import { controllerSaslLogin, interBrokerSaslLogin } from './server/sasl/broker-login.ts';
import type { BrokerServices } from './services.ts';
import type { LifecycleState } from './controller/broker-lifecycle-manager.ts';
import type { RequestMetrics } from './metrics/request-metrics.ts';

export interface BrokerNodeOptions {
  nodeId: number;
  /** Listeners to bind (port 0 picks a free port). */
  listeners: ListenerSpec[];
  /** advertised.listeners; null = the bound listeners (wildcard hosts advertised as 127.0.0.1). */
  advertisedListeners: ListenerEndpoint[] | null;
  registry: HandlerRegistry;
  /** Default: allow every operation. */
  authorizer?: Authorizer;
  limits: ConnectionLimits;
  /** The bound CONTROLLER listeners of a combined node (DescribeQuorum's Nodes); default none. */
  controllerListeners?: () => readonly BoundListener[];
  /** Where requests are counted and timed (the metrics endpoint); default: not measured. */
  requestMetrics?: RequestMetrics;
}

/**
 * Connection limits from the configuration and the broker options.
 *
 * Requests in flight per connection: a window of 500 by default (DEFAULT_MAX_IN_FLIGHT_REQUESTS,
 * Kafka's queued.max.requests), answered in order, at most one of them a Fetch (connection.ts).
 * Kafka handles one request per connection at a time; Tributary keeps a window because a
 * producer's pipelined requests that wait (acks=all for the followers, tributary.durability=fsync
 * for the disk) then wait together. It was 5 (what Java producers and librdkafka's idempotent
 * producer keep in flight), which starved librdkafka's plain producer (max.in.flight 1,000,000):
 * with linger.ms=0 at 10,000 records/s, acks=all on RF=3, each request carries a record or two and
 * waits for the followers (~1-2 ms), so 5 at a time is about 3,000 requests/s; the rest queued in
 * the socket and the end-to-end latency grew to p50 1.5 s, p99 1.9 s over the run (`npm run bench
 * -- --only cluster/e2e`; 1.9 / 13.2 ms with no bound, 2.0 / 127 ms with 32, 1.7 / 10.1 ms with
 * 100, 1.7 / 10.3 ms with 500). Memory stays bounded by bytes, not by this count: the requests in
 * flight count in queued.max.request.bytes, the requests and responses a connection holds stay
 * under maxInFlightBytes, and at most one Fetch response of fetch.max.bytes. Earlier measurement
 * (the raw replayer's 8 Produce requests in flight, 1 KiB, acks=all with fsync): 90k records/s with
 * one request at a time, 216k with 5, 273k unbounded. A Fetch handled alone (nothing else in flight
 * beside it) was tried and dropped: a ListOffsets sent behind a long poll then reads the log end
 * after records the poll is waiting for (our client's seek to the end misses
 * them). Before, every pipelined request was handled at once: 10 connections pipelining Fetches
 * without reading their responses grew the broker to 20 GB.
 */
export function connectionLimits(
  config: BrokerConfig,
  o: { maxInFlightRequestsPerConnection?: number; maxInFlightBytesPerConnection?: number } = {},
): ConnectionLimits {
  return {
    maxFrameBytes: config.get('socket.request.max.bytes'),
    idleMs: config.get('connections.max.idle.ms'),
    maxInFlightRequests: o.maxInFlightRequestsPerConnection ?? DEFAULT_MAX_IN_FLIGHT_REQUESTS,
    maxInFlightBytes: o.maxInFlightBytesPerConnection ?? 64 * 1024 * 1024,
    requestReadTimeoutMs: config.get('tributary.request.read.timeout.ms'),
  };
}

/** max.connections, max.connections.per.ip(.overrides) as they apply now (static or dynamic). */
export function connectionQuotaConfig(config: BrokerConfig): ConnectionQuotaConfig {
  return {
    maxConnections: config.get('max.connections'),
    maxConnectionsPerIp: config.get('max.connections.per.ip'),
    perIpOverrides: parsePerIpOverrides(config.get('max.connections.per.ip.overrides')),
  };
}

const CONNECTION_QUOTA_CONFIGS: ReadonlySet<string> = new Set([
  'max.connections',
  'max.connections.per.ip',
  'max.connections.per.ip.overrides',
]);

/** Requests handled at once per connection when the broker options do not say (see connectionLimits). */
export const DEFAULT_MAX_IN_FLIGHT_REQUESTS = 500;

/**
 * queued.max.request.bytes as the SocketServer applies it: <= 0 unbounded (Kafka's -1); the
 * default, a fraction of the heap, raised to socket.request.max.bytes when that is set higher.
 */
export function queuedMaxRequestBytes(config: BrokerConfig): number {
  const bytes = config.get('queued.max.request.bytes');
  return bytes <= 0 ? -1 : Math.max(bytes, config.get('socket.request.max.bytes'));
}

export class BrokerNode {
  readonly nodeId: number;
  readonly services: BrokerServices;
  private readonly shutdown = new AbortController();
  private readonly server: SocketServer;
  private readonly advertised: ListenerEndpoint[] = [];
  private bound: BoundListener[] = [];
  private stopPromise: Promise<void> | null = null;
  private lifecycle: BrokerLifecycleManager | null = null;
  private _logDirEvents: LogDirEvents | null = null;
  private assignments: AssignmentsManager | null = null;
  private detachLogDirEvents: (() => void) | null = null;
  private readonly stopReconfiguring: () => void;

  private readonly assignmentsLog: Logger;

  constructor(
    private readonly core: BrokerCore,
    private readonly options: BrokerNodeOptions,
  ) {
    this.nodeId = options.nodeId;
    if (!core.isLocal(options.nodeId)) throw new Error(`node ${options.nodeId} is not a node of this broker core`);
    // the loggers of register()'s components exist from the start (BROKER_LOGGER lists them at once)
    this.assignmentsLog = core.loggers.logger('org.apache.kafka.server.AssignmentsManager');
    // Services exist before the listeners bind (a request can arrive as soon as they do); the
    // advertised endpoints are filled in once the bound ports are known.
    this.services = {
      config: core.config,
      time: core.time,
      log: core.loggers.logger('kafka.server.KafkaApis'),
      loggers: core.loggers,
      nodeId: options.nodeId,
      clusterId: core.clusterId,
      advertisedListeners: this.advertised,
      registry: options.registry,
      metadata: core.metadata,
      controller: core.controller,
      quorum: core.describeQuorumChannel(() =>
        quorumNodes(core.config, options.nodeId, controllerEndpoints(core.config, options.controllerListeners?.() ?? [])),
      ),
      replicas: core.replicas,
      producerIds: core.producerIds,
      groupCoordinator: core.groupCoordinator,
      txnCoordinator: core.txnCoordinator,
      quotas: createQuotaManagers(core.config, () => core.metadata.image.clientQuotas),
      shutdownSignal: this.shutdown.signal,
    };
    const services = this.services;
    core.attachNode(options.nodeId, services);
    this.server = new SocketServer({
      listeners: options.listeners,
      limits: options.limits,
      // SASL_* listeners authenticate first (server/sasl/); the credentials are the metadata's.
      processor: new SaslGate(new RequestDispatcher(options.registry, () => services, options.authorizer, options.requestMetrics), {
        listeners: saslListenerConfigs(core.config, options.listeners),
        scramCredentials: (user, m) => core.metadata.image.scram.credential(user, m.type),
        log: core.loggers.logger('org.apache.kafka.common.security.authenticator.SaslServerAuthenticator'),
      }),
      log: core.loggers.logger('kafka.network.SocketServer'),
      config: core.config,
      queuedMaxRequestBytes: queuedMaxRequestBytes(core.config),
      sendfile: zeroCopySender(core.config, core.replicas.logs.fs, core.loggers.logger('kafka.network.SocketServer')),
      connectionQuotas: connectionQuotaConfig(core.config),
      connectionRate: new IpConnectionRateQuotas(
        core.config.get('quota.window.num'),
        core.config.get('quota.window.size.seconds') * 1000,
        () => core.metadata.image.clientQuotas,
      ),
    });
    // dynamic max.connections* apply to new connections at once
    this.stopReconfiguring = core.config.onReconfigure((changed) => {
      if ([...changed].some((n) => CONNECTION_QUOTA_CONFIGS.has(n)))
        this.server.reconfigureConnectionQuotas(connectionQuotaConfig(core.config));
    });
    // a SASL inter-broker or controller listener without this node's login fails here, not at the first request
    interBrokerSaslLogin(core.config);
    controllerSaslLogin(core.config);
  }

  /** Bound listeners (ports resolved). */
  get listeners(): readonly BoundListener[] {
    return this.bound;
  }

  get connectionCount(): number {
    return this.server.connectionCount;
  }

  /** Where the broker's lifecycle with the controller is (null before it registers). */
  get lifecycleState(): LifecycleState | null {
    return this.lifecycle?.state ?? null;
  }

  /**
   * This node's log dirs as the controller knows them (null before it registers): logDirOnline(dir)
   * announces a dir back online, onReplicaDirChanged(tp, dir) a replica moved between dirs.
   */
  get logDirEvents(): LogDirEvents | null {
    return this._logDirEvents;
  }

  /** Binds the listeners and registers the broker with the controller (then it is live). */
  async start(): Promise<BoundListener[]> {
    this.bound = await this.server.start();
    this.advertised.push(...this.resolveAdvertised(this.bound));
    try {
      await this.register();
    } catch (err) {
      this.detachLogDirEvents?.();
      this.assignments?.close();
      await this.server.stop(0);
      throw err;
    }
    return this.bound;
  }

  private async register(): Promise<void> {
    const core = this.core;
    const controller = core.controller;
    const endpoints = this.advertised.map((e) => ({
      name: e.name,
      host: e.host,
      port: e.port,
      securityProtocol: SECURITY_PROTOCOLS[e.securityProtocol ?? 'PLAINTEXT'],
    }));
    const assignments = new AssignmentsManager({
      nodeId: this.nodeId,
      brokerEpoch: () => core.brokerEpoch(this.nodeId),
      send: (req) => controller.assignReplicasToDirs(req),
      log: this.assignmentsLog,
      time: core.time,
    });
    let lifecycle: BrokerLifecycleManager | null = null;
    const events = new LogDirEvents({
      nodeId: this.nodeId,
      logs: core.replicas.logs,
      assignments,
      propagateDirectoryFailure: () => lifecycle?.propagateDirectoryFailure(),
      resendBrokerRegistration: async () => lifecycle?.resendBrokerRegistration(),
      image: () => core.metadata.image,
      log: core.loggers.logger('kafka.server.BrokerLifecycleManager'),
    });
    this.assignments = assignments;
    this._logDirEvents = events;
    lifecycle = new BrokerLifecycleManager({
      controller: {
        // the offset of the next record this broker's image has not applied
        get metadataOffset() {
          return core.metadata.image.provenance.lastOffset + 1;
        },
        registerBroker: (req) => controller.registerBroker(req),
        brokerHeartbeat: (req) => controller.brokerHeartbeat(req),
      },
      nodeId: this.nodeId,
      endpoints,
      rack: core.config.brokerRack,
      heartbeatIntervalMs: core.config.brokerHeartbeatIntervalMs,
      time: core.time,
      log: core.loggers.logger('kafka.server.BrokerLifecycleManager'),
      onBrokerEpoch: (epoch) => core.setBrokerEpoch(this.nodeId, epoch),
      features: SUPPORTED_FEATURES,
      logDirs: () => events.onlineDirIds(),
      offlineLogDirs: () => events.offlineDirIds(),
    });
    this.lifecycle = lifecycle;
    this.detachLogDirEvents = core.attachLogDirEvents(this.nodeId, events);
    await lifecycle.start();
    await lifecycle.whenUnfenced();
  }

  /**
   * Kafka's controlled shutdown: asks the controller to move this broker's leaderships away and
   * waits until it answers ShouldShutDown (or `timeoutMs` passes), so clients see only retriable
   * errors while the broker goes.
   */
  async controlledShutdown(timeoutMs: number): Promise<boolean> {
    const lifecycle = this.lifecycle;
    if (!lifecycle || lifecycle.state === 'closed') return false;
    let timer: (() => void) | null = null;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = this.core.time.setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([lifecycle.controlledShutdown().then(() => true), timedOut]);
    (timer as (() => void) | null)?.();
    return done;
  }

  /** advertised.listeners, or the bound listeners; port 0 is replaced by the bound port. */
  private resolveAdvertised(bound: BoundListener[]): ListenerEndpoint[] {
    const configured =
      this.options.advertisedListeners ??
      bound.map((b) => ({ name: b.name, host: b.host, port: b.port, securityProtocol: b.securityProtocol }));
    return configured.map((a) => {
      const b = bound.find((x) => x.name === a.name);
      const host = a.host === '' || a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
      return { name: a.name, host, port: a.port === 0 && b ? b.boundPort : a.port, securityProtocol: a.securityProtocol };
    });
  }

  /** Aborts `services.shutdownSignal` (the first step of stopping). */
  abort(): void {
    this.shutdown.abort();
  }

  /** Stops accepting, answers in-flight requests for up to `timeoutMs`, closes. Idempotent. */
  stop(timeoutMs = 30_000): Promise<void> {
    this.stopPromise ??= (async () => {
      this.stopReconfiguring();
      this.abort();
      this.detachLogDirEvents?.();
      this.assignments?.close();
      this.lifecycle?.close();
      await this.server.stop(timeoutMs);
    })();
    return this.stopPromise;
  }
}
