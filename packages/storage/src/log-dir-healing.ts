// Healing of failed log dirs, for the LogManager, which delegates its recoverOfflineLogDirs here
// (split out of log-manager.ts; taking a dir offline, handleLogDirFailure, stays there). Not in
// Kafka, where a failed dir stays offline until a restart: while a dir is offline it is probed
// every `logDirFailureRecoveryIntervalMs` (log-dir-health.ts: create, write, fsync, read back and
// delete a file; the same meta.properties). Once it passes, the dir is re-opened as after an
// unclean shutdown (every log re-verified from its recovery point: a torn tail truncated, indexes
// and producer state rebuilt), its logs replace the offline ones and `onLogDirOnline` is told; a
// future log found there is removed (its move ended when the dir failed). A dir that fails again
// while being re-opened stays offline (its logs loaded so far closed) and is probed again later;
// each distinct reason it stays offline is logged once.
import { readOffsetCheckpoint, tpKey } from './checkpoint-file.ts';
import { metaPropertiesChanged, probeLogDir } from './log-dir-health.ts';
import { identifyLogDir, loadLogsIn } from './log-dir-loading.ts';
import { isIoError } from './log-dirs.ts';
import { LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, type LogDir, type LogManagerInternals } from './log-manager-internals.ts';
import type { MetaProperties } from './meta-properties.ts';
import type { PartitionLog } from './partition-log.ts';

/**
 * Probes every offline dir and re-opens those that pass (see the header of this file); returns the dirs
 * brought back online. Run every logDirFailureRecoveryIntervalMs while a dir is offline.
 */
export function recoverOfflineLogDirs(m: LogManagerInternals): string[] {
  const back: string[] = [];
  for (const d of m.dirs) if (m.isStarted() && d.offline && reopenLogDir(m, d)) back.push(d.path);
  return back;
}

/** One attempt to bring an offline dir back: probe, identity, re-open every log as after an unclean shutdown. */
export function reopenLogDir(m: LogManagerInternals, d: LogDir): boolean {
  const logger = m.logger;
  const refuse = (reason: string) => {
    if (d.reopenError !== reason) logger?.error(reason, { logDir: d.path });
    d.reopenError = reason;
    return false;
  };
  let meta: MetaProperties | null;
  try {
    probeLogDir(m.fs, d.path);
    const changed = d.meta ? metaPropertiesChanged(m.fs, d.path, d.meta) : null;
    if (changed) return refuse(`Log directory ${d.path} stays offline: ${changed}`);
    meta = d.meta ?? identifyLogDir(m, d.path);
  } catch (err) {
    if (!isIoError(err)) return refuse(`Log directory ${d.path} stays offline: ${(err as Error).message}`);
    return false; // still failing: probed again later
  }
  const startMs = performance.now();
  const cause = d.offline!;
  const old = new Map<string, PartitionLog>();
  for (const [key, log] of m.logs) if (m.dirOf.get(key) === d.path) old.set(key, log);
  // said once per failure: a re-open failing again is said at ERROR (refuse), once per reason
  if (d.reopenError === undefined)
    logger?.warn(
      `Log directory ${d.path} passed its health check after failing with ${cause.message}: re-opening its ${old.size} logs as after an unclean shutdown`,
      { logDir: d.path },
    );
  for (const log of old.values()) log.close(false);
  m.ctx.fds.closeUnder(`${d.path}/`);
  let loaded: PartitionLog[];
  try {
    const toMap = (file: string) =>
      new Map(readOffsetCheckpoint(m.fs, `${d.path}/${file}`).map((e) => [tpKey(e.topic, e.partition), e.offset]));
    const rps = toMap(RECOVERY_POINT_CHECKPOINT);
    const lsos = toMap(LOG_START_OFFSET_CHECKPOINT);
    // the offline logs' own recovery points: everything below was fsynced before the failure
    loaded = loadLogsIn(
      m,
      d.path,
      false,
      (key) => old.get(key)?.recoveryPoint ?? rps.get(key) ?? 0,
      (key) => old.get(key)?.logStartOffset ?? lsos.get(key) ?? 0,
      (key) => old.get(key)?.config ?? m.defaultConfig(), // the topic's overrides the broker gave it
      'drop',
    ).current;
  } catch (err) {
    if (isIoError(err)) d.offline = err as Error;
    return refuse(`Log directory ${d.path} failed again while being re-opened, it stays offline: ${(err as Error).message}`);
  }
  const found = new Set(loaded.map((l) => tpKey(l.topic, l.partition)));
  const missing = [...old.keys()].filter((k) => !found.has(k));
  if (missing.length > 0) {
    for (const log of loaded) log.close(false);
    m.ctx.fds.closeUnder(`${d.path}/`);
    return refuse(`Log directory ${d.path} stays offline: the logs of ${missing.join(',')} are missing from it`);
  }
  for (const key of old.keys()) {
    m.logs.delete(key);
    m.dirOf.delete(key);
  }
  d.logCount = 0;
  for (const log of loaded) m.register(log, d);
  d.meta = meta;
  d.offline = null;
  d.reopenError = undefined;
  d.newDirs = null;
  logger?.info(
    `Log directory ${d.path} is back online with ${loaded.length} logs, re-opened in ${Math.round(performance.now() - startMs)}ms`,
    { logDir: d.path },
  );
  m.onLogDirOnline?.(d.path, loaded);
  return true;
}
