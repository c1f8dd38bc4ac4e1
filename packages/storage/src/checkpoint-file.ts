// Kafka's text checkpoint files, written crash-safely (tmp + fsync + rename + fsync dir):
//
//   recovery-point-offset-checkpoint, log-start-offset-checkpoint, replication-offset-checkpoint
//   (in each log directory):            leader-epoch-checkpoint (in each partition directory):
//     0                  <- version       0
//     <count>                             <count>
//     <topic> <partition> <offset>        <epoch> <startOffset>
//     ...                                 ...
//
// and the properties files meta.properties ("key=value" lines, '#' comments) and partition.metadata
// ("version: 0\ntopic_id: <base64url uuid>\n").
import { replaceFileAtomic, type FileSystem } from './fs.ts';

export class CorruptCheckpointError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`malformed checkpoint file ${path}: ${detail}`);
    this.name = 'CorruptCheckpointError';
  }
}

/** Parses "0\n<count>\n" followed by `count` lines of `fields` whitespace-separated tokens. */
function parseCheckpoint(path: string, text: string, fields: number): string[][] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines[0]?.trim() !== '0') throw new CorruptCheckpointError(path, `unsupported version '${lines[0]}'`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) throw new CorruptCheckpointError(path, `bad entry count '${lines[1]}'`);
  if (lines.length - 2 !== count) throw new CorruptCheckpointError(path, `expected ${count} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((l, i) => {
    const parts = l.trim().split(/\s+/);
    if (parts.length !== fields) throw new CorruptCheckpointError(path, `line ${i + 3}: '${l}'`);
    return parts;
  });
}

function toInt(path: string, s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new CorruptCheckpointError(path, `'${s}' is not an integer`);
  return n;
}

/** Key of a topic partition in the maps below: `<topic>-<partition>` (also its directory name). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export interface OffsetCheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

export function readOffsetCheckpoint(fs: FileSystem, path: string): OffsetCheckpointEntry[] {
  const buf = fs.readFileSync(path);
  if (!buf) return [];
  return parseCheckpoint(path, buf.toString('utf8'), 3).map(([topic, p, o]) => ({
    topic: topic!,
    partition: toInt(path, p!),
    offset: toInt(path, o!),
  }));
}

export function writeOffsetCheckpoint(fs: FileSystem, path: string, entries: Iterable<OffsetCheckpointEntry>): void {
  const list = [...entries];
  const text = `0\n${list.length}\n${list.map((e) => `${e.topic} ${e.partition} ${e.offset}\n`).join('')}`;
  replaceFileAtomic(fs, path, Buffer.from(text));
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export function readEpochCheckpoint(fs: FileSystem, path: string): EpochEntry[] {
  const buf = fs.readFileSync(path);
  if (!buf) return [];
  return parseCheckpoint(path, buf.toString('utf8'), 2).map(([e, o]) => ({ epoch: toInt(path, e!), startOffset: toInt(path, o!) }));
}

export function writeEpochCheckpoint(fs: FileSystem, path: string, entries: ReadonlyArray<EpochEntry>, syncDir = true): void {
  const text = `0\n${entries.length}\n${entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`;
  replaceFileAtomic(fs, path, Buffer.from(text), syncDir);
}

/** Java-properties style file (meta.properties): key=value lines, '#' and '!' comments. */
export function readProperties(fs: FileSystem, path: string): Record<string, string> | null {
  const buf = fs.readFileSync(path);
  if (!buf) return null;
  const out: Record<string, string> = {};
  for (const raw of buf.toString('utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export function writeProperties(fs: FileSystem, path: string, props: Record<string, string>, now = new Date()): void {
  const body = Object.entries(props)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
  replaceFileAtomic(fs, path, Buffer.from(`#\n#${now.toUTCString()}\n${body}`));
}

export const PARTITION_METADATA = 'partition.metadata';

/** partition.metadata: "version: 0\ntopic_id: <id>\n". Returns the topic id, or null when absent. */
export function readPartitionMetadata(fs: FileSystem, path: string): string | null {
  const buf = fs.readFileSync(path);
  if (!buf) return null;
  const lines = buf.toString('utf8').split('\n');
  const version = /^version:\s*(\d+)$/.exec(lines[0]?.trim() ?? '');
  const id = /^topic_id:\s*(\S+)$/.exec(lines[1]?.trim() ?? '');
  if (version?.[1] !== '0' || !id) throw new CorruptCheckpointError(path, 'expected "version: 0" and "topic_id: <id>"');
  return id[1]!;
}

export function writePartitionMetadata(fs: FileSystem, path: string, topicId: string): void {
  replaceFileAtomic(fs, path, Buffer.from(`version: 0\ntopic_id: ${topicId}\n`));
}
