// LogDirEvents: a broker's log dirs as the controller must know them (JBOD in KRaft, KIP-858;
// Kafka's DirectoryEventHandler as BrokerServer wires it to the AssignmentsManager and the
// BrokerLifecycleManager). Dirs are named to the controller by their meta.properties directory.id.
//
//   onlineDirIds / offlineDirIds   what the registration's LogDirs and each heartbeat's
//                                  OfflineLogDirs list (a dir unreadable at startup has no known id:
//                                  it is simply not registered, so its replicas count offline)
//   handleFailure(dir)             a dir failed (LogDirFailureHandler): heartbeat at once with it
//                                  in OfflineLogDirs; the controller moves its replicas' leadership
//                                  and ISR membership to other brokers
//   logDirOnline(dir)              a failed dir is back (the disk-healing seam: call it once the
//                                  LogManager serves the dir again): the broker registers again
//                                  with its dirs (same incarnation: the controller amends the
//                                  registration, the dir counts online); its replicas rejoin the
//                                  ISR by catching up, as followers do
//   reconcile(delta, image)        after each metadata change: every local replica whose log is in
//                                  an online dir other than the one the metadata names is assigned
//                                  there (AssignReplicasToDirs through the AssignmentsManager): new
//                                  replicas, and logs found elsewhere at startup; when
//                                  metadata.version is upgraded to 3.7-IV2, the broker first
//                                  registers again, now with its LogDirs, then assigns every replica
//   onReplicaDirChanged(tp, dir)   a replica moved dirs (AlterReplicaLogDirs): assigned there
// Nothing is assigned below metadata.version 3.7-IV2 (the controller would refuse it).
import {
  isDirectoryAssignmentSupported,
  replicaDirectory,
  type MetadataDelta,
  type MetadataImage,
  type PartitionRegistration,
} from '@tributary/metadata';
import type { LogManager } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { AssignmentsManager } from './assignments-manager.ts';

export interface LogDirEventsOptions {
  nodeId: number;
  logs: LogManager;
  assignments: AssignmentsManager;
  /** Heartbeat at once (BrokerLifecycleManager.propagateDirectoryFailure). */
  propagateDirectoryFailure: () => void;
  /** Register again with the dirs online now (BrokerLifecycleManager.resendBrokerRegistration). */
  resendBrokerRegistration: () => Promise<void>;
  /** The metadata image the broker has applied. */
  image: () => MetadataImage;
  log: Logger;
}

export class LogDirEvents {
  constructor(private readonly options: LogDirEventsOptions) {}

  /** The directory.id of a log dir (null when unknown: unreadable since startup). */
  dirId(path: string): string | null {
    return this.options.logs.metaProperties(path)?.directoryId ?? null;
  }

  /** The directory.id of every online log dir (BrokerRegistration LogDirs). */
  onlineDirIds(): string[] {
    const logs = this.options.logs;
    const offline = new Set(logs.offlineLogDirs());
    return logs.options.logDirs
      .filter((d) => !offline.has(d))
      .map((d) => this.dirId(d))
      .filter((id): id is string => id !== null);
  }

  /** The directory.id of every failed log dir whose id is known (BrokerHeartbeat OfflineLogDirs). */
  offlineDirIds(): string[] {
    return this.options.logs
      .offlineLogDirs()
      .map((d) => this.dirId(d))
      .filter((id): id is string => id !== null);
  }

  /** A log dir failed: the controller hears of it at once (see the header). */
  handleFailure(dir: string): void {
    this.options.log.warn('telling the controller a log dir is offline', { logDir: dir, directoryId: this.dirId(dir) });
    this.options.propagateDirectoryFailure();
  }

  /**
   * A failed log dir serves again (the disk-healing seam; the LogManager must already count it
   * online): the broker registers again listing it, and its replicas there are assigned to it.
   */
  async logDirOnline(dir: string): Promise<void> {
    this.options.log.info('telling the controller a log dir is back online', { logDir: dir, directoryId: this.dirId(dir) });
    await this.options.resendBrokerRegistration();
    this.reconcileAll(this.options.image());
  }

  /** A replica's log moved to `newDirPath` (AlterReplicaLogDirs): the controller is told its new dir. */
  onReplicaDirChanged(topicPartition: { topic: string; partition: number }, newDirPath: string): void {
    const image = this.options.image();
    const t = image.topic(topicPartition.topic);
    const id = this.dirId(newDirPath);
    if (!t || id === null || !isDirectoryAssignmentSupported(image.features.metadataVersion)) return;
    this.options.assignments.onAssignment(t.topicId, topicPartition.partition, id);
  }

  /** After a metadata change: assigns the changed local replicas whose dir the metadata does not name. */
  reconcile(delta: MetadataDelta, image: MetadataImage): void {
    if (!isDirectoryAssignmentSupported(image.features.metadataVersion)) return;
    if (delta.features) {
      const before = delta.features.image.metadataVersion;
      if (before !== undefined && !isDirectoryAssignmentSupported(before)) {
        // upgraded to 3.7-IV2 (UpdateFeatures): the registration made below it has no LogDirs, so
        // the broker registers again with its dirs (Kafka's BrokerMetadataPublisher), then assigns
        this.options.log.info('metadata.version now supports directory assignment: registering the log dirs');
        this.options
          .resendBrokerRegistration()
          .then(() => this.reconcileAll(this.options.image()))
          .catch((err) => this.options.log.error('cannot register the log dirs after the metadata.version upgrade', { err }));
        return;
      }
      // the first image: every partition
      this.reconcileAll(image);
      return;
    }
    if (!delta.topics) return;
    for (const d of delta.topics.changedTopics.values()) {
      for (const [index, reg] of d.partitionChanges) this.reconcilePartition(d.name, d.topicId, index, reg);
    }
  }

  /** Every local replica (see reconcile). */
  reconcileAll(image: MetadataImage): void {
    if (!isDirectoryAssignmentSupported(image.features.metadataVersion)) return;
    for (const t of image.topics.topics()) for (const [index, reg] of t.partitions) this.reconcilePartition(t.name, t.topicId, index, reg);
  }

  private reconcilePartition(topic: string, topicId: string, index: number, reg: PartitionRegistration): void {
    const o = this.options;
    if (!reg.replicas.includes(o.nodeId)) return;
    const path = o.logs.logDirOf(topic, index);
    if (path === undefined || o.logs.logDirFailure(path)) return;
    const id = this.dirId(path);
    if (id === null || replicaDirectory(reg, o.nodeId) === id) return;
    o.assignments.onAssignment(topicId, index, id);
  }
}
