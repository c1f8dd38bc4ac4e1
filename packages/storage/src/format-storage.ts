// Formatting log directories for a cluster, as `kafka-storage.sh format` does: every directory
// gets a version 1 meta.properties (cluster.id, node.id, a new directory.id), created if missing.
// A directory already formatted for another cluster or node is refused; one formatted for this
// cluster and node is refused too unless ignoreFormatted (kafka-storage's --ignore-formatted),
// which skips it. Nothing is written unless every directory passes. Kafka also writes
// bootstrap.checkpoint (initial metadata.version and features) and, for a dynamic quorum, a
// voters snapshot; Tributary writes neither (see meta-properties.ts).
import { NodeFileSystem, type FileSystem } from './fs.ts';
import { checkMetaProperties, MetaPropertiesError, newMetaProperties, readMetaProperties, writeMetaProperties } from './meta-properties.ts';

export interface FormatStorageOptions {
  logDirs: readonly string[];
  clusterId: string;
  nodeId: number;
  /** Skip directories already formatted for this cluster and node instead of failing. */
  ignoreFormatted?: boolean;
  fs?: FileSystem;
}

export interface FormatStorageResult {
  /** Directories given a meta.properties now. */
  formatted: string[];
  /** Directories that already had one (only with ignoreFormatted). */
  alreadyFormatted: string[];
}

/** Formats the log directories; throws MetaPropertiesError (nothing written) when one cannot be. */
export function formatStorage(options: FormatStorageOptions): FormatStorageResult {
  const fs = options.fs ?? new NodeFileSystem();
  const { clusterId, nodeId } = options;
  if (!Number.isInteger(nodeId) || nodeId < 0) throw new MetaPropertiesError('You must specify a valid non-negative node ID.');
  if (clusterId === '' || /\s/.test(clusterId))
    throw new MetaPropertiesError(`invalid cluster id "${clusterId}": it must be non-empty, without whitespace`);
  if (options.logDirs.length === 0) throw new MetaPropertiesError('You must specify at least one directory to format');
  const result: FormatStorageResult = { formatted: [], alreadyFormatted: [] };
  for (const dir of new Set(options.logDirs)) {
    const meta = fs.statSync(dir)?.isDirectory ? readMetaProperties(fs, dir) : null;
    if (!meta) {
      result.formatted.push(dir);
      continue;
    }
    checkMetaProperties(dir, meta, { clusterId, nodeId });
    if (!options.ignoreFormatted)
      throw new MetaPropertiesError(
        `Log directory ${dir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`,
      );
    result.alreadyFormatted.push(dir);
  }
  for (const dir of result.formatted) {
    fs.mkdirSync(dir);
    writeMetaProperties(fs, dir, newMetaProperties(clusterId, nodeId));
  }
  return result;
}
