// QuorumEndpoints: where the controllers of the quorum are, by id, as this node knows it — shared
// by the Raft channel (network-raft-channel.ts) and the RPC connection (controller-connection.ts)
// of a node (Kafka's RequestManager bootstrap nodes plus the Endpoints its KafkaRaftClient learns).
//
// Two sources:
//   - configured: `controller.quorum.voters` (id@host:port, the static voter set, authoritative:
//     never replaced) or `controller.quorum.bootstrap.servers` (host:port, no ids: each gets a
//     pseudo id -2, -3, ..., as Kafka numbers them; -1 stays "no node"). Pseudo ids are only ever
//     destinations of a Raft client's "who leads?" Fetch (RaftClientOptions.bootstrap);
//   - learned: a node's endpoint named in an answer (KIP-853: Fetch v16+ NodeEndpoints, Vote /
//     BeginQuorumEpoch / EndQuorumEpoch v1+ NodeEndpoints, FetchSnapshot v1+) for an id that is
//     not a configured voter. A later answer naming another address for it replaces it.
//
//   const endpoints = new QuorumEndpoints(parseBootstrapServers('c1:9093,c2:9093'));
//   endpoints.bootstrapIds;                        // [-2, -3]
//   endpoints.learn({ nodeId: 2, host: 'c2', port: 9093 });
//   endpoints.address(2);                          // { id: 2, host: 'c2', port: 9093 }
import type { ControllerAddress } from './controller-connection.ts';

/** A node's address on the controller listener, as an answer names it. */
export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
}

export class QuorumEndpoints {
  private readonly configured = new Map<number, ControllerAddress>();
  private readonly learned = new Map<number, ControllerAddress>();

  /** `addresses`: the voters (ids >= 0) or the bootstrap servers (pseudo ids <= -2). */
  constructor(addresses: readonly ControllerAddress[]) {
    for (const a of addresses) this.configured.set(a.id, a);
  }

  /** The configured voters' ids (none when only bootstrap servers are given). */
  get voterIds(): number[] {
    return [...this.configured.keys()].filter((id) => id >= 0);
  }

  /** The bootstrap servers' pseudo ids (-2, -3, ...), in configuration order. */
  get bootstrapIds(): number[] {
    return [...this.configured.keys()].filter((id) => id < 0);
  }

  /** The address of node (or pseudo id) `id`, configured or learned; undefined when unknown. */
  address(id: number): ControllerAddress | undefined {
    return this.configured.get(id) ?? this.learned.get(id);
  }

  /** Records where node `e.nodeId` is; true when this is news (a new id, or a new address). */
  learn(e: NodeEndpoint): boolean {
    if (e.nodeId < 0 || this.configured.has(e.nodeId)) return false;
    const known = this.learned.get(e.nodeId);
    if (known && known.host === e.host && known.port === e.port) return false;
    this.learned.set(e.nodeId, { id: e.nodeId, host: e.host, port: e.port });
    return true;
  }
}
