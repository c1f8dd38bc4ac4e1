// SnapshotWriter: writes one snapshot file crash-safely (Kafka's FileRawSnapshotWriter): the bytes
// go to `<name>.checkpoint.part` in the metadata log dir, and `freeze()` checks them
// (parseSnapshotFile), fsyncs the file, renames it to `<name>.checkpoint` and fsyncs the directory.
// A crash before the rename leaves only the `.part`, which readers ignore and startup deletes
// (listSnapshots with deleteLeftovers); a `.checkpoint` is therefore always whole and immutable.
//
// Two users: a snapshot built here (writeSnapshot in snapshot-file.ts appends the whole file at
// once) and a follower installing the leader's snapshot chunk by chunk from FetchSnapshot
// (append each chunk's bytes at the current size, freeze when the size is reached).
// Rules: a snapshot id that already has a `.checkpoint` is refused (snapshots are immutable, and a
// leader may be serving the existing file by byte position); a leftover `.part` of the same id is
// overwritten; on any failure the `.part` is removed and the error names the file (a failed check
// in freeze is the CorruptSnapshotError itself).
import type { FileSystem } from '@tributary/storage';
import { CorruptSnapshotError, parseSnapshotFile } from './snapshot-format.ts';
import { SNAPSHOT_PART_SUFFIX, SNAPSHOT_SUFFIX, snapshotFileName, type SnapshotId } from './snapshot-id.ts';

export class SnapshotWriter {
  private size = 0;
  private fd: number | null;

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly snapshotId: SnapshotId,
    readonly partPath: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Starts `<dir>/<name>.checkpoint.part` (creating `dir` when absent). */
  static create(fs: FileSystem, dir: string, snapshotId: SnapshotId): SnapshotWriter {
    const name = snapshotFileName(snapshotId);
    if (fs.statSync(`${dir}/${name}${SNAPSHOT_SUFFIX}`) !== null)
      throw new Error(`snapshot ${dir}/${name}${SNAPSHOT_SUFFIX} already exists`);
    if (fs.statSync(dir) === null) fs.mkdirSync(dir);
    const partPath = `${dir}/${name}${SNAPSHOT_PART_SUFFIX}`;
    const fd = fs.openSync(partPath, true);
    try {
      fs.ftruncateSync(fd, 0);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return new SnapshotWriter(fs, dir, snapshotId, partPath, fd);
  }

  /** Bytes appended so far. */
  get sizeInBytes(): number {
    return this.size;
  }

  /** The path the snapshot gets when frozen. */
  get path(): string {
    return `${this.dir}/${snapshotFileName(this.snapshotId)}${SNAPSHOT_SUFFIX}`;
  }

  /** Appends raw bytes at the end of the `.part` (no check until freeze). */
  append(bytes: Buffer): void {
    const fd = this.openFd();
    try {
      let off = 0;
      while (off < bytes.length) off += this.fs.writeSync(fd, bytes, off, bytes.length - off, this.size + off);
      this.size += bytes.length;
    } catch (err) {
      this.fail(err, 'cannot write');
    }
  }

  /** Checks the bytes, fsyncs, renames to `.checkpoint`, fsyncs the directory. */
  async freeze(): Promise<SnapshotId> {
    const fd = this.openFd();
    try {
      const bytes = this.fs.readFileSync(this.partPath);
      if (bytes === null) throw new Error(`${this.partPath} disappeared`);
      parseSnapshotFile(bytes.subarray(0, this.size), this.partPath);
      await this.fs.fsync(fd);
      this.fs.closeSync(fd);
      this.fd = null;
      this.fs.renameSync(this.partPath, this.path);
      this.fs.fsyncDirSync(this.dir);
      return this.snapshotId;
    } catch (err) {
      this.fail(err, 'cannot freeze');
    }
  }

  /** Gives up: closes and removes the `.part`. Harmless after freeze or a failure. */
  abort(): void {
    if (this.fd === null) return;
    try {
      this.fs.closeSync(this.fd);
    } finally {
      this.fd = null;
      this.fs.unlinkSync(this.partPath);
    }
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`snapshot writer for ${this.partPath} is closed`);
    return this.fd;
  }

  private fail(err: unknown, what: string): never {
    try {
      if (this.fd !== null) this.fs.closeSync(this.fd);
    } catch {
      /* the first error is the one to report */
    }
    this.fd = null;
    try {
      this.fs.unlinkSync(this.partPath);
    } catch {
      /* a leftover .part is ignored by readers and deleted at startup */
    }
    if (err instanceof CorruptSnapshotError) throw err;
    throw new Error(`${what} snapshot ${this.partPath}: ${(err as Error).message}`, { cause: err });
  }
}
