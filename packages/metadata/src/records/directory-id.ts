// Kafka's DirectoryId (KIP-858, JBOD in KRaft): the log directory a replica lives in, as the
// controller knows it (PartitionRecord / PartitionChangeRecord `Directories`, one per replica in
// replica order), and the online dirs a broker registered (RegisterBrokerRecord /
// BrokerRegistrationChangeRecord `LogDirs`). A directory id is a Uuid, the `directory.id` of the
// dir's meta.properties; three reserved ids say something else:
//   UNASSIGNED (0, 0)  the replica is not assigned yet: a broker with several dirs has not said
//                      where it put it (AssignReplicasToDirs). Counted online.
//   LOST       (0, 1)  the dir it was in is gone (Kafka assigns it on a reassignment away from an
//                      unknown dir). Counted offline.
//   MIGRATING  (0, 2)  written before directories were tracked (an older metadata.version, or a
//                      broker that registered no dirs). Counted online.
// A replica in any other dir is online when its broker lists that dir among its online dirs; a
// broker that listed none (registered before directory assignment) counts all as online.

/** Kafka's Uuid string form of (0, lsb): 21 'A's and the last character. */
export const DirectoryId = {
  UNASSIGNED: 'AAAAAAAAAAAAAAAAAAAAAA',
  LOST: 'AAAAAAAAAAAAAAAAAAAAAQ',
  MIGRATING: 'AAAAAAAAAAAAAAAAAAAAAg',
} as const;

/** Kafka's DirectoryId.isOnline: whether a replica in `dir` is online on a broker whose online dirs are `onlineDirs`. */
export function isDirectoryOnline(dir: string, onlineDirs: readonly string[]): boolean {
  if (dir === DirectoryId.UNASSIGNED || dir === DirectoryId.MIGRATING) return true;
  if (dir === DirectoryId.LOST) return false;
  // a broker that registered no dirs (before directory assignment): every replica counts online
  if (onlineDirs.length === 0) return true;
  return onlineDirs.includes(dir);
}

/** MIGRATING for each replica: the directories of a partition written without any. */
export function migratingDirectories(replicaCount: number): string[] {
  return Array.from({ length: replicaCount }, () => DirectoryId.MIGRATING);
}

/**
 * Kafka's DirectoryId.createDirectoriesFrom: the directories of `newReplicas` when a partition's
 * replicas change without new directories: a replica kept keeps its dir, a new one is UNASSIGNED.
 */
export function directoriesFrom(replicas: readonly number[], directories: readonly string[], newReplicas: readonly number[]): string[] {
  return newReplicas.map((r) => {
    const i = replicas.indexOf(r);
    return i >= 0 ? (directories[i] ?? DirectoryId.UNASSIGNED) : DirectoryId.UNASSIGNED;
  });
}
