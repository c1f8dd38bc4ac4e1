// PartitionRegistration: one partition's replica state in the metadata image (Kafka's
// org.apache.kafka.metadata.PartitionRegistration), built from a PartitionRecord and changed only by
// merging PartitionChangeRecords, as Kafka's `merge` does:
//   - a list field (isr, replicas, removing/adding replicas) is replaced when the record carries
//     it (null = unchanged);
//   - leader -2 = unchanged; any other value (including -1, no leader, and the same leader again)
//     sets the leader and bumps the leader epoch by one;
//   - leaderRecoveryState -1 = unchanged;
//   - the partition epoch goes up by one on every change;
//   - directories (JBOD, KIP-858; one per replica, in replica order) are replaced when the record
//     carries them; when only the replicas change, a replica kept keeps its dir and a new one is
//     UNASSIGNED (Kafka's DirectoryId.createDirectoriesFrom). A PartitionRecord without them (v0,
//     metadata.version before 3.7-IV2) gives every replica MIGRATING (directory-id.ts).
// ELR fields (KIP-966) are not kept.
import { LeaderRecoveryState, NO_LEADER, NO_LEADER_CHANGE, NO_LEADER_RECOVERY_CHANGE } from '../records/metadata-record.ts';
import { directoriesFrom, DirectoryId, migratingDirectories } from '../records/directory-id.ts';
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
  /** The log dir id of each replica, in replica order (directory-id.ts). */
  readonly directories: readonly string[];
}

function checkDirectories(replicas: readonly number[], directories: readonly string[]): string[] {
  if (directories.length !== replicas.length)
    throw new Error(
      `The lengths for replicas and directories do not match: ${replicas.length} replicas, ${directories.length} directories`,
    );
  return [...directories];
}

export function partitionFromRecord(r: PartitionRecord): PartitionRegistration {
  return {
    directories: r.directories.length > 0 ? checkDirectories(r.replicas, r.directories) : migratingDirectories(r.replicas.length),
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
  const replicas = r.replicas === null ? p.replicas : [...r.replicas];
  let directories = p.directories;
  if (r.directories !== null && r.directories.length > 0) directories = checkDirectories(replicas, r.directories);
  else if (r.replicas !== null) directories = directoriesFrom(p.replicas, p.directories, replicas);
  return {
    directories,
    replicas,
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

/** The log dir id of broker `brokerId`'s replica (UNASSIGNED when it is not a replica; Kafka's PartitionRegistration.directory). */
export function replicaDirectory(p: PartitionRegistration, brokerId: number): string {
  const i = p.replicas.indexOf(brokerId);
  return i < 0 ? DirectoryId.UNASSIGNED : (p.directories[i] ?? DirectoryId.UNASSIGNED);
}

/** replicas[0], or -1 for an empty assignment. */
export function preferredReplica(p: PartitionRegistration): number {
  return p.replicas[0] ?? NO_LEADER;
}
