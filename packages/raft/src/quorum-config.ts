// The quorum's timing (Kafka's QuorumConfig, `controller.quorum.*`), with Kafka's defaults.
//
//   electionTimeoutMs     controller.quorum.election.timeout.ms   1000  a voter without a leader
//                         starts an election after a random time in [T, 2T)
//   fetchTimeoutMs        controller.quorum.fetch.timeout.ms      2000  a follower that heard
//                         nothing from its leader for this long starts an election; a leader
//                         that heard from no majority for 1.5x this long resigns (check quorum)
//   electionBackoffMaxMs  controller.quorum.election.backoff.max.ms 1000  the most a lost election
//                         waits before the next pre-vote
//   retryBackoffMs        controller.quorum.retry.backoff.ms        20  after a failed request
//   fetchMaxWaitMs        how long a leader holds a Fetch with nothing to send (Kafka: 500)
//   fetchMaxBytes         the most a Fetch answer carries (Kafka: 8 MiB)

export interface QuorumConfig {
  electionTimeoutMs: number;
  fetchTimeoutMs: number;
  electionBackoffMaxMs: number;
  retryBackoffMs: number;
  fetchMaxWaitMs: number;
  fetchMaxBytes: number;
}

export const DEFAULT_QUORUM_CONFIG: QuorumConfig = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  electionBackoffMaxMs: 1000,
  retryBackoffMs: 20,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 8 * 1024 * 1024,
};
