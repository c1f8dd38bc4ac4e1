// Which log dir holds each replica, in the controller (KIP-858, Kafka's ReplicationControlManager
// handleAssignReplicasToDirs / handleDirectoriesOffline and ClusterControlManager.defaultDir), from
// metadata.version 3.7-IV2 (isDirectoryAssignmentSupported); below it nothing here writes a record.
//
//   new replicas         defaultDir: the broker's only dir when it registered one, UNASSIGNED when
//                        several (it says where with AssignReplicasToDirs), MIGRATING when none,
//                        UNASSIGNED for a broker not registered
//   AssignReplicasToDirs a PartitionChangeRecord with the new Directories (none when unchanged).
//                        Top level: UNSUPPORTED_VERSION below 3.7-IV2, STALE_BROKER_EPOCH for an
//                        unknown broker or another epoch. Per partition: UNKNOWN_TOPIC_ID,
//                        UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER when the broker holds no
//                        replica of it. A replica assigned to a dir the broker does not list online
//                        leaves the ISR and its leadership at once (as handleDirectoriesOffline).
//   OfflineLogDirs       (BrokerHeartbeat) the dirs that are still among the broker's online dirs
//                        and are now offline: every partition whose replica on the broker is in one
//                        of them loses the broker from its ISR and leadership (generateLeaderAndIsrUpdates
//                        with the broker removed), then a BrokerRegistrationChangeRecord v2 sets the
//                        broker's online dirs to the rest.
// A replica in an offline dir cannot lead (leader-acceptor.ts). A dir comes
// back only by a new registration listing it (BrokerRegistration LogDirs; the same incarnation
// amends the registration: cluster-control.ts); its replicas then rejoin the ISR by catching up
// (AlterPartition).
import { ErrorCode, type AssignReplicasToDirsRequest, type AssignReplicasToDirsResponse } from '@tributary/protocol';
import { hasOnlineDir } from '../image/cluster-image.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { replicaDirectory } from '../image/partition-registration.ts';
import { DirectoryId } from '../records/directory-id.ts';
import { brokerRegistrationChangeRecord, partitionChangeRecord, type MetadataRecord } from '../records/metadata-record.ts';
import { isDirectoryAssignmentSupported } from '../records/metadata-version.ts';
import { checkBrokerEpoch } from './cluster-control.ts';
import { leaderAndIsrUpdates, partitionsWhere, type PartitionRef } from './partition-change.ts';
import type { ControllerResult } from './results.ts';

/** Kafka's ClusterControlManager.defaultDir: the dir a new replica on `brokerId` is given (see the header). */
export function defaultDir(image: MetadataImage, brokerId: number): string {
  const b = image.cluster.broker(brokerId);
  if (!b) return DirectoryId.UNASSIGNED;
  if (b.directories.length === 0) return DirectoryId.MIGRATING;
  if (b.directories.length === 1) return b.directories[0]!;
  return DirectoryId.UNASSIGNED;
}

/** The Directories of a new partition on `replicas`: empty below 3.7-IV2 (a v0 PartitionRecord). */
export function newReplicaDirectories(image: MetadataImage, replicas: readonly number[]): string[] {
  if (!isDirectoryAssignmentSupported(image.features.metadataVersion)) return [];
  return replicas.map((r) => defaultDir(image, r));
}

/** Kafka's handleDirectoriesOffline: the records for a heartbeat's OfflineLogDirs (see the header). */
export function handleDirectoriesOffline(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint,
  offlineDirs: readonly string[],
  uncleanBrokerDefault: boolean,
): MetadataRecord[] {
  const b = image.cluster.broker(brokerId);
  if (!b) return [];
  const newlyOffline = b.directories.filter((d) => offlineDirs.includes(d));
  if (newlyOffline.length === 0) return [];
  const records: MetadataRecord[] = [];
  for (const dir of newlyOffline) {
    const parts = partitionsWhere(image, (p) => p.replicas.includes(brokerId) && replicaDirectory(p, brokerId) === dir);
    records.push(...leaderAndIsrUpdates(image, parts, { brokerToRemove: brokerId, brokerToAdd: -1, uncleanBrokerDefault }));
  }
  const online = b.directories.filter((d) => !offlineDirs.includes(d));
  // an empty LogDirs means "unchanged": with no dir left, the registration keeps its list (Kafka halts such a broker)
  records.push(brokerRegistrationChangeRecord({ brokerId, brokerEpoch, logDirs: online }));
  return records;
}

/** Kafka's ReplicationControlManager.handleAssignReplicasToDirs (see the header). */
export function assignReplicasToDirs(
  image: MetadataImage,
  request: AssignReplicasToDirsRequest,
  uncleanBrokerDefault: boolean,
): ControllerResult<AssignReplicasToDirsResponse> {
  const fail = (errorCode: number): ControllerResult<AssignReplicasToDirsResponse> => ({
    records: [],
    response: { throttleTimeMs: 0, errorCode, directories: [] },
  });
  if (!isDirectoryAssignmentSupported(image.features.metadataVersion)) return fail(ErrorCode.UNSUPPORTED_VERSION);
  const brokerId = request.brokerId;
  if (checkBrokerEpoch(image, brokerId, request.brokerEpoch)) return fail(ErrorCode.STALE_BROKER_EPOCH);
  const broker = image.cluster.broker(brokerId)!;
  const records: MetadataRecord[] = [];
  const toOffline: PartitionRef[] = [];
  // several assignments of one partition in a request: the last wins, as replaying them in order would
  const assigned = new Map<string, string[]>();
  const response: AssignReplicasToDirsResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, directories: [] };
  for (const reqDir of request.directories) {
    const dirOffline = !hasOnlineDir(broker, reqDir.id);
    const resDir = { id: reqDir.id, topics: [] as AssignReplicasToDirsResponse['directories'][number]['topics'] };
    for (const reqTopic of reqDir.topics) {
      const topic = image.topics.getTopic(reqTopic.topicId);
      const resTopic = { topicId: reqTopic.topicId, partitions: [] as { partitionIndex: number; errorCode: number }[] };
      for (const { partitionIndex } of reqTopic.partitions) {
        let errorCode: number = ErrorCode.NONE;
        const p = topic?.partitions.get(partitionIndex);
        if (!topic) errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
        else if (!p) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (!p.replicas.includes(brokerId)) errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        else {
          const key = `${topic.topicId}:${partitionIndex}`;
          const current = assigned.get(key) ?? [...p.directories];
          const i = p.replicas.indexOf(brokerId);
          if (current[i] !== reqDir.id) {
            current[i] = reqDir.id;
            assigned.set(key, current);
            records.push(partitionChangeRecord({ topicId: topic.topicId, partitionId: partitionIndex, directories: [...current] }));
          }
          if (dirOffline) toOffline.push({ topic, partition: partitionIndex, registration: p });
        }
        resTopic.partitions.push({ partitionIndex, errorCode });
      }
      resDir.topics.push(resTopic);
    }
    response.directories.push(resDir);
  }
  if (toOffline.length > 0)
    records.push(...leaderAndIsrUpdates(image, toOffline, { brokerToRemove: brokerId, brokerToAdd: -1, uncleanBrokerDefault }));
  return { records, response };
}
