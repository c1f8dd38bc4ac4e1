// ClusterView: the brokers of the cluster as this process knows them — Kafka's registered brokers
// (ZooKeeper's /brokers/ids/<id>, KRaft's BrokerRegistration): node id, rack, the advertised
// endpoint of each listener, whether the broker is alive (its listeners are up), and whether it
// is one of this process's own nodes. Handlers read it for the broker list of Metadata and
// DescribeCluster and for the endpoints of partition leaders and group coordinators; the
// partition side of the cluster (leader, leader epoch, replicas, ISR per partition) is the
// TopicManager's (`services.metadata`).
//
// A single Broker registers one local node. A LocalCluster (cluster/local-cluster.ts) registers
// several local nodes over one shared partition layer. Nothing here talks to other processes yet:
// remote brokers (a real multi-broker cluster) would be registered by a controller.
//
// Controller id: the lowest live node id, a stand-in for an elected controller (-1 when no broker
// is alive).
import type { ListenerEndpoint } from '../config/listeners.ts';

export interface BrokerRegistration {
  readonly nodeId: number;
  readonly rack: string | null;
  /** Advertised endpoints by listener name (ports resolved); empty while the broker is down. */
  readonly endpoints: readonly ListenerEndpoint[];
  /** The broker's listeners are up. */
  readonly live: boolean;
  /** Served by this process (shares its partition layer). */
  readonly local: boolean;
}

export class ClusterView {
  private readonly brokers = new Map<number, BrokerRegistration>();

  /** Registers a broker (not yet alive). Re-registering keeps its endpoints and liveness. */
  register(nodeId: number, opts: { rack?: string | null; local?: boolean } = {}): void {
    const old = this.brokers.get(nodeId);
    this.brokers.set(nodeId, { nodeId, rack: opts.rack ?? old?.rack ?? null, endpoints: old?.endpoints ?? [], live: old?.live ?? false, local: opts.local ?? old?.local ?? true });
  }

  /** The broker's listeners are up at these advertised endpoints. */
  markLive(nodeId: number, endpoints: readonly ListenerEndpoint[]): void {
    const b = this.brokers.get(nodeId);
    if (!b) throw new Error(`broker ${nodeId} is not registered`);
    this.brokers.set(nodeId, { ...b, endpoints: [...endpoints], live: true });
  }

  /** The broker went away (its listeners closed). It stays registered, as a fenced broker does. */
  markDead(nodeId: number): void {
    const b = this.brokers.get(nodeId);
    if (!b?.live) return;
    this.brokers.set(nodeId, { ...b, endpoints: [], live: false });
  }

  /** Every registered node id, ascending (replica assignment draws from these). */
  brokerIds(): number[] {
    return [...this.brokers.keys()].sort((a, b) => a - b);
  }

  /** Live brokers, ascending by node id (what Metadata lists). */
  liveBrokers(): BrokerRegistration[] {
    return [...this.brokers.values()].filter((b) => b.live).sort((a, b) => a.nodeId - b.nodeId);
  }

  broker(nodeId: number): BrokerRegistration | undefined {
    return this.brokers.get(nodeId);
  }

  isLive(nodeId: number): boolean {
    return this.brokers.get(nodeId)?.live === true;
  }

  isLocal(nodeId: number): boolean {
    return this.brokers.get(nodeId)?.local === true;
  }

  get controllerId(): number {
    let id = -1;
    for (const b of this.brokers.values()) if (b.live && (id === -1 || b.nodeId < id)) id = b.nodeId;
    return id;
  }

  /**
   * The endpoint of a live broker for the listener a request came in on (Kafka answers with the
   * endpoints of the same listener), else its first endpoint; undefined when the broker is down.
   */
  endpoint(nodeId: number, listenerName: string): ListenerEndpoint | undefined {
    const b = this.brokers.get(nodeId);
    if (!b?.live) return undefined;
    return b.endpoints.find((e) => e.name === listenerName) ?? b.endpoints[0];
  }

  /** Live brokers with the endpoint of `listenerName`, as Metadata and DescribeCluster list them. */
  liveEndpoints(listenerName: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
    const out = [];
    for (const b of this.liveBrokers()) {
      const ep = b.endpoints.find((e) => e.name === listenerName) ?? b.endpoints[0];
      if (ep) out.push({ nodeId: b.nodeId, host: ep.host, port: ep.port, rack: b.rack });
    }
    return out;
  }
}
