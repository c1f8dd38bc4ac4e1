// LocalCluster: several broker nodes in one process, for tests of what clients do when partition
// leadership moves (the role of librdkafka's mock cluster and franz-go's kfake).
//
// THIS IS A TEST CLUSTER, NOT REPLICATION. The nodes share one partition layer (one TopicManager
// and LogManager: one copy of every log), one producer id manager and one group coordinator
// (BrokerCore). Each node has its own node id, listener, advertised endpoint and request services,
// and answers as a Kafka broker would for what it does not lead (NOT_LEADER_OR_FOLLOWER,
// FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH). Because the storage is shared, a "follower" is
// always caught up: moving a leader loses nothing and idempotent producer state stays valid, as
// replication would keep it.
//
//   const cluster = new LocalCluster(config, { nodeIds: [1, 2, 3] });
//   await cluster.start();                         // binds one listener per node on 127.0.0.1
//   cluster.moveLeader('orders', 0, 2);            // leader epoch + 1, waiting fetches answered
//   await cluster.stopNode(1);                     // listener closed, its partitions re-elected
//   await cluster.startNode(1);                    // same port, back in the ISRs
//   await cluster.stop();
//
// Replicas of new partitions go to the live nodes, leaders round-robin (TopicManager; the caller
// sets default.replication.factor). Elections act as Kafka's controller does when a broker goes
// away: the first replica, in assignment order, that is alive and in the ISR becomes leader
// (none: leader -1, the ISR keeps its last member); the dead node leaves every ISR. A node that
// comes back rejoins the ISR of its partitions at once (shared storage) and leads those whose last
// ISR member it was; leadership does not move back otherwise (no preferred leader election, no
// unclean election).
// Not implemented: a controller of its own (elections happen inside stopNode/startNode), racks,
// controlled shutdown (stopNode is a crash: connections close without draining by default),
// group coordinators per node (every node serves every group; FindCoordinator answers the leader
// of the group's __consumer_offsets partition).
import type { BrokerOptions } from '../broker.ts';
import { BrokerCore } from '../broker-core.ts';
import { BrokerNode, connectionLimits } from '../broker-node.ts';
import type { BrokerConfig } from '../config/broker-config.ts';
import { createDefaultRegistry } from '../handlers/index.ts';
import type { HandlerRegistry } from '../server/handler-registry.ts';
import { consoleLogger } from '../logger.ts';
import type { Partition } from '../replica/partition.ts';
import { systemTime } from '@tributary/storage';

export interface LocalClusterOptions extends BrokerOptions {
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

export class LocalCluster {
  readonly core: BrokerCore;
  readonly registry: HandlerRegistry;
  private readonly nodes = new Map<number, BrokerNode>();
  private readonly ports = new Map<number, number>();
  private readonly host: string;
  private stopPromise: Promise<void> | null = null;

  constructor(
    readonly config: BrokerConfig,
    private readonly options: LocalClusterOptions,
  ) {
    if (options.nodeIds.length === 0 || new Set(options.nodeIds).size !== options.nodeIds.length) throw new Error('nodeIds must be distinct and not empty');
    this.registry = options.registry ?? createDefaultRegistry();
    this.host = options.host ?? '127.0.0.1';
    this.core = new BrokerCore(config, {
      time: options.time ?? systemTime, log: options.log ?? consoleLogger(), nodeIds: options.nodeIds,
      fs: options.fs, groupCoordinator: options.groupCoordinator,
    });
  }

  get nodeIds(): number[] {
    return [...this.options.nodeIds];
  }

  /** Loads the shared partition layer and starts every node. */
  async start(): Promise<void> {
    this.core.start();
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

  /** The partition as the shared partition layer holds it (leader, leader epoch, replicas, ISR). */
  partition(topic: string, partition: number): Partition {
    const p = this.core.topics.partition(topic, partition);
    if (!p) throw new Error(`unknown partition ${topic}-${partition}`);
    return p;
  }

  /**
   * Makes `nodeId` (a replica) the leader of the partition, as an election would: the leader epoch
   * goes up by one, every node's Metadata reports the new leader, fetches waiting on the old leader
   * are answered. Moving to the current leader changes nothing. Returns the new leader epoch.
   */
  moveLeader(topic: string, partition: number, nodeId: number): number {
    return this.core.topics.changeLeaderAndIsr(topic, partition, { leader: nodeId }).leaderEpoch;
  }

  /**
   * Stops a node: it leaves the live brokers, its listener closes (connections dropped after
   * `timeoutMs`, default 0: a crash), then its partitions get new leaders and it leaves every ISR.
   */
  async stopNode(nodeId: number, opts: { timeoutMs?: number } = {}): Promise<void> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`node ${nodeId} is not running`);
    this.nodes.delete(nodeId);
    await node.stop(opts.timeoutMs ?? 0);
    const live = (id: number) => this.core.cluster.isLive(id);
    for (const t of this.core.topics.topics()) {
      for (const p of t.partitions) {
        const isr = p.isr.filter((r) => r !== nodeId);
        if (p.leader === nodeId) {
          const leader = p.replicas.find((r) => live(r) && isr.includes(r)) ?? -1;
          // Kafka keeps the last ISR member of a partition that went offline.
          this.core.topics.changeLeaderAndIsr(t.name, p.partition, { leader, isr: leader === -1 ? p.isr : isr });
        } else if (isr.length !== p.isr.length && isr.length > 0) {
          this.core.topics.changeLeaderAndIsr(t.name, p.partition, { isr });
        }
      }
    }
  }

  /**
   * Starts a stopped node on the port it had. It rejoins the ISR of every partition that has a
   * leader (shared storage: caught up at once). A partition without a leader gets this node as
   * leader only if it is the ISR member the partition kept (Kafka elects no replica outside the
   * ISR: no unclean election); the other live replicas then rejoin its ISR.
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
    for (const t of this.core.topics.topics()) {
      for (const p of t.partitions) {
        if (!p.replicas.includes(nodeId)) continue;
        if (p.leader === -1) {
          if (!p.isr.includes(nodeId)) continue; // offline until its last ISR member is back
          const isr = p.replicas.filter((r) => r === nodeId || this.core.cluster.isLive(r));
          this.core.topics.changeLeaderAndIsr(t.name, p.partition, { leader: nodeId, isr });
        } else if (!p.isr.includes(nodeId)) {
          this.core.topics.changeLeaderAndIsr(t.name, p.partition, { isr: [...p.isr, nodeId] });
        }
      }
    }
    return { nodeId, host: this.host, port: bound!.boundPort };
  }

  /** Stops every node, then the shared partition layer. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      await this.core.shutdown([...this.nodes.values()], this.options.shutdownTimeoutMs ?? 30_000);
      this.nodes.clear();
    })();
    return this.stopPromise;
  }
}
