// AlterPartition in the controller (Kafka's ReplicationControlManager.alterPartition and
// validateAlterPartitionData): a partition leader proposes a new ISR (and leader recovery state);
// the controller checks it against the partition as the image has it and writes a
// PartitionChangeRecord with what changes (replaying it bumps the partition epoch).
//
// Request-wide: the requesting broker must be registered with the given broker epoch, else the
// whole response is STALE_BROKER_EPOCH (no topics), as Kafka's ClusterControlManager.checkBrokerEpoch.
// Per topic: v0-1 name it (unknown: UNKNOWN_TOPIC_OR_PARTITION), v2+ by id (unknown or zero:
// UNKNOWN_TOPIC_ID), for every partition of it.
// Per partition, in Kafka's order:
//   unknown partition                                     UNKNOWN_TOPIC_OR_PARTITION
//   leader epoch or partition epoch newer than ours       NOT_CONTROLLER (the requester knows a newer controller)
//   leader epoch older                                    FENCED_LEADER_EPOCH
//   requester is not the leader                           INVALID_REQUEST
//   partition epoch older                                 INVALID_UPDATE_VERSION
//   ISR not a subset of the replicas (or a duplicate)     INVALID_REQUEST
//   ISR without the leader                                INVALID_REQUEST
//   RECOVERING with more than one ISR member              INVALID_REQUEST
//   RECOVERED -> RECOVERING                               INVALID_REQUEST
//   an ISR member not registered, in controlled shutdown, fenced, or (v3, NewIsrWithEpochs) with a
//   broker epoch other than -1 and not its current one    INELIGIBLE_REPLICA (v2+), OPERATION_NOT_ATTEMPTED (v0-1)
// Accepted: the change is Kafka's PartitionChangeBuilder's (partition-change-builder.ts): the ISR
// (in the order given) and the recovery state are written when they differ, and an ISR that now
// holds every target replica of a reassignment in progress completes it (the removing replicas
// leave replicas and ISR). The partition is answered as it is after the change (leader, leader
// epoch, ISR, recovery state, partition epoch); when completing a reassignment moved the
// leadership off the requester (it was being removed), the answer is NEW_LEADER_ELECTED (v2+,
// FENCED_LEADER_EPOCH before) although the change is written, as Kafka does. An ISR change alone
// does not bump the leader epoch. Every partition is checked against the image before the request.
import {
  ErrorCode,
  type AlterPartitionRequest,
  type AlterPartitionRequestPartitionData,
  type AlterPartitionResponse,
  type AlterPartitionResponsePartitionData,
  type AlterPartitionResponseTopicData,
} from '@tributary/protocol';
import type { MetadataImage } from '../image/metadata-image.ts';
import { mergePartitionChange, type PartitionRegistration } from '../image/partition-registration.ts';
import { LeaderRecoveryState, type MetadataRecord } from '../records/metadata-record.ts';
import { checkBrokerEpoch } from './cluster-control.ts';
import { buildPartitionChange, changesLeader } from './partition-change-builder.ts';
import { uncleanLeaderElectionEnabled } from './partition-change.ts';
import type { ControllerResult } from './results.ts';
import { leaderAcceptor } from './leader-acceptor.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The AlterPartition versions the controller serves: 0-3. */
export const ALTER_PARTITION_MAX_VERSION = 3;

interface IsrMember {
  brokerId: number;
  brokerEpoch: bigint;
}

export function alterPartition(
  image: MetadataImage,
  request: AlterPartitionRequest,
  version: number,
  uncleanBrokerDefault = false,
): ControllerResult<AlterPartitionResponse> {
  const stale = checkBrokerEpoch(image, request.brokerId, request.brokerEpoch);
  if (stale) return { records: [], response: { throttleTimeMs: 0, errorCode: stale.errorCode, topics: [] } };
  const records: MetadataRecord[] = [];
  const topics: AlterPartitionResponseTopicData[] = [];
  for (const td of request.topics) {
    const partitions: AlterPartitionResponsePartitionData[] = [];
    topics.push({ topicName: td.topicName, topicId: td.topicId, partitions });
    const topic = version >= 2 ? (td.topicId === ZERO_UUID ? undefined : image.topicById(td.topicId)) : image.topic(td.topicName);
    if (!topic) {
      const code = version >= 2 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      for (const pd of td.partitions) partitions.push(failed(pd.partitionIndex, code));
      continue;
    }
    for (const pd of td.partitions) {
      const isr: IsrMember[] = version >= 3 ? pd.newIsrWithEpochs : pd.newIsr.map((brokerId) => ({ brokerId, brokerEpoch: -1n }));
      const p = topic.partitions.get(pd.partitionIndex);
      const code = validate(image, request.brokerId, p, pd, isr, version);
      if (code !== ErrorCode.NONE || !p) {
        partitions.push(failed(pd.partitionIndex, code));
        continue;
      }
      const election = uncleanLeaderElectionEnabled(image, topic.name, uncleanBrokerDefault) ? 'UNCLEAN' : 'ONLINE';
      const acceptable = leaderAcceptor(image, p);
      const target = {
        isr: isr.map((m) => m.brokerId),
        leaderRecoveryState: pd.leaderRecoveryState as LeaderRecoveryState,
        election,
      } as const;
      const record = buildPartitionChange(p, topic.topicId, pd.partitionIndex, acceptable, target);
      const after = record ? mergePartitionChange(p, record.data) : p;
      if (record) records.push(record);
      if (record && changesLeader(record) && record.data.leader !== request.brokerId) {
        partitions.push(failed(pd.partitionIndex, version > 1 ? ErrorCode.NEW_LEADER_ELECTED : ErrorCode.FENCED_LEADER_EPOCH));
        continue;
      }
      partitions.push({
        partitionIndex: pd.partitionIndex,
        errorCode: ErrorCode.NONE,
        leaderId: after.leader,
        leaderEpoch: after.leaderEpoch,
        isr: [...after.isr],
        leaderRecoveryState: after.leaderRecoveryState,
        partitionEpoch: after.partitionEpoch,
      });
    }
  }
  return { records, response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics } };
}

function validate(
  image: MetadataImage,
  brokerId: number,
  p: PartitionRegistration | undefined,
  pd: AlterPartitionRequestPartitionData,
  isr: readonly IsrMember[],
  version: number,
): ErrorCode {
  if (!p) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (pd.leaderEpoch > p.leaderEpoch || pd.partitionEpoch > p.partitionEpoch) return ErrorCode.NOT_CONTROLLER;
  if (pd.leaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (brokerId !== p.leader) return ErrorCode.INVALID_REQUEST;
  if (pd.partitionEpoch < p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const ids = isr.map((m) => m.brokerId);
  if (new Set(ids).size !== ids.length || !ids.every((id) => p.replicas.includes(id))) return ErrorCode.INVALID_REQUEST;
  if (!ids.includes(p.leader)) return ErrorCode.INVALID_REQUEST;
  const lrs = pd.leaderRecoveryState;
  if (lrs !== LeaderRecoveryState.RECOVERED && lrs !== LeaderRecoveryState.RECOVERING) return ErrorCode.INVALID_REQUEST;
  if (lrs === LeaderRecoveryState.RECOVERING && ids.length > 1) return ErrorCode.INVALID_REQUEST;
  if (p.leaderRecoveryState === LeaderRecoveryState.RECOVERED && lrs === LeaderRecoveryState.RECOVERING) return ErrorCode.INVALID_REQUEST;
  if (isr.some((m) => !eligible(image, m))) return version >= 2 ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.OPERATION_NOT_ATTEMPTED;
  return ErrorCode.NONE;
}

/** Kafka's ineligibleReplicasForIsr: registered, not shutting down, unfenced, the epoch given (unless -1). */
function eligible(image: MetadataImage, m: IsrMember): boolean {
  const b = image.cluster.broker(m.brokerId);
  if (!b || b.inControlledShutdown || b.fenced) return false;
  return m.brokerEpoch === -1n || m.brokerEpoch === b.epoch;
}

function failed(partitionIndex: number, errorCode: number): AlterPartitionResponsePartitionData {
  return { partitionIndex, errorCode, leaderId: 0, leaderEpoch: 0, isr: [], leaderRecoveryState: 0, partitionEpoch: 0 };
}
