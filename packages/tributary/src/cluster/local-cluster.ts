// LocalCluster: a Kafka 4 layout of separate processes on 127.0.0.1, for trying a cluster out
// (`tributary start --cluster 3`) and for fault tests: one dedicated controller
// (process.roles=controller, node id 0, a CONTROLLER listener) — or a quorum of several (node ids
// 1000..), or none when the nodes are combined (broker,controller, all voters) — and brokers 1..n
// (process.roles=broker, following the quorum through controller.quorum.voters), each with its own log dir
// under `dataDir` and its own port. Ports are fixed for the cluster's life, so a node restarted after
// a kill comes back where clients and other brokers expect it. CLUSTER_ID is given to every node
// (empty log dirs are formatted with it on first start). Optionally, extra broker-only nodes that
// find the quorum through controller.quorum.bootstrap.servers alone (KIP-853), not the voters.
//
//   const cluster = new LocalCluster({ brokers: 3, dataDir });
//   await cluster.start();                       // controller first, then the brokers
//   cluster.bootstrap;                           // '127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3'
//   await cluster.broker(2).kill();              // SIGKILL
//   await cluster.broker(2).start();             // same port, same data
//   await cluster.stop();                        // SIGTERM: brokers (controlled shutdown), then the controller
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cliCommand } from '../cli-command.ts';
import { NodeProcess } from './node-process.ts';

export const CONTROLLER_NODE_ID = 0;
/** The node id of the first of several dedicated controllers (the next ones follow it). */
export const FIRST_QUORUM_CONTROLLER_ID = 1000;

export interface LocalClusterOptions {
  /** Broker count (node ids 1..brokers). */
  brokers: number;
  dataDir: string;
  /** Default: a new random id. */
  clusterId?: string;
  /** First port: brokers get basePort.., the controller basePort + brokers. Default: free ports. */
  basePort?: number;
  /** Settings for every broker (Kafka's names), e.g. default.replication.factor. */
  brokerSettings?: Readonly<Record<string, string | number>>;
  /** Settings for the controller. */
  controllerSettings?: Readonly<Record<string, string | number>>;
  /**
   * Combined nodes (process.roles=broker,controller): every node is a voter of the quorum
   * (controller.quorum.voters lists them all, each with a CONTROLLER listener of its own) and there
   * is no dedicated controller. Default false: one dedicated controller, node 0.
   */
  combined?: boolean;
  /**
   * Dedicated controllers (process.roles=controller), all voters of the quorum (default 1: node 0;
   * several: node ids 1000, 1001, ...). Not with `combined`.
   */
  controllers?: number;
  /**
   * Extra broker-only nodes (process.roles=broker) with these node ids (not 1..brokers, nor 0),
   * configured with `controller.quorum.bootstrap.servers` (every CONTROLLER listener) instead of
   * `controller.quorum.voters`; started with the others. Default: none.
   */
  bootstrapServerBrokers?: readonly number[];
  /**
   * Log dirs per broker (JBOD): 1 (default) is `<dataDir>/broker-<id>`; more are
   * `<dataDir>/broker-<id>/logs-0`, `logs-1`, ... (logDirsOf).
   */
  logDirsPerBroker?: number;
  /** The command that runs the CLI (default: this package's CLI, compiled or through tsx; see cliCommand). */
  command?: readonly string[];
  /** Receives every line a node prints, prefixed with its name. */
  onLine?: (line: string) => void;
}

export class LocalCluster {
  readonly clusterId: string;
  private readonly controllerNodes = new Map<number, NodeProcess>();
  private readonly brokerNodes = new Map<number, NodeProcess>();
  private readonly ports = new Map<number, number>();
  private controllerPorts: number[] = [];

  constructor(private readonly options: LocalClusterOptions) {
    if (!Number.isInteger(options.brokers) || options.brokers < 1)
      throw new Error(`brokers must be a positive integer (got ${options.brokers})`);
    this.clusterId = options.clusterId ?? randomBytes(16).toString('base64url').replace(/^-/, 'A');
  }

  /** The dedicated controller process, when there is one (after start). */
  get controller(): NodeProcess {
    const [only, ...more] = this.controllerNodes.values();
    if (!only || more.length > 0)
      throw new Error(
        this.options.combined ? 'combined nodes have no dedicated controller' : `${this.controllerNodes.size} dedicated controllers`,
      );
    return only;
  }

  /** The dedicated controllers' node ids. */
  get controllerIds(): number[] {
    return [...this.controllerNodes.keys()];
  }

  /** A dedicated controller process by node id. */
  controllerNode(nodeId: number): NodeProcess {
    const c = this.controllerNodes.get(nodeId);
    if (!c) throw new Error(`no controller ${nodeId}`);
    return c;
  }

  /** The CONTROLLER listener port of a combined node (1..n) or a dedicated controller. */
  controllerPortOf(nodeId: number): number {
    const i = this.options.combined ? nodeId - 1 : this.controllerIds.indexOf(nodeId);
    const p = this.controllerPorts[i];
    if (p === undefined) throw new Error(`no controller listener for node ${nodeId}`);
    return p;
  }

  /** Every broker's `127.0.0.1:<port>`, comma separated. */
  get bootstrap(): string {
    return [...this.ports.values()].map((p) => `127.0.0.1:${p}`).join(',');
  }

  get brokerIds(): number[] {
    return [...this.brokerNodes.keys()];
  }

  broker(nodeId: number): NodeProcess {
    const b = this.brokerNodes.get(nodeId);
    if (!b) throw new Error(`no broker ${nodeId}`);
    return b;
  }

  portOf(nodeId: number): number {
    const p = this.ports.get(nodeId);
    if (p === undefined) throw new Error(`no broker ${nodeId}`);
    return p;
  }

  /** The log dirs of broker `id` (see LocalClusterOptions.logDirsPerBroker). */
  logDirsOf(id: number): string[] {
    const n = this.options.logDirsPerBroker ?? 1;
    const base = join(this.options.dataDir, `broker-${id}`);
    return n <= 1 ? [base] : Array.from({ length: n }, (_, i) => join(base, `logs-${i}`));
  }

  /** Picks the ports, then starts the controller and the brokers (in parallel); resolves when all listen. */
  async start(): Promise<void> {
    const n = this.options.brokers;
    const base = this.options.basePort;
    const combined = this.options.combined ?? false;
    const dedicated = combined ? 0 : (this.options.controllers ?? 1);
    if (!Number.isInteger(dedicated) || dedicated < 0) throw new Error(`controllers must be a positive integer (got ${dedicated})`);
    const extra = this.options.bootstrapServerBrokers ?? [];
    for (const id of extra) if (!Number.isInteger(id) || (id >= 0 && id <= n)) throw new Error(`bad extra broker id ${id}`);
    const quorumPorts = combined ? n : dedicated;
    const count = n + quorumPorts + extra.length;
    const ports = base ? Array.from({ length: count }, (_, i) => base + i) : await freePorts(count);
    for (let id = 1; id <= n; id++) this.ports.set(id, ports[id - 1]!);
    this.controllerPorts = ports.slice(n, n + quorumPorts);
    for (const [i, id] of extra.entries()) this.ports.set(id, ports[n + quorumPorts + i]!);
    const controllerIds =
      dedicated === 1 ? [CONTROLLER_NODE_ID] : Array.from({ length: dedicated }, (_, i) => FIRST_QUORUM_CONTROLLER_ID + i);
    const command = this.options.command ?? cliCommand();
    const voters = combined
      ? this.controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',')
      : controllerIds.map((id, i) => `${id}@127.0.0.1:${this.controllerPorts[i]}`).join(',');
    const common = { 'controller.listener.names': 'CONTROLLER', 'controller.quorum.voters': voters };
    const dir = (name: string) => {
      const d = join(this.options.dataDir, name);
      mkdirSync(d, { recursive: true });
      return d;
    };
    const node = (name: string, settings: Record<string, string | number>) =>
      new NodeProcess({ name, command, clusterId: this.clusterId, onLine: this.options.onLine, settings });
    const brokerDefaults = (id: number) => ({
      'node.id': id,
      'log.dirs': this.logDirsOf(id)
        .map((d) => {
          mkdirSync(d, { recursive: true });
          return d;
        })
        .join(','),
      'default.replication.factor': Math.min(3, n),
      'offsets.topic.replication.factor': Math.min(3, n),
    });
    controllerIds.forEach((id, i) => {
      const name = dedicated === 1 ? 'controller' : `controller-${id}`;
      this.controllerNodes.set(
        id,
        node(name, {
          'node.id': id,
          'process.roles': 'controller',
          listeners: `CONTROLLER://127.0.0.1:${this.controllerPorts[i]}`,
          'log.dirs': dir(name),
          ...common,
          ...this.options.controllerSettings,
        }),
      );
    });
    for (let id = 1; id <= n; id++) {
      const plaintext = `PLAINTEXT://127.0.0.1:${this.portOf(id)}`;
      this.brokerNodes.set(
        id,
        node(`broker-${id}`, {
          ...brokerDefaults(id),
          'process.roles': combined ? 'broker,controller' : 'broker',
          listeners: combined ? `${plaintext},CONTROLLER://127.0.0.1:${this.controllerPorts[id - 1]}` : plaintext,
          ...common,
          ...this.options.brokerSettings,
        }),
      );
    }
    const controllerListeners = this.controllerPorts.map((p) => `127.0.0.1:${p}`).join(',');
    for (const id of extra) {
      this.brokerNodes.set(
        id,
        node(`broker-${id}`, {
          ...brokerDefaults(id),
          'process.roles': 'broker',
          listeners: `PLAINTEXT://127.0.0.1:${this.portOf(id)}`,
          'controller.listener.names': 'CONTROLLER',
          'controller.quorum.bootstrap.servers': controllerListeners,
          ...this.options.brokerSettings,
        }),
      );
    }
    try {
      await Promise.all([...this.controllerNodes.values()].map((c) => c.start()));
      await Promise.all([...this.brokerNodes.values()].map((b) => b.start()));
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** SIGTERM every broker (controlled shutdown, one at a time), then the controllers. */
  async stop(): Promise<void> {
    for (const b of this.brokerNodes.values()) await b.stop();
    for (const c of this.controllerNodes.values()) await c.stop();
  }

  /** SIGKILL every node. */
  async kill(): Promise<void> {
    await Promise.all([...this.brokerNodes.values()].map((p) => p.kill()));
    await Promise.all([...this.controllerNodes.values()].map((p) => p.kill()));
  }
}

/** `count` distinct free ports of 127.0.0.1 (bound and released at once). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
