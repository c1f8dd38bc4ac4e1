// The cluster a node belongs to, decided at startup from its log dirs' meta.properties (read here,
// written only by storage: the LogManager formats empty dirs with the id decided here, and
// `tributary storage format` through formatNodeStorage):
//
//   some dir formatted            its cluster.id; every formatted dir must agree, belong to this
//                                 node.id, and match CLUSTER_ID when that is set
//   none, CLUSTER_ID set          CLUSTER_ID (as Kafka's container image formats on first start)
//   none, process.roles not set   a new random id (a one-node cluster, `npm start` as always)
//   none, process.roles set       refused: a KRaft node must be formatted (kafka-storage format)
//
// Errors name the file and both ids. A dir that cannot be read (EIO...) is skipped here (JBOD: the
// LogManager starts it offline). Version 0 files of older builds (broker.id) are read as well.
import {
  formatStorage,
  NodeFileSystem,
  randomUuid,
  readMetaProperties,
  type FileSystem,
  type FormatStorageResult,
  type MetaProperties,
} from '@tributary/storage';
import type { BrokerConfig } from './config/broker-config.ts';

/** A random cluster id in Kafka's Uuid.toString form (what `tributary storage random-uuid` prints). */
export function newClusterId(): string {
  return randomUuid();
}

/** The cluster id of this node's log dirs (see the header); throws when they cannot be used. */
export function resolveClusterId(config: BrokerConfig, fs: FileSystem = new NodeFileSystem()): string {
  const wanted = config.environmentClusterId;
  let found: { clusterId: string; file: string } | null = null;
  for (const dir of config.logDirs) {
    let meta: MetaProperties | null;
    try {
      meta = fs.statSync(dir)?.isDirectory ? readMetaProperties(fs, dir) : null;
    } catch (err) {
      // an unreadable dir (EIO...) is skipped, as Kafka's MetaPropertiesEnsemble.Loader does: the LogManager starts it offline
      if (typeof (err as NodeJS.ErrnoException).code === 'string') continue;
      throw err;
    }
    if (!meta) continue;
    const file = `${dir}/meta.properties`;
    if (meta.nodeId !== null && meta.nodeId !== config.nodeId)
      throw new Error(
        `${file} belongs to node ${meta.nodeId}, but node.id is ${config.nodeId}. If you moved your data, make sure node.id matches; to make a new node, empty the log directories.`,
      );
    if (meta.clusterId === null) continue;
    if (wanted !== null && meta.clusterId !== wanted)
      throw new Error(`${file} is formatted for cluster ${meta.clusterId}, but CLUSTER_ID is ${wanted}`);
    if (found && meta.clusterId !== found.clusterId)
      throw new Error(`${file} is formatted for cluster ${meta.clusterId}, but ${found.file} for cluster ${found.clusterId}`);
    found ??= { clusterId: meta.clusterId, file };
  }
  if (found) return found.clusterId;
  if (wanted !== null) return wanted;
  if (!config.isSet('process.roles')) return newClusterId();
  throw new Error(
    `no log directory is formatted (${config.logDirs.join(', ')}): run \`tributary storage format -t <cluster id> -c <server.properties>\` first, or set CLUSTER_ID`,
  );
}

/** `tributary storage format`: formats this node's log dirs for `clusterId` (see storage's formatStorage). */
export function formatNodeStorage(
  config: BrokerConfig,
  clusterId: string,
  options: { ignoreFormatted?: boolean; fs?: FileSystem } = {},
): FormatStorageResult {
  return formatStorage({ logDirs: config.logDirs, clusterId, nodeId: config.nodeId, ...options });
}
