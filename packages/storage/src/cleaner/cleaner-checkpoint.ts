// cleaner-offset-checkpoint: where the log cleaner stopped in each compacted log, one file per log
// directory (Kafka's LogCleanerManager checkpoints). Kafka's offset-checkpoint text format, written
// crash-safely (tmp + fsync + rename + fsync dir, checkpoint-file.ts):
//
//   0                              <- version
//   <count>
//   <topic> <partition> <offset>   <- the log's first dirty offset: everything below it is cleaned
//   ...
//
// The entries are kept in memory (the cleaner is the file's only writer) and the whole file is
// rewritten on every change. As Kafka's updateCheckpoints, a rewrite keeps only partitions that
// still exist (`liveKeys`). A file that cannot be read is treated as empty (logged: the logs are then
// cleaned from their start again, which is safe); a write that fails is logged and kept in memory.
import {
  CorruptCheckpointError,
  readOffsetCheckpoint,
  tpKey,
  writeOffsetCheckpoint,
  type OffsetCheckpointEntry,
} from '../checkpoint-file.ts';
import type { FileSystem } from '../fs.ts';
import type { CleanerLogger } from './cleaner-logger.ts';

export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

export class CleanerOffsetCheckpoints {
  private readonly dirs = new Map<string, Map<string, OffsetCheckpointEntry>>();

  constructor(
    private readonly fs: FileSystem,
    /** The partitions (`<topic>-<partition>`) with a log in `dir` (null: all): entries of others are dropped on rewrite. */
    private readonly liveKeys: (dir: string) => ReadonlySet<string> | null = () => null,
    private readonly logger?: CleanerLogger,
  ) {}

  /** The entries of one log dir, read from its file on first use. */
  private entries(dir: string): Map<string, OffsetCheckpointEntry> {
    let m = this.dirs.get(dir);
    if (m) return m;
    m = new Map();
    try {
      for (const e of readOffsetCheckpoint(this.fs, `${dir}/${CLEANER_OFFSET_CHECKPOINT}`)) m.set(tpKey(e.topic, e.partition), e);
    } catch (err) {
      const what = err instanceof CorruptCheckpointError ? 'is malformed' : 'cannot be read';
      this.logger?.error(`Cleaner checkpoint file ${CLEANER_OFFSET_CHECKPOINT} in dir ${dir} ${what}; treating it as empty`, { err });
      m.clear();
    }
    this.dirs.set(dir, m);
    return m;
  }

  /** The checkpointed first dirty offset of a partition, undefined when it has none. */
  get(dir: string, topic: string, partition: number): number | undefined {
    return this.entries(dir).get(tpKey(topic, partition))?.offset;
  }

  /** Every entry of every dir read so far plus `dirs`, keyed `<topic>-<partition>` (Kafka's allCleanerCheckpoints). */
  all(dirs: Iterable<string> = []): Map<string, number> {
    for (const d of dirs) this.entries(d);
    const out = new Map<string, number>();
    for (const m of this.dirs.values()) for (const [k, e] of m) out.set(k, e.offset);
    return out;
  }

  /** Sets a partition's checkpoint and rewrites the dir's file. */
  update(dir: string, topic: string, partition: number, offset: number): void {
    this.entries(dir).set(tpKey(topic, partition), { topic, partition, offset });
    this.write(dir);
  }

  /** Removes a partition's entry (its log was deleted); rewrites the file only when it had one. */
  remove(dir: string, topic: string, partition: number): boolean {
    if (!this.entries(dir).delete(tpKey(topic, partition))) return false;
    this.write(dir);
    return true;
  }

  /**
   * Moves a partition's entry from `fromDir`'s file to `toDir`'s (its log moved between log dirs:
   * Kafka's alterCheckpointDir); the destination is written first, so a crash in between leaves
   * the entry in both (the source's is dropped at its next rewrite, its log being gone from there).
   * False when `fromDir` had no entry (nothing is written).
   */
  move(fromDir: string, toDir: string, topic: string, partition: number): boolean {
    const e = this.entries(fromDir).get(tpKey(topic, partition));
    if (!e || fromDir === toDir) return false;
    this.entries(toDir).set(tpKey(topic, partition), { topic, partition, offset: e.offset });
    this.write(toDir);
    this.entries(fromDir).delete(tpKey(topic, partition));
    this.write(fromDir);
    return true;
  }

  /** Lowers a partition's checkpoint to `offset` when above it (Kafka's maybeTruncateCheckpoint); true when lowered. */
  maybeTruncate(dir: string, topic: string, partition: number, offset: number): boolean {
    const e = this.entries(dir).get(tpKey(topic, partition));
    if (!e || e.offset <= offset) return false;
    e.offset = offset;
    this.write(dir);
    return true;
  }

  private write(dir: string): void {
    const m = this.entries(dir);
    const live = this.liveKeys(dir);
    if (live) for (const k of [...m.keys()]) if (!live.has(k)) m.delete(k);
    try {
      writeOffsetCheckpoint(this.fs, `${dir}/${CLEANER_OFFSET_CHECKPOINT}`, m.values());
    } catch (err) {
      this.logger?.error(`Failed to write ${CLEANER_OFFSET_CHECKPOINT} in dir ${dir}`, { err });
    }
  }
}
