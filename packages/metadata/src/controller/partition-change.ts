// Partition leadership and ISR changes in the controller (Kafka's ReplicationControlManager
// .generateLeaderAndIsrUpdates and PartitionChangeBuilder), producing PartitionChangeRecords with
// only the fields that change (a new leader bumps the leader epoch when replayed; an ISR change
// alone does not, as from metadata.version 3.6-IV0).
//
// Elections when a broker goes away (fenced, unregistered) or comes back (unfenced), per partition
// (Kafka's generateLeaderAndIsrUpdates, through partition-change-builder.ts):
//   - the broker leaving is removed from the ISR; the current leader stays if it is still in it
//     and acceptable (unfenced and not in controlled shutdown, or the broker coming back; never
//     the one leaving; and its replica in an online log dir: leader-acceptor.ts);
//   - otherwise the first replica, in assignment order, that is in the ISR and acceptable leads;
//   - none: with unclean.leader.election.enable (topic override, else the broker default) the first
//     acceptable replica leads, the ISR becomes [it] and its LeaderRecoveryState RECOVERING (KIP-704);
//     without, the partition has no leader (-1);
//   - an ISR is never shrunk to nothing: it keeps its last member (no ELR, KIP-966);
//   - a reassignment in progress completes when the ISR left allows it (a removing replica
//     leaving the ISR may be what it waited for).
// changePartition: an explicit leader and/or ISR for one partition (the LeaderAndIsr a test cluster
// or, later, AlterPartition asks for): the leader must be a replica or -1; the ISR is kept in
// assignment order and always holds the leader.
import { ErrorCode } from '@tributary/protocol';
import type { MetadataImage } from '../image/metadata-image.ts';
import type { PartitionRegistration } from '../image/partition-registration.ts';
import type { TopicImage } from '../image/topics-image.ts';
import { NO_LEADER, partitionChangeRecord, type RecordOf } from '../records/metadata-record.ts';
import { buildPartitionChange } from './partition-change-builder.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';
import { leaderAcceptor, replicaInOnlineDir } from './leader-acceptor.ts';

const UNCLEAN_CONFIG = 'unclean.leader.election.enable';

/** Whether a topic allows unclean leader election (its override, else the broker default). */
export function uncleanLeaderElectionEnabled(image: MetadataImage, topic: string, brokerDefault: boolean): boolean {
  const v = image.configs.topicConfigs(topic)[UNCLEAN_CONFIG];
  return v === undefined ? brokerDefault : v.toLowerCase() === 'true';
}

export interface PartitionRef {
  topic: TopicImage;
  partition: number;
  registration: PartitionRegistration;
}

/** Every partition, optionally filtered (Kafka keeps indexes by broker; a scan is enough here). */
export function partitionsWhere(image: MetadataImage, pred: (p: PartitionRegistration) => boolean): PartitionRef[] {
  const out: PartitionRef[] = [];
  for (const topic of image.topics.topics()) {
    for (const [partition, registration] of [...topic.partitions].sort((a, b) => a[0] - b[0])) {
      if (pred(registration)) out.push({ topic, partition, registration });
    }
  }
  return out;
}

export interface LeaderAndIsrUpdate {
  /** The broker leaving the ISR and leadership (-1: none). */
  brokerToRemove: number;
  /** A broker acceptable as leader even though the image still shows it fenced (-1: none). */
  brokerToAdd: number;
  uncleanBrokerDefault: boolean;
}

/** Kafka's generateLeaderAndIsrUpdates over `partitions` (see the header). */
export function leaderAndIsrUpdates(
  image: MetadataImage,
  partitions: readonly PartitionRef[],
  u: LeaderAndIsrUpdate,
): RecordOf<'PartitionChangeRecord'>[] {
  const out: RecordOf<'PartitionChangeRecord'>[] = [];
  for (const { topic, partition, registration: p } of partitions) {
    const mayLead = leaderAcceptor(image, p);
    // the broker being unfenced still shows fenced in the image: only its dir is checked
    const acceptable = (r: number) => r !== u.brokerToRemove && (r === u.brokerToAdd ? replicaInOnlineDir(image, p, r) : mayLead(r));
    const election = uncleanLeaderElectionEnabled(image, topic.name, u.uncleanBrokerDefault) ? 'UNCLEAN' : 'ONLINE';
    const isr = p.isr.filter((r) => r !== u.brokerToRemove);
    const record = buildPartitionChange(p, topic.topicId, partition, acceptable, { isr, election });
    if (record) out.push(record);
  }
  return out;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface PartitionChangeRequest {
  topic: string;
  partition: number;
  /** The new leader (a replica, or -1 for none); absent: unchanged. */
  leader?: number;
  /** The new ISR; absent: unchanged (the leader is always added). */
  isr?: readonly number[];
}

export interface PartitionChangeResult extends ApiError {
  /** The partition after the change (as it is when nothing changes). */
  partition?: PartitionRegistration;
}

/** An explicit leader/ISR change of one partition (the controller's LeaderAndIsr). */
export function changePartition(image: MetadataImage, req: PartitionChangeRequest): ControllerResult<PartitionChangeResult> {
  const t = image.topic(req.topic);
  const p = t?.partitions.get(req.partition);
  if (!t || !p)
    return { records: [], response: apiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${req.topic}-${req.partition}`) };
  const leader = req.leader ?? p.leader;
  if (leader !== NO_LEADER && !p.replicas.includes(leader)) {
    return {
      records: [],
      response: apiError(
        ErrorCode.INVALID_REQUEST,
        `node ${leader} is not a replica of ${req.topic}-${req.partition} (replicas ${p.replicas.join(', ')})`,
      ),
    };
  }
  const wanted = req.isr;
  let isr = wanted ? p.replicas.filter((r) => wanted.includes(r)) : [...p.isr];
  if (leader !== NO_LEADER && !isr.includes(leader)) isr = p.replicas.filter((r) => r === leader || isr.includes(r));
  const change: Parameters<typeof partitionChangeRecord>[0] = { topicId: t.topicId, partitionId: req.partition };
  if (leader !== p.leader) change.leader = leader;
  if (!sameList(isr, p.isr)) change.isr = isr;
  if (change.leader === undefined && change.isr === undefined) return { records: [], response: { ...NONE, partition: p } };
  const next: PartitionRegistration = {
    ...p,
    leader,
    isr,
    leaderEpoch: change.leader !== undefined ? p.leaderEpoch + 1 : p.leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
  };
  return { records: [partitionChangeRecord(change)], response: { ...NONE, partition: next } };
}
