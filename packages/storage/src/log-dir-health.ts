// The health check of an offline log dir (not in Kafka, whose failed dirs stay offline until a
// restart): the LogManager runs it every tributary.log.dir.failure.recovery.interval.ms while a dir
// is offline, and re-opens the dir only once it passes. It does what the logs will do: creates a
// probe file in the dir, writes 1 MiB to it, fsyncs it, reads it back and compares, deletes it
// and fsyncs the dir. 1 MiB, not a page: a disk that filled up (ENOSPC) must have room again, not
// just the few bytes a refused write left free, or the dir would come back and fail at once. Any error (EIO, ENOSPC, EROFS, a short or different read) means the dir
// is still failing. Then the dir's meta.properties must still be the one it was loaded with (the
// same disk, not an empty or foreign one mounted in its place).
import type { FileSystem } from './fs.ts';
import { readMetaProperties, type MetaProperties } from './meta-properties.ts';

/** The probe file's name in the log dir (removed by the probe; a leftover is overwritten). */
export const LOG_DIR_PROBE_FILE = '.tributary-log-dir-probe';
/** Bytes written and read back: the room a full disk must have again before its dir comes back. */
export const LOG_DIR_PROBE_BYTES = 1 << 20;
const PROBE_BYTES = LOG_DIR_PROBE_BYTES;

/** Throws the error that shows `dir` still failing; returns when a write made durable there reads back whole. */
export function probeLogDir(fs: FileSystem, dir: string): void {
  const path = `${dir}/${LOG_DIR_PROBE_FILE}`;
  const block = Buffer.alloc(PROBE_BYTES);
  for (let i = 0; i < PROBE_BYTES; i += 4) block.writeUInt32BE((i * 2654435761) >>> 0, i);
  const fd = fs.openSync(path, true);
  let passed = false;
  try {
    fs.ftruncateSync(fd, 0);
    let written = 0;
    while (written < PROBE_BYTES) written += fs.writeSync(fd, block, written, PROBE_BYTES - written, written);
    fs.fsyncSync(fd);
    const back = Buffer.alloc(PROBE_BYTES);
    let read = 0;
    while (read < PROBE_BYTES) {
      const n = fs.readSync(fd, back, read, PROBE_BYTES - read, read);
      if (n <= 0) break;
      read += n;
    }
    if (read !== PROBE_BYTES || !back.equals(block))
      throw Object.assign(new Error(`EIO: the probe file ${path} did not read back as written (${read} of ${PROBE_BYTES} bytes)`), {
        code: 'EIO',
      });
    passed = true;
  } finally {
    fs.closeSync(fd);
    if (!passed) {
      try {
        fs.unlinkSync(path); // a half-written probe must not keep the space it found
      } catch {
        /* the dir is failing anyway */
      }
    }
  }
  fs.unlinkSync(path);
  fs.fsyncDirSync(dir);
}

/**
 * Why the dir must not come back (null: it may): its meta.properties is gone or names another
 * directory, cluster or node than the one it was loaded with (another disk was mounted there).
 */
export function metaPropertiesChanged(fs: FileSystem, dir: string, loaded: MetaProperties): string | null {
  const now = readMetaProperties(fs, dir);
  if (!now) return `${dir}/meta.properties is missing: not the log dir that failed`;
  if (now.directoryId !== loaded.directoryId || now.clusterId !== loaded.clusterId || now.nodeId !== loaded.nodeId)
    return `${dir}/meta.properties changed (directory.id ${loaded.directoryId} -> ${now.directoryId}, cluster.id ${loaded.clusterId} -> ${now.clusterId}, node.id ${loaded.nodeId} -> ${now.nodeId}): not the log dir that failed`;
  return null;
}
