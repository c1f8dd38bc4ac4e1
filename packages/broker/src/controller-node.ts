// ControllerNode: a KRaft controller-only node (`process.roles=controller`, Kafka's
// ControllerServer in its own process): its log dir locked (`.lock`), the cluster id and meta.properties of it, a
// LocalController over `__cluster_metadata-0` there (one voter, or a voter of a Raft quorum when
// controller.quorum.voters lists several: controller/quorum.ts), and a ControllerServer on its
// CONTROLLER listener(s), which brokers (`process.roles=broker`) register with, heartbeat to, send
// AlterPartition and forwarded admin writes to, and follow the metadata log from. It hosts no
// partitions and serves no clients' data requests. With `tributary.metrics.port` set, it serves
// its Prometheus /metrics there (the broker's MetricsServer, on the first CONTROLLER listener's
// host): the KafkaController gauges, the quorum's raft-metrics and the controller's own counters
// (metrics/controller-node-metrics.ts); ActiveControllerCount is 1 only on the active controller.
//
//   const node = new ControllerNode(BrokerConfig.load({ overrides: ['process.roles=controller', ...] }), { log });
//   const [listener] = await node.start();      // listener.boundPort
//   node.metricsUrl                               // http://127.0.0.1:<port>/metrics, or null
//   await node.stop();
import { LocalController, type RaftMetadataLog } from '@tributary/metadata';
import {
  NodeFileSystem,
  ensureMetaProperties,
  lockLogDir,
  systemTime,
  type FileSystem,
  type LogDirLock,
  type Time,
} from '@tributary/storage';
import { mkdirSync } from 'node:fs';
import type { BrokerConfig } from './config/broker-config.ts';
import { ControllerServer } from './controller/controller-server.ts';
import { openQuorumLog, raftEndpoint, runsRaftQuorum } from './controller/quorum.ts';
import type { Logger } from './logger.ts';
import { collectControllerNodeMetrics } from './metrics/controller-node-metrics.ts';
import { MetricsServer } from './metrics/metrics-server.ts';
import { QuorumControllerMetrics } from './metrics/quorum-controller-metrics.ts';
import { voterQuorumState } from './metrics/raft-metrics.ts';
import { resolveClusterId } from './meta-properties.ts';
import { controllerOptions } from './metadata/controller-options.ts';
import type { BoundListener } from './server/socket-server.ts';

export interface ControllerNodeOptions {
  log: Logger;
  time?: Time;
  fs?: FileSystem;
}

export class ControllerNode {
  private controller: LocalController | null = null;
  private server: ControllerServer | null = null;
  private _clusterId: string | null = null;
  /** The log dir's `.lock` file while this node runs (the real filesystem only). */
  private dirLock: LogDirLock | null = null;
  /** The Prometheus endpoint (tributary.metrics.port), when configured. */
  private metricsServer: MetricsServer | null = null;
  private controllerMetrics: QuorumControllerMetrics | null = null;

  constructor(
    readonly config: BrokerConfig,
    private readonly options: ControllerNodeOptions,
  ) {
    if (!config.isController) throw new Error('a controller node needs process.roles=controller');
  }

  get clusterId(): string {
    if (this._clusterId === null) throw new Error('controller node not started');
    return this._clusterId;
  }

  get listeners(): readonly BoundListener[] {
    return this.server?.listeners ?? [];
  }

  /** Where the Prometheus endpoint serves (http://host:port/metrics) once started; null when tributary.metrics.port is not set. */
  get metricsUrl(): string | null {
    return this.metricsServer && this.metricsServer.port >= 0 ? this.metricsServer.url : null;
  }

  /** The LocalController this node runs (after start). */
  get localController(): LocalController {
    if (!this.controller) throw new Error('controller node not started');
    return this.controller;
  }

  /** Opens the metadata log and binds the CONTROLLER listeners. */
  async start(): Promise<BoundListener[]> {
    const config = this.config;
    const fs = this.options.fs ?? new NodeFileSystem();
    const dir = config.logDirs[0]!;
    mkdirSync(dir, { recursive: true });
    // the log dir is this node's while it runs: a second node on it is refused (storage's log-dir-lock.ts)
    if (fs instanceof NodeFileSystem) this.dirLock = lockLogDir(dir);
    try {
      return await this.open(config, fs, dir);
    } catch (err) {
      this.releaseDirLock();
      throw err;
    }
  }

  private releaseDirLock(): void {
    this.dirLock?.release();
    this.dirLock = null;
  }

  private async open(config: BrokerConfig, fs: FileSystem, dir: string): Promise<BoundListener[]> {
    const clusterId = resolveClusterId(config, fs);
    ensureMetaProperties(fs, dir, { clusterId, nodeId: config.nodeId });
    this._clusterId = clusterId;
    const time = this.options.time ?? systemTime;
    const quorum = runsRaftQuorum(config) ? openQuorumLog(config, { clusterId, fs, time, log: this.options.log }) : null;
    this.controller = await LocalController.open({
      logDir: dir,
      controller: controllerOptions(config),
      nodeId: config.nodeId,
      fs,
      time,
      logger: this.options.log,
      ...(quorum ? { metadataLog: quorum } : {}),
    });
    this.server = new ControllerServer({
      controller: this.controller,
      ...(quorum ? { raft: raftEndpoint(quorum, config, clusterId) } : {}),
      config,
      nodeId: config.nodeId,
      clusterId,
      listeners: config.controllerListeners,
      log: this.options.log,
      time,
    });
    try {
      const bound = await this.server.start();
      await this.startMetrics(this.controller, quorum);
      // reachable now: the voter joins the quorum
      await quorum?.start();
      return bound;
    } catch (err) {
      await this.metricsServer?.stop();
      await this.server.stop(0);
      await this.controller.close();
      throw err;
    }
  }

  /** Serves /metrics on tributary.metrics.port, when set (metrics/metrics-server.ts). */
  private async startMetrics(controller: LocalController, quorum: RaftMetadataLog | null): Promise<void> {
    const port = this.config.get('tributary.metrics.port');
    if (port === null) return;
    const metrics = new QuorumControllerMetrics();
    metrics.attach(controller, quorum);
    this.controllerMetrics = metrics;
    const nodeId = this.config.nodeId;
    const server = new MetricsServer({
      host: this.config.controllerListeners[0]?.host ?? '',
      port,
      log: this.options.log,
      collect: () => collectControllerNodeMetrics({ controller, quorum: () => voterQuorumState(controller, quorum, nodeId), metrics }),
    });
    this.metricsServer = server;
    await server.start();
    this.options.log.info('serving metrics', { url: server.url });
  }

  async stop(): Promise<void> {
    await this.metricsServer?.stop();
    this.controllerMetrics?.close();
    await this.server?.stop();
    await this.controller?.close();
    this.releaseDirLock();
  }
}
