// meta.properties: the identity file Kafka keeps in every log directory. Tributary writes Kafka's
// KRaft form on first start and checks it on later starts, so a restart finds the same cluster:
//
//   #Written by Tributary
//   version=1
//   cluster.id=<22-char base64url uuid>
//   node.id=<node id>
//
// A directory holding another node's meta.properties is refused.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from './config/properties.ts';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

/** A random cluster id in Kafka's Uuid.toString form. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export function loadOrCreateMetaProperties(logDirs: string[], nodeId: number): MetaProperties {
  let found: MetaProperties | null = null;
  for (const dir of logDirs) {
    const file = join(dir, 'meta.properties');
    if (!existsSync(file)) continue;
    const props = Object.fromEntries(parseProperties(readFileSync(file, 'utf8')).map((e) => [e.key, e.value]));
    const clusterId = props['cluster.id'];
    const storedNode = Number(props['node.id'] ?? props['broker.id']);
    if (!clusterId) throw new Error(`${file} has no cluster.id`);
    if (storedNode !== nodeId) throw new Error(`${file} belongs to node ${storedNode}, but node.id is ${nodeId}`);
    if (found && found.clusterId !== clusterId) throw new Error(`log dirs belong to different clusters (${found.clusterId}, ${clusterId})`);
    found = { clusterId, nodeId };
  }
  const meta = found ?? { clusterId: newClusterId(), nodeId };
  for (const dir of logDirs) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'meta.properties');
    if (existsSync(file)) continue;
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `#Written by Tributary\nversion=1\ncluster.id=${meta.clusterId}\nnode.id=${nodeId}\n`);
    renameSync(tmp, file);
  }
  return meta;
}
