// ElectLeaders (API 43) in the controller (Kafka's ReplicationControlManager.electLeaders and
// electLeader, with PartitionChangeBuilder's PREFERRED and UNCLEAN elections; no ELR, KIP-966).
//
// Per partition, in Kafka's order:
//   unknown topic                                   UNKNOWN_TOPIC_OR_PARTITION "No such topic as <t>"
//   unknown partition                               UNKNOWN_TOPIC_OR_PARTITION "No such partition as <t>-<p>"
//   PREFERRED and replicas[0] already leads, or
//   UNCLEAN and the partition has a leader          ELECTION_NOT_NEEDED
//   then an election (a replica is acceptable as leader when it is active: registered, unfenced,
//   not in controlled shutdown):
//     PREFERRED  replicas[0] if it is in the ISR and acceptable; else the current leader stays if it
//                is (nothing to write: PREFERRED_LEADER_NOT_AVAILABLE); else the first other replica
//                in the ISR and acceptable; else none;
//     UNCLEAN    the first replica in the ISR and acceptable (a clean election); else the first
//                acceptable replica, the ISR becomes [it] and its LeaderRecoveryState RECOVERING
//                (unless it already is, KIP-704) — whatever the topic's unclean.leader.election.enable;
//   a leader other than the current one is written as a PartitionChangeRecord with only what
//   changes (NONE); none (the same leader as now) writes nothing: PREFERRED_LEADER_NOT_AVAILABLE
//   (PREFERRED) or ELIGIBLE_LEADERS_NOT_AVAILABLE (UNCLEAN).
// Each partition is elected against the image as the partitions before it in the request left it
// (a partition named twice is answered ELECTION_NOT_NEEDED the second time; Kafka would write two
// identical records).
// TopicPartitions null: every partition of every topic (topics by name, partitions in order), and
// a partition that needs no election is left out of its topic's results (the topic is still
// listed, with what remains), as Kafka's controller answers. An empty list: an empty response.
// An election type other than 0 and 1 fails the whole request: INVALID_REQUEST at the top level
// and for every partition named ("Unknown election type <n>"), as Kafka's getErrorResponse.
// maybeBalancePartitionLeaders: the automatic rebalance (leader-imbalance.ts) uses the same
// PREFERRED election.
import {
  ErrorCode,
  errorInfo,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
  type ElectLeadersResponsePartitionResult,
  type ElectLeadersResponseReplicaElectionResult,
} from '@tributary/protocol';
import { applyRecords } from '../image/metadata-delta.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { hasLeader, preferredReplica, type PartitionRegistration } from '../image/partition-registration.ts';
import type { TopicImage } from '../image/topics-image.ts';
import { LeaderRecoveryState, NO_LEADER, partitionChangeRecord, type RecordOf } from '../records/metadata-record.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';
import { leaderAcceptor } from './leader-acceptor.ts';

/** Kafka's ElectionType. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;
export type ElectionType = (typeof ElectionType)[keyof typeof ElectionType];

/** What the controller reads of an ElectLeaders request. */
export type ElectLeadersRequestData = Pick<ElectLeadersRequest, 'electionType' | 'topicPartitions'>;

/** The controller's answer: the response without its throttle time. */
export type ElectLeadersResult = Pick<ElectLeadersResponse, 'errorCode' | 'replicaElectionResults'>;

/** The outcome of one partition's election: the error to answer and the record to write, if any. */
export interface PartitionElection {
  error: ApiError;
  record: RecordOf<'PartitionChangeRecord'> | null;
}

const errorWithDefaultMessage = (code: number): ApiError => apiError(code, errorInfo(code).message);

/**
 * The PREFERRED or UNCLEAN election of one partition (PartitionChangeBuilder.electLeader + build,
 * without ELR): the new leader, or `p.leader` when there is nothing better, and whether it is
 * unclean (not in the ISR).
 */
export function electLeader(image: MetadataImage, p: PartitionRegistration, election: ElectionType): { leader: number; unclean: boolean } {
  const acceptable = leaderAcceptor(image, p);
  const valid = (r: number) => p.isr.includes(r) && acceptable(r);
  if (election === ElectionType.PREFERRED) {
    const preferred = preferredReplica(p);
    if (valid(preferred)) return { leader: preferred, unclean: false };
    if (valid(p.leader)) return { leader: p.leader, unclean: false };
    return { leader: p.replicas.slice(1).find(valid) ?? NO_LEADER, unclean: false };
  }
  if (valid(p.leader)) return { leader: p.leader, unclean: false };
  const clean = p.replicas.find(valid);
  if (clean !== undefined) return { leader: clean, unclean: false };
  const unclean = p.replicas.find(acceptable);
  return unclean !== undefined ? { leader: unclean, unclean: true } : { leader: NO_LEADER, unclean: false };
}

/** The record of an election of `partition` of `topic` (null: the leader would not change). */
export function electionRecord(
  topic: TopicImage,
  partition: number,
  p: PartitionRegistration,
  elected: { leader: number; unclean: boolean },
): RecordOf<'PartitionChangeRecord'> | null {
  if (elected.leader === p.leader) return null;
  const change: Parameters<typeof partitionChangeRecord>[0] = { topicId: topic.topicId, partitionId: partition, leader: elected.leader };
  if (elected.unclean) {
    change.isr = [elected.leader];
    if (p.leaderRecoveryState !== LeaderRecoveryState.RECOVERING) change.leaderRecoveryState = LeaderRecoveryState.RECOVERING;
  }
  return partitionChangeRecord(change);
}

/** Kafka's ReplicationControlManager.electLeader for one partition (see the header). */
export function electPartitionLeader(
  image: MetadataImage,
  topicName: string,
  partition: number,
  election: ElectionType,
): PartitionElection {
  const topic = image.topic(topicName);
  if (!topic) return { error: apiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topicName}`), record: null };
  const p = topic.partitions.get(partition);
  if (!p) {
    return { error: apiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topicName}-${partition}`), record: null };
  }
  if ((election === ElectionType.PREFERRED && p.leader === preferredReplica(p)) || (election === ElectionType.UNCLEAN && hasLeader(p))) {
    return { error: errorWithDefaultMessage(ErrorCode.ELECTION_NOT_NEEDED), record: null };
  }
  const record = electionRecord(topic, partition, p, electLeader(image, p, election));
  if (record) return { error: NONE, record };
  const code = election === ElectionType.PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE;
  return { error: errorWithDefaultMessage(code), record: null };
}

/** ElectLeaders (see the header). */
export function electLeaders(image: MetadataImage, request: ElectLeadersRequestData): ControllerResult<ElectLeadersResult> {
  const election = request.electionType;
  if (election !== ElectionType.PREFERRED && election !== ElectionType.UNCLEAN) {
    const message = `Unknown election type ${election}`;
    return {
      records: [],
      response: {
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({
            partitionId,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: message,
          })),
        })),
      },
    };
  }
  const all = request.topicPartitions === null;
  const wanted =
    request.topicPartitions ??
    image.topics
      .topics()
      .map((t) => ({ topic: t.name, partitions: [...t.partitions.keys()].sort((a, b) => a - b) }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  const records: RecordOf<'PartitionChangeRecord'>[] = [];
  let working = image;
  const replicaElectionResults: ElectLeadersResponseReplicaElectionResult[] = [];
  for (const t of wanted) {
    const partitionResult: ElectLeadersResponsePartitionResult[] = [];
    for (const partitionId of t.partitions) {
      const { error, record } = electPartitionLeader(working, t.topic, partitionId, election);
      if (record) {
        records.push(record);
        working = applyRecords(working, [record]).image;
      }
      if (all && error.errorCode === ErrorCode.ELECTION_NOT_NEEDED) continue;
      partitionResult.push({ partitionId, errorCode: error.errorCode, errorMessage: error.errorMessage });
    }
    replicaElectionResults.push({ topic: t.topic, partitionResult });
  }
  return { records, response: { errorCode: ErrorCode.NONE, replicaElectionResults } };
}
