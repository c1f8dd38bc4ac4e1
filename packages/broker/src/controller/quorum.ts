// The metadata quorum of a voter node (Kafka's KafkaRaftManager): when `controller.quorum.voters`
// lists more than one controller, a node with the controller role runs its controller over a
// RaftMetadataLog — `__cluster_metadata-0` in its first log dir, replicated with the other voters
// through a NetworkRaftChannel on their CONTROLLER listeners — and serves the Raft APIs (Vote,
// BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot) through a RaftEndpoint over its Raft client. One voter
// keeps the LocalMetadataLog (it always leads; no Raft traffic).
//
// Order at start (a voter must be reachable before it can be elected): open the log and the
// controller (`openQuorumLog`, nothing sent), bind the CONTROLLER listener, then `start()` the
// Raft client; a combined node registers its broker after that, with whichever voter leads.
import { RaftMetadataLog } from '@tributary/metadata';
import type { QuorumConfig } from '@tributary/raft';
import type { FileSystem, Time } from '@tributary/storage';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { Logger } from '../logger.ts';
import { parseQuorumVoters } from './controller-connection.ts';
import { NetworkRaftChannel } from './raft/network-raft-channel.ts';
import type { RaftEndpoint } from './raft/raft-endpoint.ts';
import { outboundTls } from '../server/tls/outbound-tls.ts';
import { controllerSaslLogin } from '../server/sasl/broker-login.ts';

/** Whether this node is a voter of a quorum of several controllers. */
export function runsRaftQuorum(config: BrokerConfig): boolean {
  return config.isController && config.quorumVoters.length > 1;
}

/** The quorum's timing from `controller.quorum.*`. */
export function quorumConfig(config: BrokerConfig): Partial<QuorumConfig> {
  return { electionTimeoutMs: config.quorumElectionTimeoutMs, fetchTimeoutMs: config.quorumFetchTimeoutMs };
}

/** The voters' addresses (`controller.quorum.voters`). */
export function quorumAddresses(config: BrokerConfig) {
  return parseQuorumVoters(config.get('controller.quorum.voters').join(','));
}

export interface OpenQuorumLogOptions {
  clusterId: string;
  fs?: FileSystem;
  time: Time;
  log: Logger;
}

/** Opens this voter's replicated metadata log (the Raft client is not started). */
export function openQuorumLog(config: BrokerConfig, o: OpenQuorumLogOptions): RaftMetadataLog {
  const addresses = quorumAddresses(config);
  controllerSaslLogin(config); // a SASL controller listener without this voter's login fails here
  const channel = new NetworkRaftChannel({
    nodeId: config.nodeId,
    clusterId: o.clusterId,
    voters: addresses,
    listenerName: config.controllerListeners[0]?.name,
    requestTimeoutMs: config.quorumRequestTimeoutMs,
    tls: () => outboundTls(config, config.controllerListenerNames[0], o.log),
    sasl: () => controllerSaslLogin(config),
    time: o.time,
    log: o.log,
  });
  return RaftMetadataLog.open({
    logDir: config.logDirs[0]!,
    nodeId: config.nodeId,
    voters: addresses.map((a) => a.id),
    channel,
    fs: o.fs,
    time: o.time,
    config: quorumConfig(config),
    logger: { info: (m, f) => o.log.info(m, f), error: (m, f) => o.log.error(m, f) },
    onClose: () => channel.close(),
    snapshotBytes: config.get('metadata.log.max.record.bytes.between.snapshots'),
  });
}

/** The controller listener's view of this voter's Raft client. */
export function raftEndpoint(log: RaftMetadataLog, config: BrokerConfig, clusterId: string): RaftEndpoint {
  const raft = log.raft;
  const addresses = quorumAddresses(config);
  return {
    nodeId: config.nodeId,
    clusterId,
    leaderAndEpoch: () => raft.leaderAndEpoch,
    handleVote: (req) => raft.handleVote(req),
    handleBeginQuorumEpoch: (req) => raft.handleBeginQuorumEpoch(req),
    handleEndQuorumEpoch: (req) => raft.handleEndQuorumEpoch(req),
    handleFetch: (req, signal) => raft.handleFetch(req, signal),
    handleFetchSnapshot: (req) => raft.handleFetchSnapshot(req),
    describeQuorum: () => raft.describeQuorum(),
    leaderEndpoint: (leaderId) => {
      const a = addresses.find((x) => x.id === leaderId);
      return a ? { nodeId: a.id, host: a.host, port: a.port } : undefined;
    },
  };
}
