// Moving a replica between log dirs (AlterReplicaLogDirs; Kafka's future logs), for the
// LogManager, which delegates its createFutureLog / removeFutureLog / replaceCurrentWithFutureLog
// here (split out of log-manager.ts; the LogManager keeps the maps of future logs and answers the
// look-ups). A partition may have, besides its current log, one future log in another dir
// (`<topic>-<partition>.<uuid>-future`, log-dir-names.ts) that the broker's mover copies the current
// log into. Once it has caught up, replaceCurrentWithFutureLog swaps them in one synchronous step
// (Kafka's replaceCurrentWithFutureLog): both are flushed and closed, the future dir is renamed to
// the current name and reopened, the old log is renamed `<...>.<uuid>-delete` and deleted
// asynchronously. The producer snapshot and leader-epoch-checkpoint of the old log (taken at its
// log end on close) replace the future log's own, so the new current log has exactly the old one's
// producer state and leader epochs, and its entry in the log cleaner's cleaner-offset-checkpoint
// moves to the new dir's file (Kafka's cleaner.alterCheckpointDir at the swap), so a compacted log
// is not cleaned from its start again. The log cleaner leaves a partition alone while it has a future log.
import { tpKey } from './checkpoint-file.ts';
import { LogDirNotFoundError, LogOfflineError } from './errors.ts';
import { replaceFileAtomic, type FileSystem } from './fs.ts';
import { LEADER_EPOCH_CHECKPOINT } from './leader-epoch-cache.ts';
import { logDeleteDirName, logFutureDirName } from './log-dir-names.ts';
import { isIoError } from './log-dirs.ts';
import { loadPartitionLog } from './log-loader.ts';
import type { LogDir, LogManagerInternals } from './log-manager-internals.ts';
import type { PartitionLog } from './partition-log.ts';
import { PRODUCER_SNAPSHOT_SUFFIX, snapshotFileName } from './producer-snapshot.ts';

/**
 * Creates the future log of a partition in `dir` (a configured, live dir other than the current
 * log's), empty, with the current log's topic id and config; the log cleaner leaves the partition
 * alone until the move ends. Returns the existing future log when there is one in `dir`.
 */
export function createFutureLog(m: LogManagerInternals, topic: string, partition: number, dir: string): PartitionLog {
  const key = tpKey(topic, partition);
  const current = m.logs.get(key);
  if (!current) throw new Error(`partition ${key} has no log to move`);
  const d = m.configuredDir(dir);
  if (!d) throw new LogDirNotFoundError(`Log dir ${dir} is not found in the config.`);
  if (d.offline) throw new LogOfflineError(`Log dir ${dir} is offline`);
  const existing = m.futureLogs.get(key);
  if (existing) {
    if (m.futureDirOf.get(key) === d.path) return existing;
    throw new Error(`the future log of ${key} is in ${m.futureDirOf.get(key)}, not ${d.path}`);
  }
  if (m.dirOf.get(key) === d.path) throw new Error(`the log of ${key} is already in ${d.path}`);
  const log = loadPartitionLog(m.ctx, `${d.path}/${logFutureDirName(topic, partition)}`, topic, partition, current.config, {
    cleanShutdown: true,
    topicId: current.topicId ?? undefined,
  });
  if (!d.newDirs || d.newDirs.synced) d.newDirs = { path: d.path, synced: false };
  log.markCreated(d.newDirs);
  m.watchForFailure(log, d.path);
  m.futureLogs.set(key, log);
  m.futureDirOf.set(key, d.path);
  d.logCount++;
  m.preferredLogDirs.delete(key);
  void m.cleaner?.abortAndPauseCleaning(topic, partition);
  return log;
}

/** Drops a partition's future log (the move is cancelled or its partition deleted): closed, renamed `-delete`, deleted. */
export function removeFutureLog(m: LogManagerInternals, topic: string, partition: number): boolean {
  const key = tpKey(topic, partition);
  const log = m.futureLogs.get(key);
  if (!log) return false;
  const dir = m.futureDirOf.get(key)!;
  m.futureLogs.delete(key);
  m.futureDirOf.delete(key);
  const d = m.dirs.find((x) => x.path === dir);
  if (d) d.logCount--;
  log.removeAllListeners('offline');
  log.close(false);
  if (d) renameForDeletion(m, d, log);
  m.cleaner?.resumeCleaning(topic, partition);
  return true;
}

/**
 * The swap (Kafka's replaceCurrentWithFutureLog), in one synchronous step: the caller has checked
 * that the future log has caught up (same log end offset) and nothing may append in between.
 * Both logs are flushed and closed; the old log's producer snapshot and leader-epoch-checkpoint
 * replace the future log's; the future dir is renamed to `<topic>-<partition>` and reopened; the
 * old log is renamed `-delete` and deleted asynchronously. Returns the new current log. Throws
 * (touching nothing) when either log is offline.
 */
export function replaceCurrentWithFutureLog(m: LogManagerInternals, topic: string, partition: number): PartitionLog {
  const key = tpKey(topic, partition);
  const src = m.logs.get(key);
  const dest = m.futureLogs.get(key);
  if (!src || !dest) throw new Error(`partition ${key} has no ${src ? 'future' : 'current'} log`);
  if (src.logEndOffset !== dest.logEndOffset)
    throw new Error(`the future log of ${key} ends at ${dest.logEndOffset}, the current one at ${src.logEndOffset}`);
  if (src.isOffline || dest.isOffline) throw new LogOfflineError(`cannot swap the logs of ${key}: a log is offline`);
  const srcD = m.dirs.find((d) => d.path === m.dirOf.get(key))!;
  const destD = m.dirs.find((d) => d.path === m.futureDirOf.get(key))!;
  const fs = m.fs;
  src.removeAllListeners('offline');
  dest.removeAllListeners('offline');
  src.close();
  dest.close();
  if (src.isOffline) {
    m.handleLogDirFailure(srcD.path, new LogOfflineError(`log ${key} failed while closing for the swap`));
    throw new LogOfflineError(`cannot swap the logs of ${key}: ${srcD.path} failed`);
  }
  const target = `${destD.path}/${key}`;
  const end = src.logEndOffset;
  try {
    if (dest.isOffline) throw Object.assign(new Error(`the future log of ${key} failed while closing`), { code: 'EIO' });
    // the old log's state files (written by close() at its log end) replace the future's own
    for (const name of fs.readdirSync(dest.dir)) if (name.endsWith(PRODUCER_SNAPSHOT_SUFFIX)) fs.unlinkSync(`${dest.dir}/${name}`);
    const snap = snapshotFileName(end);
    copyFileDurably(fs, `${src.dir}/${snap}`, `${dest.dir}/${snap}`);
    copyFileDurably(fs, `${src.dir}/${LEADER_EPOCH_CHECKPOINT}`, `${dest.dir}/${LEADER_EPOCH_CHECKPOINT}`);
    m.ctx.fds.closeUnder(`${dest.dir}/`);
    fs.fsyncDirSync(dest.dir);
    fs.renameSync(dest.dir, target);
    fs.fsyncDirSync(destD.path);
  } catch (err) {
    if (!isIoError(err)) throw err;
    m.futureLogs.delete(key);
    m.futureDirOf.delete(key);
    m.handleLogDirFailure(destD.path, err as Error);
    // the current log is closed: reopen it as it was
    reopenAfterFailedSwap(m, srcD, src);
    throw new LogOfflineError(`cannot swap the logs of ${key}: ${(err as Error).message}`, { cause: err });
  }
  const log = loadPartitionLog(m.ctx, target, topic, partition, src.config, {
    cleanShutdown: true,
    recoveryPoint: end,
    logStartOffset: Math.max(src.logStartOffset, dest.logStartOffset),
  });
  for (const s of log.segments) s.close();
  // an epoch begun at the log end with no batch yet (a new leader's) is dropped by the load: kept
  for (const x of src.leaderEpochCache.all) log.leaderEpochCache.assign(x.epoch, x.startOffset);
  m.futureLogs.delete(key);
  m.futureDirOf.delete(key);
  m.logs.set(key, log);
  m.dirOf.set(key, destD.path);
  srcD.logCount--;
  m.watchForFailure(log, destD.path);
  // where the cleaner stopped moves with the log (Kafka's alterCheckpointDir): not cleaned from its start again
  m.cleaner?.alterCheckpointDir(topic, partition, srcD.path, destD.path);
  void m.cleaner?.removeLog(src);
  m.cleaner?.watch(log);
  m.cleaner?.resumeCleaning(topic, partition);
  renameForDeletion(m, srcD, src);
  m.inLiveDir(srcD, () => m.checkpointDir(srcD));
  return log;
}

/** After a swap failed in the future log's dir: the current log is loaded again from its (clean) files. */
function reopenAfterFailedSwap(m: LogManagerInternals, d: LogDir, old: PartitionLog): void {
  const log = loadPartitionLog(m.ctx, old.dir, old.topic, old.partition, old.config, {
    cleanShutdown: true,
    recoveryPoint: old.logEndOffset,
    logStartOffset: old.logStartOffset,
  });
  for (const s of log.segments) s.close();
  const key = tpKey(old.topic, old.partition);
  m.logs.set(key, log);
  m.watchForFailure(log, d.path);
  void m.cleaner?.removeLog(old);
  m.cleaner?.watch(log);
  m.cleaner?.resumeCleaning(old.topic, old.partition);
}

/** Renames a closed log `<...>.<uuid>-delete` (fsynced) and removes its files asynchronously (or at shutdown). */
function renameForDeletion(m: LogManagerInternals, d: LogDir, log: PartitionLog): void {
  m.ctx.fds.closeUnder(`${log.dir}/`);
  m.inLiveDir(d, () => {
    const doomed = `${d.path}/${logDeleteDirName(log.topic, log.partition)}`;
    m.fs.renameSync(log.dir, doomed);
    m.fs.fsyncDirSync(d.path);
    const remove = () => {
      m.pendingDeletes.delete(doomed);
      m.inLiveDir(d, () => m.fs.rmSync(doomed));
    };
    const cancel = m.time.setTimeout(remove, 0);
    m.pendingDeletes.set(doomed, () => {
      cancel();
      remove();
    });
  });
}

/** Copies a file when it exists, crash-safely (replaceFileAtomic; the caller syncs the directory entry). */
function copyFileDurably(fs: FileSystem, from: string, to: string): void {
  const data = fs.readFileSync(from);
  if (data !== null) replaceFileAtomic(fs, to, data, false);
}
