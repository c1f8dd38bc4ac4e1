// Cluster identity from meta.properties, the file Kafka keeps in every log directory. The
// LogManager (storage) is the file's only writer: on first start the broker makes up a cluster id
// here and hands it to the LogManager, which writes meta.properties (version, broker.id,
// cluster.id) into each log dir; on later starts this reads it back, from either Kafka form:
//
//   version=0 / broker.id=<id> / cluster.id=<id>      (ZooKeeper era, what the LogManager writes)
//   version=1 / node.id=<id>   / cluster.id=<id>      (KRaft, written by earlier Tributary builds)
//
// A directory holding another node's meta.properties, or dirs of different clusters, are refused.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from './config/properties.ts';

/** A random cluster id in Kafka's Uuid.toString form. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** The cluster id recorded in the log dirs, or a new one when none has meta.properties yet. */
export function resolveClusterId(logDirs: string[], nodeId: number): string {
  let found: string | null = null;
  for (const dir of logDirs) {
    const file = join(dir, 'meta.properties');
    if (!existsSync(file)) continue;
    const props = Object.fromEntries(parseProperties(readFileSync(file, 'utf8')).map((e) => [e.key, e.value]));
    const clusterId = props['cluster.id'];
    const stored = props['node.id'] ?? props['broker.id'];
    if (!clusterId) throw new Error(`${file} has no cluster.id`);
    if (stored !== undefined && Number(stored) !== nodeId) throw new Error(`${file} belongs to node ${stored}, but node.id is ${nodeId}`);
    if (found && found !== clusterId) throw new Error(`log dirs belong to different clusters (${found}, ${clusterId})`);
    found = clusterId;
  }
  return found ?? newClusterId();
}
