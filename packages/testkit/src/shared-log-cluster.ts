// SharedLogCluster: a TEST FAKE of a multi-broker cluster, for tests of what clients do when
// partition leadership moves (the role of librdkafka's mock cluster and franz-go's kfake).
//
// THIS IS NOT REPLICATION. Several node ids are served by one broker core: one ReplicaManager (one
// copy of every log), one producer id manager, one group coordinator. Each node has its own node
// id, listener, advertised endpoint and request services, and answers as a Kafka broker would for
// what it does not lead (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH).
// Because the storage is shared, a "follower" is always caught up: moving a leader loses nothing
// and idempotent producer state stays valid, as replication would keep it. For independent
// brokers with storage of their own, use startCluster.
//
// Leadership is the controller's, as in a real cluster: the core's own LocalController holds the
// metadata; every node registers with it. moveLeader is a LeaderAndIsr change; stopNode fences the
// node (the controller elects new leaders from the ISR, the node leaves every ISR; a partition
// whose last ISR member it was keeps it, leaderless); startNode registers it again (the controller
// gives it back the leaderless partitions whose last ISR member it is: no unclean election) and
// makes every running replica of a led partition an ISR member (shared storage: caught up).
//
//   const cluster = new SharedLogCluster(config, { nodeIds: [1, 2, 3] });
//   await cluster.start();                         // binds one listener per node on 127.0.0.1
//   await cluster.moveLeader('orders', 0, 2);      // leader epoch + 1, waiting fetches answered
//   await cluster.stopNode(1);                     // listener closed, its partitions re-elected
//   await cluster.startNode(1);                    // same port, back in the ISRs
//   await cluster.stop();
import {
  BrokerCore,
  BrokerNode,
  connectionLimits,
  consoleLogger,
  createDefaultRegistry,
  systemTime,
  type BrokerConfig,
  type BrokerOptions,
  type HandlerRegistry,
} from '@tributary/broker';
import type { PartitionRegistration } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';

export interface SharedLogClusterOptions extends BrokerOptions {
  /** Node ids, e.g. [1, 2, 3]. */
  nodeIds: number[];
  /** Interface every node listens on (default 127.0.0.1). */
  host?: string;
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
}

export class SharedLogCluster {
  readonly core: BrokerCore;
  readonly registry: HandlerRegistry;
  private readonly nodes = new Map<number, BrokerNode>();
  private readonly ports = new Map<number, number>();
  private readonly host: string;
  private stopPromise: Promise<void> | null = null;

  constructor(
    readonly config: BrokerConfig,
    private readonly options: SharedLogClusterOptions,
  ) {
    if (options.nodeIds.length === 0 || new Set(options.nodeIds).size !== options.nodeIds.length)
      throw new Error('nodeIds must be distinct and not empty');
    this.registry = options.registry ?? createDefaultRegistry();
    this.host = options.host ?? '127.0.0.1';
    this.core = new BrokerCore(config, {
      time: options.time ?? systemTime,
      log: options.log ?? consoleLogger(),
      nodeIds: options.nodeIds,
      fs: options.fs,
      groupCoordinator: options.groupCoordinator,
      transactionCoordinator: options.transactionCoordinator,
    });
  }

  get nodeIds(): number[] {
    return [...this.options.nodeIds];
  }

  /** Loads the shared core and starts every node. */
  async start(): Promise<void> {
    await this.core.start();
    try {
      for (const id of this.options.nodeIds) await this.startNode(id);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** A running node, or undefined while it is stopped. */
  node(nodeId: number): BrokerNode | undefined {
    return this.nodes.get(nodeId);
  }

  /** Every node's address (the port it was last bound to), running or not. */
  endpoints(): NodeEndpoint[] {
    return this.options.nodeIds.map((nodeId) => ({ nodeId, host: this.host, port: this.ports.get(nodeId) ?? 0 }));
  }

  /** The partition as the metadata holds it (leader, leader epoch, replicas, ISR). */
  partition(topic: string, partition: number): PartitionRegistration {
    const p = this.core.metadata.partition(topic, partition);
    if (!p) throw new Error(`unknown partition ${topic}-${partition}`);
    return p;
  }

  /**
   * Makes `nodeId` (a replica) the leader of the partition, as an election would: the leader epoch
   * goes up by one, every node's Metadata reports the new leader, fetches waiting on the old leader
   * are answered. Moving to the current leader changes nothing. Resolves with the leader epoch.
   */
  async moveLeader(topic: string, partition: number, nodeId: number): Promise<number> {
    const r = await this.core.controller.changePartition({ topic, partition, leader: nodeId });
    if (r.errorCode !== ErrorCode.NONE) throw new Error(r.errorMessage ?? `cannot move the leader of ${topic}-${partition}`);
    return this.partition(topic, partition).leaderEpoch;
  }

  /**
   * Stops a node: its listener closes (connections dropped after `timeoutMs`, default 0: a crash),
   * then the controller fences it: its partitions get new leaders and it leaves every ISR.
   */
  async stopNode(nodeId: number, opts: { timeoutMs?: number } = {}): Promise<void> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`node ${nodeId} is not running`);
    this.nodes.delete(nodeId);
    await node.stop(opts.timeoutMs ?? 0);
    const r = await this.core.controller.fenceBroker(nodeId);
    if (r.errorCode !== ErrorCode.NONE) throw new Error(r.errorMessage ?? `cannot fence node ${nodeId}`);
  }

  /**
   * Starts a stopped node on the port it had and registers it; it rejoins the ISR of every
   * partition it is a replica of that has a leader (shared storage: caught up at once).
   */
  async startNode(nodeId: number): Promise<NodeEndpoint> {
    if (!this.options.nodeIds.includes(nodeId)) throw new Error(`node ${nodeId} is not a node of this cluster`);
    if (this.nodes.has(nodeId)) throw new Error(`node ${nodeId} is running`);
    const node = new BrokerNode(this.core, {
      nodeId,
      listeners: [{ name: 'PLAINTEXT', host: this.host, port: this.ports.get(nodeId) ?? 0 }],
      advertisedListeners: null,
      registry: this.registry,
      authorizer: this.options.authorizer,
      limits: connectionLimits(this.config, this.options),
    });
    const [bound] = await node.start();
    this.nodes.set(nodeId, node);
    this.ports.set(nodeId, bound!.boundPort);
    // Every running replica of a led partition is in its ISR (shared storage: caught up).
    for (const t of this.core.metadata.topics()) {
      for (const p of t.partitions) {
        if (p.leader === -1 || !p.replicas.includes(nodeId)) continue;
        const isr = p.replicas.filter((r) => this.nodes.has(r));
        if (isr.length === p.isr.length && isr.every((r) => p.isr.includes(r))) continue;
        await this.core.controller.changePartition({ topic: t.name, partition: p.partition, isr });
      }
    }
    return { nodeId, host: this.host, port: bound!.boundPort };
  }

  /** Stops every node, then the shared core. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      await this.core.shutdown([...this.nodes.values()], this.options.shutdownTimeoutMs ?? 30_000);
      this.nodes.clear();
    })();
    return this.stopPromise;
  }
}
