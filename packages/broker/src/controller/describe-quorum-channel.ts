// DescribeQuorumChannel: how a broker listener answers DescribeQuorum (API key 55). Kafka's brokers
// forward it to the active controller and return its answer as it came (kafka-metadata-quorum
// --bootstrap-server); so does a broker-only node here, over its RemoteController's connection.
// A node whose controller runs in the same process (a combined broker,controller node, or an
// in-process cluster's shared controller) answers with that controller's description
// (localDescribeQuorum), the controller being the active one by construction.
//
// controllerEndpoints / quorumNodes: the voters' endpoints DescribeQuorum v2 lists under Nodes: this node's bound
// controller listeners, and the other voters of controller.quorum.voters on the first of
// controller.listener.names (the listener that config names them on).
import { ErrorCode, type DescribeQuorumRequest, type DescribeQuorumResponse, type Encodable } from '@tributary/protocol';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { ListenerEndpoint } from '../config/listeners.ts';
import type { BoundListener } from '../server/socket-server.ts';
import type { ControllerBackend } from './controller-backend.ts';
import { namesQuorumPartition, partitionErrorResponse, quorumResponse, type QuorumNode } from './describe-quorum-response.ts';

export interface DescribeQuorumChannel {
  /** The active controller's answer to `request` at `version`. */
  describeQuorum(request: DescribeQuorumRequest, version: number): Promise<Encodable<DescribeQuorumResponse>>;
}

/** Answered by a controller in this process, with the voters' endpoints `nodes` gives. */
export function localDescribeQuorum(
  controller: Pick<ControllerBackend, 'describeQuorum'>,
  nodes: () => readonly QuorumNode[],
): DescribeQuorumChannel {
  return {
    async describeQuorum(request, version) {
      if (!namesQuorumPartition(request)) return partitionErrorResponse(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return quorumResponse(controller.describeQuorum(), nodes(), version);
    },
  };
}

/** For a controller that cannot describe the quorum (a stand-in in tests): UNKNOWN_SERVER_ERROR. */
export const NO_DESCRIBE_QUORUM: DescribeQuorumChannel = {
  describeQuorum: () => Promise.reject(new Error('this controller cannot describe the metadata quorum')),
};

/** A controller's published controller listeners (advertised.listeners' entry, else the listener), as bound. */
export function controllerEndpoints(config: BrokerConfig, bound: readonly BoundListener[]): ListenerEndpoint[] {
  return config.advertisedControllerListeners.flatMap((a) => {
    const b = bound.find((x) => x.name === a.name);
    if (!b) return [];
    const host = a.host === '' || a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
    return [{ name: a.name, host, port: a.port === 0 ? b.boundPort : a.port }];
  });
}

/** The voters' endpoints: `nodeId`'s controller listeners (`own`, ports bound), the other static voters from the config. */
export function quorumNodes(config: BrokerConfig, nodeId: number, own: readonly ListenerEndpoint[]): QuorumNode[] {
  const self: QuorumNode = { nodeId, listeners: own.map((l) => ({ name: l.name, host: l.host, port: l.port })) };
  const name = config.controllerListenerNames[0] ?? 'CONTROLLER';
  const others = config.quorumVoters
    .filter((v) => v.nodeId !== nodeId)
    .map((v) => ({ nodeId: v.nodeId, listeners: [{ name, host: v.host, port: v.port }] }));
  return [self, ...others];
}
