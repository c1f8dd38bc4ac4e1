// QuorumStateFile: the election state in `<log dir>/__cluster_metadata-0/quorum-state`, as Kafka's
// FileQuorumStateStore writes it: QuorumStateData (kafka-protocol/raft/QuorumStateData.json) in
// JSON, one line, no newline, plus a `data_version` field. We write version 0 (static voters,
// kraft.version 0), fields in the spec's order:
//
//   {"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,
//    "currentVoters":[{"voterId":1},{"voterId":2}],"data_version":0}
//
// and read versions 0 and 1 (1 replaces clusterId/appliedOffset/currentVoters by
// votedDirectoryId; only leaderEpoch, leaderId and votedId matter here).
//
// Rules: a write goes to `quorum-state.tmp` (a leftover one is replaced), is fsynced, renamed over
// `quorum-state`, then the directory is fsynced; `write` resolves only then, and writes run one at
// a time in call order. A crash leaves the old state or the new one, never a mix. A file that does
// not parse is an error naming it (the voter must not start with a state it may have forgotten).
import { NodeFileSystem, dirOf, type FileSystem } from '@tributary/storage';
import { CLUSTER_METADATA_PARTITION_DIR } from './disk-raft-log.ts';
import type { ElectionState, QuorumStateStore } from './quorum-state-store.ts';

/** FileQuorumStateStore.DEFAULT_FILE_NAME. */
export const QUORUM_STATE_FILE = 'quorum-state';
/** The data_version we write; the highest we read is 1. */
export const QUORUM_STATE_VERSION = 0;
const HIGHEST_READABLE_VERSION = 1;

export interface QuorumStateFileOptions {
  /** The log dir holding `__cluster_metadata-0` (the file goes in that directory). */
  logDir: string;
  fs?: FileSystem;
  /** The static voters (controller.quorum.voters ids), written as currentVoters. */
  voters?: readonly number[];
}

/** The file's content for `state`: Kafka's JSON, version 0. */
export function formatQuorumState(state: ElectionState, voters: readonly number[]): string {
  return JSON.stringify({
    clusterId: '',
    leaderId: state.leaderId,
    leaderEpoch: state.epoch,
    votedId: state.votedId,
    appliedOffset: 0,
    currentVoters: voters.map((voterId) => ({ voterId })),
    data_version: QUORUM_STATE_VERSION,
  });
}

/** Parses the file's content (its first line, as Kafka reads it); throws naming `path` when it is not a quorum state. */
export function parseQuorumState(text: string, path: string): ElectionState {
  const corrupt = (why: string) => new Error(`quorum state file ${path} is corrupt: ${why}`);
  const line = text.split('\n', 1)[0]!;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw corrupt(`not JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt('not a JSON object');
  const o = json as Record<string, unknown>;
  const int = (name: string): number => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw corrupt(`${name} is ${JSON.stringify(v)}, not an integer`);
    return v;
  };
  const version = int('data_version');
  if (version < 0 || version > HIGHEST_READABLE_VERSION)
    throw corrupt(`data_version ${version} is not between 0 and ${HIGHEST_READABLE_VERSION}`);
  return { epoch: int('leaderEpoch'), leaderId: int('leaderId'), votedId: int('votedId') };
}

export class QuorumStateFile implements QuorumStateStore {
  /** `<logDir>/__cluster_metadata-0/quorum-state`. */
  readonly path: string;
  private readonly fs: FileSystem;
  private readonly voters: readonly number[];
  private readonly logDir: string;
  /** The write in progress (writes are chained: each starts when the previous one ended). */
  private tail: Promise<void> = Promise.resolve();

  constructor(options: QuorumStateFileOptions) {
    this.fs = options.fs ?? new NodeFileSystem();
    this.voters = [...(options.voters ?? [])];
    this.logDir = options.logDir;
    this.path = `${options.logDir}/${CLUSTER_METADATA_PARTITION_DIR}/${QUORUM_STATE_FILE}`;
  }

  read(): ElectionState | null {
    const data = this.fs.readFileSync(this.path);
    return data === null ? null : parseQuorumState(data.toString('utf8'), this.path);
  }

  write(state: ElectionState): Promise<void> {
    const content = Buffer.from(formatQuorumState(state, this.voters), 'utf8');
    const run = this.tail.then(() => this.replace(content));
    this.tail = run.catch(() => {
      /* the caller of this write gets the error; the next write tries afresh */
    });
    return run;
  }

  private async replace(content: Buffer): Promise<void> {
    const fs = this.fs;
    const dir = dirOf(this.path);
    const tmp = `${this.path}.tmp`;
    const newDir = fs.statSync(dir) === null;
    if (newDir) fs.mkdirSync(dir);
    try {
      const fd = fs.openSync(tmp, true);
      try {
        fs.ftruncateSync(fd, 0);
        let off = 0;
        while (off < content.length) off += fs.writeSync(fd, content, off, content.length - off, off);
        await fs.fsync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.path);
      fs.fsyncDirSync(dir);
      // a directory created here: its entry in the log dir must be durable too
      if (newDir) fs.fsyncDirSync(this.logDir);
    } catch (err) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* the write's error is the one to report */
      }
      throw new Error(`cannot write quorum state file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }
}
