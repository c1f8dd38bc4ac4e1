// This node in the metadata quorum as metrics: Kafka's KafkaRaftMetrics (the Kafka Metrics group
// raft-metrics, MBean kafka.server:type=raft-metrics), named as the Prometheus JMX exporter's
// Kafka config (Strimzi's rules) names them, `kafka_server_raftmetrics_<metric, - as _>`:
//
//   current-leader      the leader this node knows (-1: none)
//   current-state       kafka_server_raftmetrics_current_state{current_state="leader"} 1 (the
//                       exporter turns the string attribute into a label)
//   current-epoch       the quorum epoch this node is in
//   current-vote        the voter it voted for in that epoch (-1: none)
//   high-watermark      the committed end of the metadata log (-1: unknown)
//   log-end-offset      the end of its copy of the log
//   commit-latency-avg  ms from an append of the leader to its commit: the average since start
//   commit-latency-max  (Kafka's are over its sample windows; the max here is over the last 4-5 minutes, NaN: none)
//
// The numeric ones besides current-leader only where this node knows them (a voter, or the lone
// controller): a broker that observes a remote quorum reports its leader and state.
import type { LocalController, RaftMetadataLog } from '@tributary/metadata';
import type { MetricFamily } from './exposition.ts';
import type { LatencyHistogram } from './latency-histogram.ts';

export interface QuorumState {
  /** Kafka's raft current-state: leader, follower, candidate, prospective, unattached, resigned or observer. */
  state: string;
  /** The quorum leader as this node knows it (-1: none). */
  leaderId: number;
  /** Whether this node's controller is the active one. */
  activeController: boolean;
  /** A voter's view of its log and election (absent where this node has none). */
  epoch?: number;
  votedId?: number;
  highWatermark?: number;
  logEndOffset?: number;
}

/**
 * The quorum as a controller sees it: its Raft client's state when it is a voter of several
 * (`quorumLog`), else the lone voter that leads every epoch it is active in.
 */
export function voterQuorumState(controller: LocalController, quorumLog: RaftMetadataLog | null, nodeId: number): QuorumState {
  const activeController = controller.isActive;
  const raft = quorumLog?.raft;
  if (raft && quorumLog) {
    return {
      state: raft.role,
      leaderId: raft.leaderId,
      activeController,
      epoch: raft.epoch,
      votedId: raft.votedId,
      highWatermark: raft.highWatermark,
      logEndOffset: quorumLog.endOffset,
    };
  }
  const end = controller.nextOffset;
  return {
    state: activeController ? 'leader' : 'unattached',
    leaderId: activeController ? nodeId : -1,
    activeController,
    epoch: controller.leaderEpoch,
    votedId: activeController ? nodeId : -1,
    highWatermark: end,
    logEndOffset: end,
  };
}

/** The raft-metrics families of `quorum`; `commitLatency` (a leader's appends) when this node keeps it. */
export function raftFamilies(quorum: QuorumState, commitLatency: LatencyHistogram | null, now: number): MetricFamily[] {
  const rm = 'kafka_server_raftmetrics_';
  const gauge = (name: string, help: string, value: number | undefined): MetricFamily => ({
    name: `${rm}${name}`,
    help,
    type: 'gauge',
    samples: value === undefined ? [] : [{ value }],
  });
  return [
    gauge('current_leader', 'The metadata quorum leader this node knows (-1: none).', quorum.leaderId),
    {
      name: `${rm}current_state`,
      help: "This node's state in the metadata quorum (the label; the value is 1).",
      type: 'gauge',
      samples: [{ labels: { current_state: quorum.state }, value: 1 }],
    },
    gauge('current_epoch', 'The metadata quorum epoch this node is in.', quorum.epoch),
    gauge('current_vote', 'The voter this node voted for in the current epoch (-1: none).', quorum.votedId),
    gauge('high_watermark', 'The committed end of the metadata log (the high watermark; -1: unknown).', quorum.highWatermark),
    gauge('log_end_offset', "The end of this node's copy of the metadata log.", quorum.logEndOffset),
    gauge(
      'commit_latency_avg',
      'Average ms from an append of the leader to its commit, since start (NaN: none).',
      commitLatency ? (commitLatency.count === 0 ? Number.NaN : commitLatency.sum / commitLatency.count) : undefined,
    ),
    gauge(
      'commit_latency_max',
      'Longest ms from an append of the leader to its commit, over the last 4-5 minutes (NaN: none).',
      commitLatency?.quantile(1, now),
    ),
  ];
}
