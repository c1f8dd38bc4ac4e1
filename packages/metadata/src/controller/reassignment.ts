// Partition reassignment in the controller (Kafka's ReplicationControlManager
// .alterPartitionReassignments / listPartitionReassignments).
//
// AlterPartitionReassignments (API 45), per partition, each against the image as the partitions
// before it in the request left it; the records of the whole request are written together:
//   unknown topic                            UNKNOWN_TOPIC_OR_PARTITION "Unable to find a topic named t."
//   unknown partition                        UNKNOWN_TOPIC_OR_PARTITION "Unable to find partition t:9."
//   replicas null (cancel):
//     none in progress                       NO_REASSIGNMENT_IN_PROGRESS
//     the ISR holds only adding replicas     INVALID_REPLICA_ASSIGNMENT unless unclean.leader.election.enable
//     else: replicas and ISR lose the adding replicas (the original set), adding/removing are
//     cleared, and a leader that was being added is replaced (an UNCLEAN election when enabled);
//   replicas given (Kafka's validateManualPartitionAssignment, brokers in ascending order):
//     empty                                  INVALID_REPLICA_ASSIGNMENT "... includes an empty replica list."
//     a broker not registered                INVALID_REPLICA_ASSIGNMENT "... includes broker 7, but no such broker is registered."
//     a broker twice                         INVALID_REPLICA_ASSIGNMENT "... includes the broker 2 more than once."
//     else replicas = target + removing, adding = target - current, removing = current - target
//     (partition-reassignment.ts); a fenced broker may be a target (it joins the ISR once it is
//     back and caught up). A target the ISR already satisfies completes at once (a reorder, or a
//     shrink to in-sync replicas), with a new leader when the current one is removed; a new target
//     replaces the one in progress (computed from the current replicas, as Kafka does).
// The partition's leader adds the new replicas to the ISR as they catch up (AlterPartition); the
// change that makes the ISR hold every target replica completes the reassignment
// (partition-change-builder.ts), as does an ISR shrink (a removing broker fenced).
//
// ListPartitionReassignments (API 46): the partitions with adding or removing replicas — all of
// them (topics null: topics by name, partitions ascending), or those of the topics and partitions
// named (in the order given; unknown topics and partitions without a reassignment are left out, a
// topic with none is left out).
import {
  ErrorCode,
  errorInfo,
  type AlterPartitionReassignmentsResponse,
  type AlterPartitionReassignmentsResponseReassignablePartitionResponse,
  type ListPartitionReassignmentsResponse,
  type ListPartitionReassignmentsResponseOngoingTopicReassignment,
} from '@tributary/protocol';
import { applyRecords } from '../image/metadata-delta.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { partitionsInOrder } from '../image/topics-image.ts';
import type { MetadataRecord, RecordOf } from '../records/metadata-record.ts';
import { buildPartitionChange } from './partition-change-builder.ts';
import { uncleanLeaderElectionEnabled } from './partition-change.ts';
import { isReassignmentInProgress, reassignmentReplicas, reassignmentRevert } from './partition-reassignment.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';
import { leaderAcceptor } from './leader-acceptor.ts';

export interface ReassignablePartition {
  partitionIndex: number;
  /** The target replicas; null cancels the reassignment in progress. */
  replicas: readonly number[] | null;
}

export interface ReassignableTopic {
  name: string;
  partitions: readonly ReassignablePartition[];
}

export interface ListReassignmentsTopic {
  name: string;
  partitionIndexes: readonly number[];
}

/** A reassignment failure: the partition's error, no record. */
class ReassignmentError {
  constructor(readonly error: ApiError) {}
}

const fail = (code: number, message: string) => new ReassignmentError(apiError(code, message));

export function alterPartitionReassignments(
  image: MetadataImage,
  topics: readonly ReassignableTopic[],
  uncleanBrokerDefault: boolean,
): ControllerResult<AlterPartitionReassignmentsResponse> {
  const records: MetadataRecord[] = [];
  let working = image;
  const responses = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((target): AlterPartitionReassignmentsResponseReassignablePartitionResponse => {
      const r = alterPartitionReassignment(working, t.name, target, uncleanBrokerDefault);
      if (r instanceof ReassignmentError) return { partitionIndex: target.partitionIndex, ...r.error };
      if (r) {
        records.push(r);
        working = applyRecords(working, [r]).image;
      }
      return { partitionIndex: target.partitionIndex, ...NONE };
    }),
  }));
  return { records, response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses } };
}

/** One partition's change record (null: nothing to change), or its error. */
function alterPartitionReassignment(
  image: MetadataImage,
  topicName: string,
  target: ReassignablePartition,
  uncleanBrokerDefault: boolean,
): RecordOf<'PartitionChangeRecord'> | null | ReassignmentError {
  const topic = image.topic(topicName);
  if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topicName}.`);
  const p = topic.partitions.get(target.partitionIndex);
  if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${topicName}:${target.partitionIndex}.`);
  const acceptable = leaderAcceptor(image, p);
  const unclean = uncleanLeaderElectionEnabled(image, topicName, uncleanBrokerDefault);
  if (target.replicas === null) {
    if (!isReassignmentInProgress(p))
      return fail(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorInfo(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS).message);
    const revert = reassignmentRevert(p);
    if (!revert) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Invalid replica assignment: addingReplicas contains all replicas.');
    if (revert.unclean && !unclean) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Unable to revert partition assignment for ${topicName}:${target.partitionIndex} because it would require an unclean leader election.`,
      );
    }
    return buildPartitionChange(p, topic.topicId, target.partitionIndex, acceptable, {
      isr: revert.isr,
      replicas: revert.replicas,
      removing: [],
      adding: [],
      election: unclean ? 'UNCLEAN' : 'ONLINE',
    });
  }
  const problem = manualAssignmentProblem(image, target.replicas);
  if (problem) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  const r = reassignmentReplicas(p.replicas, target.replicas);
  return buildPartitionChange(p, topic.topicId, target.partitionIndex, acceptable, {
    replicas: sameList(r.replicas, p.replicas) ? undefined : r.replicas,
    removing: r.removing.length > 0 ? r.removing : undefined,
    adding: r.adding.length > 0 ? r.adding : undefined,
  });
}

/** Kafka's validateManualPartitionAssignment without a replication factor to match. */
function manualAssignmentProblem(image: MetadataImage, replicas: readonly number[]): string | null {
  if (replicas.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const sorted = [...replicas].sort((a, b) => a - b);
  let prev: number | undefined;
  for (const id of sorted) {
    if (!image.cluster.broker(id)) return `The manual partition assignment includes broker ${id}, but no such broker is registered.`;
    if (id === prev) return `The manual partition assignment includes the broker ${id} more than once.`;
    prev = id;
  }
  return null;
}

export function listPartitionReassignments(
  image: MetadataImage,
  topics: readonly ListReassignmentsTopic[] | null,
): ListPartitionReassignmentsResponse {
  const wanted =
    topics ??
    image.topics
      .topics()
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => ({ name: t.name, partitionIndexes: partitionsInOrder(t).map(([id]) => id) }));
  const out: ListPartitionReassignmentsResponseOngoingTopicReassignment[] = [];
  for (const { name, partitionIndexes } of wanted) {
    const topic = image.topic(name);
    if (!topic) continue;
    const partitions = [];
    for (const partitionIndex of partitionIndexes) {
      const p = topic.partitions.get(partitionIndex);
      if (!p || !isReassignmentInProgress(p)) continue;
      partitions.push({
        partitionIndex,
        replicas: [...p.replicas],
        addingReplicas: [...p.addingReplicas],
        removingReplicas: [...p.removingReplicas],
      });
    }
    if (partitions.length > 0) out.push({ name, partitions });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: out };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
