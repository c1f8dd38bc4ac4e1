// PartitionRegistration: one partition's replica state in the metadata image (Kafka's
// org.apache.kafka.metadata.PartitionRegistration), built from a PartitionRecord and changed only by
// merging PartitionChangeRecords, as Kafka's `merge` does:
//   - a list field (isr, replicas, removing/adding replicas) is replaced when the record carries
//     it (null = unchanged);
//   - leader -2 = unchanged; any other value (including -1, no leader, and the same leader again)
//     sets the leader and bumps the leader epoch by one;
//   - leaderRecoveryState -1 = unchanged;
//   - the partition epoch goes up by one on every change.
// Directories and ELR fields (JBOD, KIP-966) are not kept: Tributary writes metadata.version 3.6-IV2.
import { LeaderRecoveryState, NO_LEADER, NO_LEADER_CHANGE, NO_LEADER_RECOVERY_CHANGE } from '../records/metadata-record.ts';
import type { PartitionChangeRecord, PartitionRecord } from '@tributary/protocol';

export interface PartitionRegistration {
  /** Replicas in preferred order (replicas[0] is the preferred leader). */
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly addingReplicas: readonly number[];
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderRecoveryState: LeaderRecoveryState;
  readonly leaderEpoch: number;
  /** Bumped on every change of the partition (AlterPartition's PartitionEpoch). */
  readonly partitionEpoch: number;
}

export function partitionFromRecord(r: PartitionRecord): PartitionRegistration {
  return {
    replicas: [...r.replicas],
    isr: [...r.isr],
    removingReplicas: [...r.removingReplicas],
    addingReplicas: [...r.addingReplicas],
    leader: r.leader,
    leaderRecoveryState: toLeaderRecoveryState(r.leaderRecoveryState),
    leaderEpoch: r.leaderEpoch,
    partitionEpoch: r.partitionEpoch,
  };
}

function toLeaderRecoveryState(v: number): LeaderRecoveryState {
  if (v === LeaderRecoveryState.RECOVERED || v === LeaderRecoveryState.RECOVERING) return v;
  throw new Error(`unknown leader recovery state ${v}`);
}

/** The registration after a PartitionChangeRecord (see the header). */
export function mergePartitionChange(p: PartitionRegistration, r: PartitionChangeRecord): PartitionRegistration {
  const leaderChanged = r.leader !== NO_LEADER_CHANGE;
  return {
    replicas: r.replicas === null ? p.replicas : [...r.replicas],
    isr: r.isr === null ? p.isr : [...r.isr],
    removingReplicas: r.removingReplicas === null ? p.removingReplicas : [...r.removingReplicas],
    addingReplicas: r.addingReplicas === null ? p.addingReplicas : [...r.addingReplicas],
    leader: leaderChanged ? r.leader : p.leader,
    leaderRecoveryState:
      r.leaderRecoveryState === NO_LEADER_RECOVERY_CHANGE ? p.leaderRecoveryState : toLeaderRecoveryState(r.leaderRecoveryState),
    leaderEpoch: leaderChanged ? p.leaderEpoch + 1 : p.leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
  };
}

export function hasLeader(p: PartitionRegistration): boolean {
  return p.leader !== NO_LEADER;
}

/** replicas[0], or -1 for an empty assignment. */
export function preferredReplica(p: PartitionRegistration): number {
  return p.replicas[0] ?? NO_LEADER;
}
