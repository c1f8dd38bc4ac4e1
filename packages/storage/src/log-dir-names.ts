// The names of a partition's directories in a log dir (Kafka's UnifiedLog.logDirName,
// logFutureDirName, logDeleteDirName and parseTopicPartitionName):
//   <topic>-<partition>                 the current log
//   <topic>-<partition>.<uuid>-future   the future log of a replica moving into this dir
//                                       (AlterReplicaLogDirs), swapped in once it caught up
//   <topic>-<partition>.<uuid>-delete   a log being deleted (removed at the next start if a crash interrupted it)
// The uuid is 32 hex digits (a random UUID without its dashes), as Kafka's.
import { randomUUID } from 'node:crypto';
import { parseTopicPartition } from './log-loader.ts';

export const FUTURE_DIR_SUFFIX = '-future';
export const DELETE_DIR_SUFFIX = '-delete';

const SUFFIXED = /^(.+)\.([0-9a-f]{32})(-future|-delete)$/;

function uuid(): string {
  return randomUUID().replace(/-/g, '');
}

/** `<topic>-<partition>.<uuid>-future` */
export function logFutureDirName(topic: string, partition: number): string {
  return `${topic}-${partition}.${uuid()}${FUTURE_DIR_SUFFIX}`;
}

/** `<topic>-<partition>.<uuid>-delete` */
export function logDeleteDirName(topic: string, partition: number): string {
  return `${topic}-${partition}.${uuid()}${DELETE_DIR_SUFFIX}`;
}

/** What a directory in a log dir is: a current or future log (of which partition), a log being deleted, or none of these (null). */
export function parseLogDirName(
  name: string,
): { kind: 'current' | 'future'; topic: string; partition: number } | { kind: 'delete' } | null {
  if (name.endsWith(DELETE_DIR_SUFFIX)) return { kind: 'delete' };
  const m = SUFFIXED.exec(name);
  if (m) {
    const tp = parseTopicPartition(m[1]!);
    return tp ? { kind: 'future', ...tp } : null;
  }
  const tp = parseTopicPartition(name);
  return tp ? { kind: 'current', ...tp } : null;
}
