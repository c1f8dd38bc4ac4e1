// Kafka's PartitionChangeBuilder without ELR (KIP-966), which Tributary does not write, and without
// its setDirectory (AssignReplicasToDirs writes its own records: replica-directories.ts; when the
// replicas change, the kept replicas keep their dirs and new ones are UNASSIGNED as the record is
// replayed: partition-registration.ts): from a partition and the target state a change asks for
// (ISR, replicas, adding/removing replicas, leader recovery state, election type), the one
// PartitionChangeRecord that gets there, holding only the fields that change, or null when
// nothing does. In Kafka's order:
//   1. a reassignment in progress completes when the target ISR allows it
//      (partition-reassignment.ts): the removing replicas leave replicas and ISR, adding/removing
//      are cleared;
//   2. election: PREFERRED elects the first target replica when it is in the ISR and acceptable,
//      else keeps a valid current leader, else the first valid target replica; ONLINE and
//      UNCLEAN keep the current leader when it is valid (in the target ISR and acceptable), else
//      elect the first valid replica in target replica order; UNCLEAN then falls back to the
//      first acceptable replica outside the ISR: the ISR becomes [it] and the leader recovery
//      state RECOVERING (KIP-704); none: no leader (-1). The record names the leader only when it
//      changes;
//   3. replicas that drop an old replica bump the leader epoch (the leader is written as is);
//   4. the target ISR is written when it differs and is not empty (an ISR is never emptied);
//   5. replicas (when not empty), removing and adding replicas, and the leader recovery state are
//      written when they differ.
// An ISR change alone never bumps the leader epoch (metadata.version 3.6+, KAFKA-15021).
import type { PartitionRegistration } from '../image/partition-registration.ts';
import { LeaderRecoveryState, NO_LEADER, NO_LEADER_CHANGE, partitionChangeRecord, type RecordOf } from '../records/metadata-record.ts';
import { maybeCompleteReassignment } from './partition-reassignment.ts';

/** Kafka's PartitionChangeBuilder.Election. */
export type Election = 'PREFERRED' | 'ONLINE' | 'UNCLEAN';

export interface PartitionChangeTarget {
  isr?: readonly number[];
  replicas?: readonly number[];
  removing?: readonly number[];
  adding?: readonly number[];
  leaderRecoveryState?: LeaderRecoveryState;
  /** Default ONLINE. */
  election?: Election;
}

/** Kafka's LeaderAcceptor: whether a broker may lead (registered, unfenced, not shutting down). */
export type LeaderAcceptor = (brokerId: number) => boolean;

type ChangeFields = Parameters<typeof partitionChangeRecord>[0];

/** The change record taking `p` to `target` (see the header), or null when nothing changes. */
export function buildPartitionChange(
  p: PartitionRegistration,
  topicId: string,
  partitionId: number,
  isAcceptableLeader: LeaderAcceptor,
  target: PartitionChangeTarget,
): RecordOf<'PartitionChangeRecord'> | null {
  let isr = [...(target.isr ?? p.isr)];
  let replicas = [...(target.replicas ?? p.replicas)];
  let removing = [...(target.removing ?? p.removingReplicas)];
  let adding = [...(target.adding ?? p.addingReplicas)];
  const recoveryState = target.leaderRecoveryState ?? p.leaderRecoveryState;
  const change: ChangeFields = { topicId, partitionId };

  const completed = maybeCompleteReassignment({ removing, adding, replicas }, isr);
  if (completed) {
    ({ isr, replicas } = completed);
    removing = [];
    adding = [];
  }

  const valid = (id: number) => isr.includes(id) && isAcceptableLeader(id);
  const election = target.election ?? 'ONLINE';
  let leader: number;
  let unclean = false;
  if (election === 'PREFERRED' && replicas.length > 0 && valid(replicas[0]!)) leader = replicas[0]!;
  else if (valid(p.leader)) leader = p.leader;
  else {
    leader = replicas.find(valid) ?? NO_LEADER;
    if (leader === NO_LEADER && election === 'UNCLEAN') {
      leader = replicas.find(isAcceptableLeader) ?? NO_LEADER;
      unclean = leader !== NO_LEADER;
    }
  }
  if (leader !== p.leader) {
    change.leader = leader;
    if (unclean) {
      change.isr = [leader];
      if (p.leaderRecoveryState !== LeaderRecoveryState.RECOVERING) change.leaderRecoveryState = LeaderRecoveryState.RECOVERING;
    }
  }

  if (change.leader === undefined && !p.replicas.every((id) => replicas.includes(id))) change.leader = p.leader;
  if (change.isr === undefined && isr.length > 0 && !sameList(isr, p.isr)) change.isr = isr;
  if (replicas.length > 0 && !sameList(replicas, p.replicas)) change.replicas = replicas;
  if (!sameList(removing, p.removingReplicas)) change.removingReplicas = removing;
  if (!sameList(adding, p.addingReplicas)) change.addingReplicas = adding;
  if (recoveryState !== p.leaderRecoveryState) change.leaderRecoveryState = recoveryState;

  const noOp =
    change.leader === undefined &&
    change.isr === undefined &&
    change.replicas === undefined &&
    change.removingReplicas === undefined &&
    change.addingReplicas === undefined &&
    change.leaderRecoveryState === undefined;
  return noOp ? null : partitionChangeRecord(change);
}

/** Whether a change record moves the leader (Kafka: leader other than "unchanged", -2). */
export function changesLeader(r: RecordOf<'PartitionChangeRecord'>): boolean {
  return r.data.leader !== NO_LEADER_CHANGE;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
