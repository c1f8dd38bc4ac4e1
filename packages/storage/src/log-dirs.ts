// The rules the LogManager applies across its log dirs (JBOD, several `log.dirs`): which dir a new
// log goes to (Kafka's LogManager.nextLogDirs), that every dir belongs to the same cluster and
// node (Kafka's MetaPropertiesEnsemble.verify), and which errors take a dir offline (Kafka's
// IOException: any errno error, EIO, ENOSPC, EROFS...).
import { MetaPropertiesError, type MetaProperties } from './meta-properties.ts';

/** What the LogManager knows of each log dir, as far as these rules need. */
export interface LogDirState {
  path: string;
  meta: MetaProperties | null;
  /** Partitions held. */
  logCount: number;
  /** The I/O error that took the dir offline; null while it is live. */
  offline: Error | null;
}

/** The live dirs, least loaded first (by partitions held; ties in configured order). */
export function nextLogDirs(dirs: readonly LogDirState[]): string[] {
  return dirs
    .filter((d) => !d.offline)
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.logCount - b.d.logCount || a.i - b.i)
    .map((x) => x.d.path);
}

/** Throws MetaPropertiesError when `meta` (of `path`) names another cluster or node than a dir already loaded. */
export function checkMetaPropertiesEnsemble(loaded: readonly LogDirState[], path: string, meta: MetaProperties): void {
  const first = loaded.find((d) => d.meta);
  if (!first) return;
  const f = first.meta!;
  if (f.clusterId !== null && meta.clusterId !== null && f.clusterId !== meta.clusterId)
    throw new MetaPropertiesError(
      `${path}/meta.properties is formatted for cluster ${meta.clusterId}, but ${first.path}/meta.properties for cluster ${f.clusterId}`,
    );
  if (f.nodeId !== null && meta.nodeId !== null && f.nodeId !== meta.nodeId)
    throw new MetaPropertiesError(
      `${path}/meta.properties belongs to node ${meta.nodeId}, but ${first.path}/meta.properties to node ${f.nodeId}`,
    );
}

/** An errno error (EIO, ENOSPC, EROFS...): what takes a log dir offline, as Kafka's IOException does. */
export function isIoError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException)?.code === 'string';
}
