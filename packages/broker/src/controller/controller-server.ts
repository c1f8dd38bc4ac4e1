// ControllerServer: the controller reachable over the network (Kafka's ControllerServer with its
// CONTROLLER listener, `process.roles=controller`): a SocketServer and RequestDispatcher (the
// broker's listener stack) serving the controller's APIs (controller-apis.ts) over a
// ControllerBackend — today a LocalController, one voter. Brokers register, heartbeat, send
// AlterPartition and forwarded admin writes, and follow `__cluster_metadata-0` by Fetch.
//
//   const server = new ControllerServer({ controller: local, config, nodeId: 3000, clusterId,
//                                         listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 0 }] });
//   const [bound] = await server.start();     // bound.boundPort
//   await server.stop();                      // drains connections; the backend stays open
//
// The handlers reused from the broker see BrokerServices: the controller's configuration, its
// node id and cluster id, its bound CONTROLLER listeners as `advertisedListeners`, a MetadataCache following the backend's images, the backend as
// `controller`. A controller hosts no partitions and runs no coordinators: `replicas`,
// `producerIds` and `groupCoordinator` throw if a handler reaches for them.
import type { Time } from '@tributary/storage';
import { systemTime } from '@tributary/storage';
import { connectionLimits, queuedMaxRequestBytes } from '../broker-node.ts';
import type { BrokerConfig } from '../config/broker-config.ts';
import { Log4jController } from '../log4j-controller.ts';
import type { Logger } from '../logger.ts';
import { MetadataCache } from '../metadata/metadata-cache.ts';
import type { Authorizer } from '../server/authorizer.ts';
import type { ConnectionLimits } from '../server/connection.ts';
import type { HandlerRegistry } from '../server/handler-registry.ts';
import { RequestDispatcher } from '../server/request-dispatcher.ts';
import { SaslGate, saslListenerConfigs } from '../server/sasl/sasl-gate.ts';
import { createAuthorizer } from '../security/authorizer/authorizer-config.ts';
import { forwardingAuthorizer } from '../security/authorizer/forwarding-authorizer.ts';
import { SocketServer, type BoundListener, type ListenerSpec } from '../server/socket-server.ts';
import type { BrokerServices } from '../services.ts';
import type { ListenerEndpoint } from '../config/listeners.ts';
import type { ControllerBackend } from './controller-backend.ts';
import { controllerEndpoints, localDescribeQuorum, quorumNodes } from './describe-quorum-channel.ts';
import { createControllerRegistry } from './controller-apis.ts';
import type { RaftEndpoint } from './raft/raft-endpoint.ts';

export interface ControllerServerOptions {
  controller: ControllerBackend;
  /** A voter of a multi-controller quorum: its Raft client, serving Fetch, Vote, BeginQuorumEpoch, EndQuorumEpoch. */
  raft?: RaftEndpoint;
  /** The controller node's configuration (topic defaults, delete.topic.enable, connection limits). */
  config: BrokerConfig;
  /** This controller's node id (Kafka's node.id of a controller). */
  nodeId: number;
  /** The cluster id brokers must register with. */
  clusterId: string;
  /** The CONTROLLER listener(s); port 0 picks a free port. */
  listeners: ListenerSpec[];
  log: Logger;
  /** The node's loggers (BROKER_LOGGER resources); default: a Log4jController over `log`. */
  loggers?: Log4jController;
  time?: Time;
  authorizer?: Authorizer;
  limits?: ConnectionLimits;
}

export class ControllerServer {
  readonly registry: HandlerRegistry;
  readonly metadata = new MetadataCache();
  private readonly server: SocketServer;
  private readonly shutdown = new AbortController();
  private unsubscribe: (() => void) | null = null;
  private bound: BoundListener[] = [];
  /** The bound CONTROLLER listeners as published (DescribeQuorum's Nodes); filled in by start(). */
  private readonly endpoints: ListenerEndpoint[] = [];

  constructor(private readonly options: ControllerServerOptions) {
    this.registry = createControllerRegistry(options.controller, options.raft);
    const services = controllerServices(options, this.registry, this.metadata, this.shutdown.signal, this.endpoints);
    this.server = new SocketServer({
      listeners: options.listeners,
      limits: options.limits ?? connectionLimits(options.config),
      // SASL_* controller listeners authenticate first (server/sasl/), against the metadata's SCRAM users.
      processor: new SaslGate(new RequestDispatcher(this.registry, () => services, this.authorizer()), {
        listeners: saslListenerConfigs(options.config, options.listeners),
        scramCredentials: (user, m) => this.metadata.image.scram.credential(user, m.type),
        log: options.log,
      }),
      log: options.log,
      config: options.config,
      queuedMaxRequestBytes: queuedMaxRequestBytes(options.config),
    });
  }

  /** Given, or from authorizer.class.name over this controller's ACLs, trusting nodes' forwarded requests. */
  private authorizer(): Authorizer {
    return this.options.authorizer ?? forwardingAuthorizer(createAuthorizer(this.options.config, () => this.metadata.image.acls));
  }

  get listeners(): readonly BoundListener[] {
    return this.bound;
  }

  get connectionCount(): number {
    return this.server.connectionCount;
  }

  async start(): Promise<BoundListener[]> {
    this.unsubscribe = this.options.controller.subscribe((_delta, image) => this.metadata.update(image));
    try {
      this.bound = await this.server.start();
      this.endpoints.splice(0, this.endpoints.length, ...controllerEndpoints(this.options.config, this.bound));
    } catch (err) {
      this.unsubscribe();
      this.unsubscribe = null;
      throw err;
    }
    this.options.log.info('controller listening', { listeners: this.bound.map((b) => `${b.name}://${b.host}:${b.boundPort}`) });
    return this.bound;
  }

  /** Stops accepting, answers in-flight requests (long polls end at once), closes connections. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.shutdown.abort();
    await this.server.stop(timeoutMs);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}

function controllerServices(
  o: ControllerServerOptions,
  registry: HandlerRegistry,
  metadata: MetadataCache,
  shutdownSignal: AbortSignal,
  endpoints: readonly ListenerEndpoint[],
): BrokerServices {
  const none = (what: string) => () => {
    throw new Error(`a controller has no ${what}`);
  };
  const services = {
    config: o.config,
    time: o.time ?? systemTime,
    log: o.log,
    loggers: o.loggers ?? new Log4jController(o.log),
    nodeId: o.nodeId,
    clusterId: o.clusterId,
    advertisedListeners: endpoints,
    registry,
    metadata,
    controller: o.controller,
    quorum: localDescribeQuorum(o.controller, () => quorumNodes(o.config, o.nodeId, endpoints)),
    shutdownSignal,
  };
  Object.defineProperties(services, {
    replicas: { get: none('replicas') },
    producerIds: { get: none('producer id manager') },
    groupCoordinator: { get: none('group coordinator') },
    txnCoordinator: { get: none('transaction coordinator') },
  });
  return services as unknown as BrokerServices;
}
