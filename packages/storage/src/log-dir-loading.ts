// Loading the log dirs, for the LogManager (split out of log-manager.ts, whose startup() calls
// loadLogDir for each configured dir; log-dir-healing.ts calls loadLogsIn to re-open a dir). A dir
// is created when missing, its meta.properties read (an empty dir formatted with brokerId and
// clusterId) and checked against the dirs already loaded (Kafka's MetaPropertiesEnsemble check,
// no duplicate directory id), its checkpoints read, and every partition log in it loaded, recovered
// from its recovery point after an unclean shutdown (no `.kafka_cleanshutdown` marker). Logs
// renamed `-delete` are removed; `__cluster_metadata-0` is skipped (the metadata layer opens it).
// What recovery did is logged per dir and added up in the LogManager's startupReport, as Kafka's
// LogManager.loadLogs.
import { readOffsetCheckpoint, tpKey, type OffsetCheckpointEntry } from './checkpoint-file.ts';
import type { LogConfig } from './config.ts';
import { parseLogDirName } from './log-dir-names.ts';
import { checkMetaPropertiesEnsemble } from './log-dirs.ts';
import { CLUSTER_METADATA_TOPIC, emptyLoadReport, loadPartitionLog, type LoadReport } from './log-loader.ts';
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  type LogDir,
  type LogManagerInternals,
} from './log-manager-internals.ts';
import { ensureMetaProperties, MetaPropertiesError, type MetaProperties } from './meta-properties.ts';
import type { PartitionLog } from './partition-log.ts';

/** Adds a dir's recovery counters to the startup's. */
function addLoadReport(to: LoadReport, from: Required<LoadReport>): void {
  to.recoveredSegments += from.recoveredSegments;
  to.truncatedBytes += from.truncatedBytes;
  to.deletedSegments += from.deletedSegments;
  to.rebuiltIndexes += from.rebuiltIndexes;
  to.scannedBytes = (to.scannedBytes ?? 0) + from.scannedBytes;
}

export function loadLogDir(m: LogManagerInternals, path: string): void {
  const fs = m.fs;
  fs.mkdirSync(path);
  const meta = identifyLogDir(m, path);
  const cleanMarker = `${path}/${CLEAN_SHUTDOWN_FILE}`;
  const clean = fs.statSync(cleanMarker) !== null;
  (clean ? m.startupReport.cleanDirs : m.startupReport.uncleanDirs).push(path);
  const toMap = (entries: OffsetCheckpointEntry[]) => new Map(entries.map((e) => [tpKey(e.topic, e.partition), e.offset]));
  const dir: LogDir = {
    path,
    meta,
    recoveryPoints: toMap(readOffsetCheckpoint(fs, `${path}/${RECOVERY_POINT_CHECKPOINT}`)),
    logStartOffsets: toMap(readOffsetCheckpoint(fs, `${path}/${LOG_START_OFFSET_CHECKPOINT}`)),
    logCount: 0,
    newDirs: null,
    offline: null,
  };
  m.dirs.push(dir);
  const { current, future } = loadLogsIn(
    m,

    path,
    clean,
    (key) => dir.recoveryPoints.get(key) ?? 0,
    (key) => dir.logStartOffsets.get(key) ?? 0,
  );
  for (const log of current) m.register(log, dir);
  for (const log of future) m.registerFuture(log, dir);
  m.startupReport.partitions += current.length;
  // From here on a crash must recover: the marker only means "nothing written since a clean shutdown".
  if (clean) {
    fs.unlinkSync(cleanMarker);
    fs.fsyncDirSync(path);
  }
}

/** Reads (formatting an empty one) and checks a log dir's meta.properties against the dirs already loaded. */
export function identifyLogDir(m: LogManagerInternals, path: string): MetaProperties | null {
  const meta = ensureMetaProperties(m.fs, path, { clusterId: m.clusterId, nodeId: m.brokerId });
  const others = m.dirs.filter((d) => d.path !== path);
  if (meta) checkMetaPropertiesEnsemble(others, path, meta);
  const twin = meta?.directoryId ? others.find((d) => d.meta?.directoryId === meta.directoryId) : undefined;
  if (twin)
    throw new MetaPropertiesError(`Duplicate directory ID ${meta!.directoryId} found. It was the ID of ${twin.path}, but also of ${path}`);
  return meta;
}

/**
 * Loads every partition log in a log dir (recovering them after an unclean shutdown), logging
 * what was done as Kafka's LogManager.loadLogs does per dir. Nothing is registered: on an error
 * the logs loaded so far are closed and the error thrown.
 */
export function loadLogsIn(
  m: LogManagerInternals,
  path: string,
  clean: boolean,
  recoveryPoint: (key: string) => number,
  logStartOffset: (key: string) => number,
  configOf: (key: string) => LogConfig = () => m.defaultConfig(),
  futureLogs: 'load' | 'drop' = 'load',
): { current: PartitionLog[]; future: PartitionLog[] } {
  const fs = m.fs;
  const logger = m.logger;
  const startMs = performance.now();
  const report = emptyLoadReport();
  const found: Array<{ name: string; topic: string; partition: number; future: boolean }> = [];
  for (const name of fs.readdirSync(path)) {
    const full = `${path}/${name}`;
    if (!fs.statSync(full)?.isDirectory) continue;
    const parsed = parseLogDirName(name);
    // a log being deleted, or a future log whose move ended when its dir failed (re-opening): removed
    if (parsed?.kind === 'delete' || (parsed?.kind === 'future' && futureLogs === 'drop')) {
      fs.rmSync(full);
      continue;
    }
    if (parsed && parsed.topic !== CLUSTER_METADATA_TOPIC) found.push({ name, ...parsed, future: parsed.kind === 'future' });
  }
  const names = found;
  if (clean) logger?.info(`Skipping recovery of ${names.length} logs from ${path} since clean shutdown file was found`, { logDir: path });
  else logger?.info(`Recovering ${names.length} logs from ${path} since no clean shutdown file was found`, { logDir: path });
  const loaded: PartitionLog[] = [];
  const future: PartitionLog[] = [];
  try {
    for (const tp of names) {
      const key = tpKey(tp.topic, tp.partition);
      const dirOf = tp.future ? m.futureDirOf : m.dirOf;
      if (dirOf.has(key) && dirOf.get(key) !== path)
        throw new Error(
          `${tp.future ? 'future log of ' : ''}partition ${key} found in two log directories (${dirOf.get(key)} and ${path})`,
        );
      const log = loadPartitionLog(
        m.ctx,
        `${path}/${tp.name}`,
        tp.topic,
        tp.partition,
        configOf(key),
        { cleanShutdown: clean, recoveryPoint: recoveryPoint(key), logStartOffset: logStartOffset(key), logger },
        report,
      );
      for (const seg of log.segments) seg.close();
      (tp.future ? future : loaded).push(log);
    }
  } catch (err) {
    for (const log of [...loaded, ...future]) log.close(false);
    m.ctx.fds.closeUnder(`${path}/`);
    throw err;
  }
  if (!m.isStarted()) addLoadReport(m.startupReport.recovery, report);
  const ms = Math.round(performance.now() - startMs);
  if (clean) logger?.info(`Loaded ${loaded.length} logs from ${path} in ${ms}ms`, { logDir: path });
  else
    logger?.info(
      `Loaded ${loaded.length} logs from ${path} in ${ms}ms after an unclean shutdown: ${report.recoveredSegments} segments ` +
        `(${report.scannedBytes} bytes) scanned, ${report.truncatedBytes} bytes truncated, ${report.deletedSegments} segments deleted, ` +
        `${report.rebuiltIndexes} indexes rebuilt`,
      { logDir: path, ...report },
    );
  return { current: loaded, future };
}
