// meta.properties: the identity Kafka keeps in every log directory, and the only code that writes
// it (the LogManager at startup, `tributary storage format` through formatLogDirs). Two versions:
//
//   version=1  cluster.id, node.id (both required), directory.id   KRaft, what Kafka 4 and this write
//   version=0  broker.id, cluster.id (both optional)               ZooKeeper era; older Tributary builds
//
// directory.id is a Uuid per log directory (JBOD: the controller tracks which directory holds each
// replica); a formatted directory without one gets one, its other keys kept, as Kafka does on start.
// Reading checks a directory against the cluster and node it is expected to belong to, with errors
// naming the file and both ids. Not written: bootstrap.checkpoint (Kafka's initial metadata.version
// and features; Tributary's controller bootstraps its own) and the dynamic-quorum snapshot.
import { randomBytes } from 'node:crypto';
import { readProperties, writeProperties } from './checkpoint-file.ts';
import type { FileSystem } from './fs.ts';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  version: 0 | 1;
  /** Always set in version 1. */
  clusterId: string | null;
  /** node.id (version 1, always set) or broker.id (version 0, optional). */
  nodeId: number | null;
  directoryId: string | null;
}

/** What a log directory must belong to; an absent field is not checked. */
export interface MetaPropertiesExpectation {
  clusterId?: string;
  nodeId?: number;
}

export class MetaPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetaPropertiesError';
  }
}

/**
 * A random Uuid in Kafka's string form (base64url, 22 characters), as Uuid.randomUuid makes them:
 * never the zero or "one" id, nor the 100 ids DirectoryId reserves, nor one starting with '-'
 * (a command line would read it as a flag).
 */
export function randomUuid(): string {
  for (;;) {
    const b = randomBytes(16);
    const reserved = b.subarray(0, 15).every((x) => x === 0) && b[15]! < 100;
    const id = b.toString('base64url');
    if (!reserved && !id.startsWith('-')) return id;
  }
}

function intProp(file: string, props: Record<string, string>, key: string): number | null {
  const v = props[key];
  if (v === undefined) return null;
  if (!/^-?\d+$/.test(v)) throw new MetaPropertiesError(`${file}: unable to read ${key} "${v}" as a base-10 number`);
  return Number(v);
}

/** The meta.properties of `dir`, or null when it has none. Throws MetaPropertiesError when it is malformed. */
export function readMetaProperties(fs: FileSystem, dir: string): MetaProperties | null {
  const file = `${dir}/${META_PROPERTIES}`;
  const props = readProperties(fs, file);
  if (!props) return null;
  const version = props.version ?? '0';
  if (version !== '0' && version !== '1') throw new MetaPropertiesError(`${file}: unknown version ${version} (expected 0 or 1)`);
  const clusterId = props['cluster.id'] ?? null;
  const directoryId = props['directory.id'] ?? null;
  if (version === '0') return { version: 0, clusterId, nodeId: intProp(file, props, 'broker.id'), directoryId };
  const nodeId = intProp(file, props, 'node.id');
  if (nodeId === null) throw new MetaPropertiesError(`node.id was not specified in ${file}`);
  if (clusterId === null) throw new MetaPropertiesError(`cluster.id was not specified in the v1 file: ${file}`);
  return { version: 1, clusterId, nodeId, directoryId };
}

/** Writes `meta` as `dir`/meta.properties (atomically: temp file, fsync, rename). */
export function writeMetaProperties(fs: FileSystem, dir: string, meta: MetaProperties): void {
  const out: Record<string, string> = { version: String(meta.version) };
  if (meta.clusterId !== null) out['cluster.id'] = meta.clusterId;
  if (meta.nodeId !== null) out[meta.version === 1 ? 'node.id' : 'broker.id'] = String(meta.nodeId);
  if (meta.directoryId !== null) out['directory.id'] = meta.directoryId;
  writeProperties(fs, `${dir}/${META_PROPERTIES}`, out);
}

/** Throws MetaPropertiesError when `meta` (read from `dir`) belongs to another cluster or node. */
export function checkMetaProperties(dir: string, meta: MetaProperties, expected: MetaPropertiesExpectation): void {
  const file = `${dir}/${META_PROPERTIES}`;
  if (expected.clusterId !== undefined && meta.clusterId !== null && meta.clusterId !== expected.clusterId) {
    throw new MetaPropertiesError(`${file} is formatted for cluster ${meta.clusterId}, not ${expected.clusterId}`);
  }
  if (expected.nodeId !== undefined && meta.nodeId !== null && meta.nodeId !== expected.nodeId) {
    throw new MetaPropertiesError(
      `${file} belongs to node ${meta.nodeId}, but node.id is ${expected.nodeId}. If you moved your data, make sure node.id matches; to make a new node, empty the log directories.`,
    );
  }
}

/** A version 1 meta.properties for a directory being formatted (a new directory.id). */
export function newMetaProperties(clusterId: string, nodeId: number): MetaProperties {
  return { version: 1, clusterId, nodeId, directoryId: randomUuid() };
}

/**
 * Makes `dir` belong to `expected` at startup: a formatted directory is checked (and given a
 * directory.id if it has none); an empty one is formatted when both the cluster and the node are
 * known, and left without meta.properties otherwise. Returns what the directory holds now.
 */
export function ensureMetaProperties(fs: FileSystem, dir: string, expected: MetaPropertiesExpectation): MetaProperties | null {
  const meta = readMetaProperties(fs, dir);
  if (meta) {
    checkMetaProperties(dir, meta, expected);
    if (meta.directoryId !== null) return meta;
    const withId = { ...meta, directoryId: randomUuid() };
    writeMetaProperties(fs, dir, withId);
    return withId;
  }
  if (expected.clusterId === undefined || expected.nodeId === undefined) return null;
  const fresh = newMetaProperties(expected.clusterId, expected.nodeId);
  writeMetaProperties(fs, dir, fresh);
  return fresh;
}
