// Snapshot files (KIP-630): Kafka's file names, the header and footer control batches byte for
// byte, offsets from 0 inside the file, crash-safe writing through a `.part` (leftovers ignored,
// then deleted), corrupt files named in errors, FetchSnapshot-style byte reads that reassemble the
// file, a follower's chunked install, listing and deleting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRecordBatchSync, Off } from '@tributary/protocol';
import { MemoryFileSystem } from '@tributary/storage';
import {
  CorruptSnapshotError,
  SnapshotNotFoundError,
  SnapshotPositionOutOfRangeError,
  SnapshotWriter,
  deleteSnapshotsBefore,
  latestSnapshot,
  listSnapshots,
  parseSnapshotFileName,
  readSnapshot,
  readSnapshotBytes,
  snapshotFileName,
  snapshotPath,
  snapshotSize,
  writeSnapshot,
  type SnapshotId,
} from '../src/index.ts';
import { encodeValues, valuesIn } from './helpers/disk-log.ts';

const DIR = '/data/__cluster_metadata-0';
const ID: SnapshotId = { offset: 1234, epoch: 5 };
const FILE = `${DIR}/00000000000000001234-0000000005.checkpoint`;

function batches(): Buffer[] {
  return [encodeValues(['a', 'b', 'c'], 1, 100), encodeValues(['d'], 2, 200), encodeValues(['e', 'f'], 3, 300)];
}

async function written(fs = new MemoryFileSystem(), id = ID): Promise<MemoryFileSystem> {
  await writeSnapshot(fs, DIR, {
    endOffset: id.offset,
    epoch: id.epoch,
    lastContainedLogTimestamp: 1000,
    batches: batches(),
    timestampMs: 2000,
  });
  return fs;
}

/** Every batch of a file: [position, decoded]. */
function batchesOf(bytes: Buffer) {
  const out = [];
  for (let pos = 0; pos < bytes.length; ) {
    const b = decodeRecordBatchSync(bytes, pos);
    out.push(b);
    pos += b.sizeInBytes;
  }
  return out;
}

/** A filesystem that records the operations of a write, and can fail one. */
class TracingFileSystem extends MemoryFileSystem {
  readonly ops: string[] = [];
  failRename = false;
  override fsyncSync(fd: number): void {
    this.ops.push('fsync file');
    super.fsyncSync(fd);
  }
  override renameSync(from: string, to: string): void {
    this.ops.push(`rename ${from.slice(DIR.length + 1)} -> ${to.slice(DIR.length + 1)}`);
    if (this.failRename) throw new Error('EIO: rename failed');
    super.renameSync(from, to);
  }
  override fsyncDirSync(path: string): void {
    this.ops.push(`fsync dir ${path}`);
    super.fsyncDirSync(path);
  }
}

describe('snapshot files', () => {
  it("names files as Kafka's Snapshots.filenameFromSnapshotId: 20-digit end offset, 10-digit epoch", async () => {
    assert.equal(snapshotFileName(ID), '00000000000000001234-0000000005');
    assert.equal(snapshotPath(DIR, { offset: 0, epoch: 0 }), `${DIR}/00000000000000000000-0000000000.checkpoint`);
    assert.equal(snapshotFileName({ offset: 2 ** 53 - 1, epoch: 2 ** 31 - 1 }), '00009007199254740991-2147483647');
    assert.throws(() => snapshotFileName({ offset: -1, epoch: 0 }), RangeError);
    const fs = await written();
    assert.deepEqual(fs.readdirSync(DIR), ['00000000000000001234-0000000005.checkpoint']);
    assert.deepEqual(parseSnapshotFileName('00000000000000001234-0000000005.checkpoint'), { id: ID, kind: 'snapshot' });
    // Kafka's temp files carry a random suffix before .checkpoint.part
    assert.deepEqual(parseSnapshotFileName('00000000000000001234-0000000005-8141853553361815364.checkpoint.part'), {
      id: ID,
      kind: 'partial',
    });
    assert.deepEqual(parseSnapshotFileName('00000000000000001234-0000000005.checkpoint.deleted'), { id: ID, kind: 'deleted' });
    assert.equal(parseSnapshotFileName('00000000000000001234.log'), null);
    assert.equal(parseSnapshotFileName('leader-epoch-checkpoint'), null);
  });

  it('writes a header control batch at offset 0, the data batches renumbered from 1, a footer control batch', async () => {
    const input = batches();
    const copies = input.map((b) => Buffer.from(b));
    const fs = new MemoryFileSystem();
    await writeSnapshot(fs, DIR, { endOffset: 1234, epoch: 5, lastContainedLogTimestamp: 1000, batches: input, timestampMs: 2000 });
    assert.deepEqual(input, copies, "the caller's batches are left alone");

    const file = batchesOf(fs.bytes(FILE));
    assert.deepEqual(
      file.map((b) => [Number(b.baseOffset), b.lastOffsetDelta, b.partitionLeaderEpoch, b.isControl]),
      [
        [0, 0, 5, true],
        [1, 2, 5, false],
        [4, 0, 5, false],
        [5, 1, 5, false],
        [7, 0, 5, true],
      ],
    );
    const [header, footer] = [file[0]!, file[4]!];
    for (const b of [header, footer]) {
      assert.equal(b.isTransactional, false);
      assert.equal(b.producerId, -1n);
      assert.equal(b.producerEpoch, -1);
      assert.equal(b.baseSequence, -1);
      assert.equal(b.baseTimestamp, 2000n);
      assert.equal(b.records.length, 1);
    }
    // key: ControlRecordType version 0, type 3 (SNAPSHOT_HEADER); value: Version 0, LastContainedLogTimestamp 1000, no tagged fields
    assert.equal(header.records[0]!.key!.toString('hex'), '00000003');
    assert.equal(header.records[0]!.value!.toString('hex'), '0000' + '00000000000003e8' + '00');
    // key: type 4 (SNAPSHOT_FOOTER); value: Version 0, no tagged fields
    assert.equal(footer.records[0]!.key!.toString('hex'), '00000004');
    assert.equal(footer.records[0]!.value!.toString('hex'), '000000');

    const read = readSnapshot(fs, DIR, ID);
    assert.deepEqual(read.header, { version: 0, lastContainedLogTimestamp: 1000 });
    assert.equal(read.batchCount, 3);
    assert.equal(read.sizeInBytes, fs.bytes(FILE).length);
    assert.deepEqual(valuesIn(read.batches), ['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('an empty state is a header and a footer', async () => {
    const fs = new MemoryFileSystem();
    await writeSnapshot(fs, DIR, { endOffset: 1, epoch: 1, lastContainedLogTimestamp: 0, batches: [], timestampMs: 0 });
    const read = readSnapshot(fs, DIR, { offset: 1, epoch: 1 });
    assert.equal(read.batches.length, 0);
    assert.equal(read.batchCount, 0);
  });

  it('refuses control batches as data, an existing snapshot id, and invalid data batches', async () => {
    const fs = await written();
    await assert.rejects(written(fs), /00000000000000001234-0000000005\.checkpoint already exists/);
    const control = batchesOf(fs.bytes(FILE))[0]!;
    const controlBytes = fs.bytes(FILE).subarray(0, control.sizeInBytes);
    const input = { endOffset: 9, epoch: 1, lastContainedLogTimestamp: 0, timestampMs: 0 };
    await assert.rejects(writeSnapshot(fs, DIR, { ...input, batches: [controlBytes] }), /is a control batch/);
    const bad = batches()[0]!;
    bad[bad.length - 1]! ^= 0xff;
    await assert.rejects(writeSnapshot(fs, DIR, { ...input, batches: [bad] }), /invalid: batch CRC mismatch/);
    assert.deepEqual(listSnapshots(fs, DIR), [ID]);
  });

  describe('crash safety', () => {
    it('writes the .part, fsyncs it, renames it to .checkpoint, then fsyncs the directory', async () => {
      const fs = new TracingFileSystem();
      fs.mkdirSync(DIR);
      await written(fs);
      assert.deepEqual(fs.ops, [
        'fsync file',
        'rename 00000000000000001234-0000000005.checkpoint.part -> 00000000000000001234-0000000005.checkpoint',
        `fsync dir ${DIR}`,
      ]);
      fs.crash(); // a power loss after the write resolved keeps the whole snapshot
      assert.deepEqual(readSnapshot(fs, DIR, ID).header.lastContainedLogTimestamp, 1000);
    });

    it('a write that fails before the rename leaves no .checkpoint and removes its .part', async () => {
      const fs = new TracingFileSystem();
      fs.failRename = true;
      await assert.rejects(written(fs), /cannot freeze snapshot .*\.checkpoint\.part: EIO: rename failed/);
      assert.deepEqual(fs.readdirSync(DIR), []);
      fs.failRename = false;
      fs.faults.failFsync = true;
      await assert.rejects(written(fs), /EIO: fsync failed/);
      assert.deepEqual(fs.readdirSync(DIR), []);
      assert.equal(fs.openFdCount, 0);
      fs.faults.tornWriteAfterBytes = 10;
      fs.faults.failFsync = false;
      await assert.rejects(written(fs), /cannot write snapshot .*torn write/);
      assert.deepEqual(fs.readdirSync(DIR), []);
    });

    it('leftovers of a crash (.part, Kafka .part and .deleted) are never listed and are deleted on request', async () => {
      const fs = await written();
      const full = fs.bytes(FILE);
      const leftovers = [
        '00000000000000002000-0000000006.checkpoint.part',
        '00000000000000002000-0000000006-123456789.checkpoint.part',
        '00000000000000000500-0000000002.checkpoint.deleted',
      ];
      for (const name of leftovers) fs.put(`${DIR}/${name}`, full.subarray(0, 50));
      fs.put(`${DIR}/00000000000000000000.log`, '');
      assert.deepEqual(listSnapshots(fs, DIR), [ID]);
      assert.deepEqual(latestSnapshot(fs, DIR), ID);
      assert.throws(() => readSnapshot(fs, DIR, { offset: 2000, epoch: 6 }), SnapshotNotFoundError);
      assert.deepEqual(listSnapshots(fs, DIR, { deleteLeftovers: true }), [ID]);
      assert.deepEqual(fs.readdirSync(DIR), ['00000000000000000000.log', '00000000000000001234-0000000005.checkpoint']);
      // a new write of the id a crash left a .part for replaces that .part
      fs.put(`${DIR}/00000000000000002000-0000000006.checkpoint.part`, Buffer.alloc(5000, 7));
      await written(fs, { offset: 2000, epoch: 6 });
      assert.equal(readSnapshot(fs, DIR, { offset: 2000, epoch: 6 }).batchCount, 3);
    });
  });

  describe('corrupt files', () => {
    async function corrupted(change: (fs: MemoryFileSystem, bytes: Buffer) => void): Promise<() => unknown> {
      const fs = await written();
      change(fs, fs.bytes(FILE));
      return () => readSnapshot(fs, DIR, ID);
    }
    const corrupt = (why: RegExp) => (err: unknown) =>
      err instanceof CorruptSnapshotError && err.message.startsWith(`snapshot file ${FILE} is corrupt: `) && why.test(err.message);

    it('a flipped bit is a CRC mismatch at its batch', async () => {
      const first = batchesOf((await written()).bytes(FILE))[0]!.sizeInBytes;
      assert.throws(
        await corrupted((fs) => fs.poke(FILE, first + 70, Buffer.from([0xee]))),
        corrupt(new RegExp(`batch at byte ${first}: batch CRC mismatch`)),
      );
    });

    it('a truncated file, a missing footer, a missing header, an empty file', async () => {
      assert.throws(
        await corrupted((fs, b) => fs.setLength(FILE, b.length - 3)),
        corrupt(/truncated: the batch at byte \d+ needs \d+ bytes, \d+ remain/),
      );
      const footerPos = (b: Buffer) => b.length - batchesOf(b).at(-1)!.sizeInBytes;
      assert.throws(await corrupted((fs, b) => fs.setLength(FILE, footerPos(b))), corrupt(/last batch is not a control batch/));
      assert.throws(
        await corrupted((fs, b) => {
          const headerSize = batchesOf(b)[0]!.sizeInBytes;
          const rest = Buffer.from(b.subarray(headerSize));
          // renumber from 0 so only the missing header is wrong
          for (let pos = 0, next = 0n; pos < rest.length; ) {
            const d = decodeRecordBatchSync(rest, pos);
            rest.writeBigInt64BE(next, pos + Off.BaseOffset);
            next += BigInt(d.lastOffsetDelta) + 1n;
            pos += d.sizeInBytes;
          }
          fs.put(FILE, rest);
        }),
        corrupt(/first batch is not a control batch/),
      );
      assert.throws(await corrupted((fs) => fs.put(FILE, Buffer.alloc(0))), corrupt(/0 batch\(es\)/));
    });

    it('an offset out of sequence (BaseOffset is not covered by the CRC)', async () => {
      const first = batchesOf((await written()).bytes(FILE))[0]!.sizeInBytes;
      const bad = Buffer.alloc(8);
      bad.writeBigInt64BE(9n);
      assert.throws(
        await corrupted((fs) => fs.poke(FILE, first, bad)),
        corrupt(new RegExp(`batch at byte ${first} has base offset 9, expected 1`)),
      );
    });

    it('a missing snapshot is SnapshotNotFoundError', () => {
      const fs = new MemoryFileSystem();
      assert.throws(() => readSnapshot(fs, DIR, ID), SnapshotNotFoundError);
      assert.throws(() => snapshotSize(fs, DIR, ID), SnapshotNotFoundError);
      assert.throws(() => readSnapshotBytes(fs, DIR, ID, 0, 10), SnapshotNotFoundError);
      assert.deepEqual(listSnapshots(fs, DIR), []);
      assert.equal(latestSnapshot(fs, DIR), null);
    });
  });

  describe('byte reads (FetchSnapshot) and chunked install', () => {
    it('chunks of MaxBytes from Position reassemble the file', async () => {
      const fs = await written();
      const whole = fs.bytes(FILE);
      const size = snapshotSize(fs, DIR, ID);
      assert.equal(size, whole.length);
      for (const maxBytes of [1, 37, 100, size, size * 2]) {
        const chunks: Buffer[] = [];
        for (let pos = 0; pos < size; ) {
          const chunk = readSnapshotBytes(fs, DIR, ID, pos, maxBytes);
          assert.equal(chunk.length, Math.min(maxBytes, size - pos));
          chunks.push(chunk);
          pos += chunk.length;
        }
        assert.deepEqual(Buffer.concat(chunks), whole);
      }
      assert.equal(fs.openFdCount, 0);
    });

    it('a position outside [0, size) is out of range (POSITION_OUT_OF_RANGE)', async () => {
      const fs = await written();
      const size = snapshotSize(fs, DIR, ID);
      assert.throws(() => readSnapshotBytes(fs, DIR, ID, size, 10), SnapshotPositionOutOfRangeError);
      assert.throws(() => readSnapshotBytes(fs, DIR, ID, -1, 10), SnapshotPositionOutOfRangeError);
      assert.equal(readSnapshotBytes(fs, DIR, ID, size - 1, 10).length, 1);
      assert.equal(fs.openFdCount, 0);
    });

    it('a follower installs the chunks with SnapshotWriter; a corrupt transfer is refused and leaves nothing', async () => {
      const leader = await written();
      const size = snapshotSize(leader, DIR, ID);
      const follower = new MemoryFileSystem();
      const writer = SnapshotWriter.create(follower, DIR, ID);
      for (let pos = 0; pos < size; pos += 64) writer.append(readSnapshotBytes(leader, DIR, ID, pos, 64));
      assert.equal(writer.sizeInBytes, size);
      assert.deepEqual(follower.readdirSync(DIR), ['00000000000000001234-0000000005.checkpoint.part']);
      assert.deepEqual(await writer.freeze(), ID);
      assert.deepEqual(follower.bytes(FILE), leader.bytes(FILE));

      const other = new MemoryFileSystem();
      const broken = SnapshotWriter.create(other, DIR, ID);
      broken.append(readSnapshotBytes(leader, DIR, ID, 0, size - 1));
      await assert.rejects(broken.freeze(), CorruptSnapshotError);
      assert.deepEqual(other.readdirSync(DIR), []);
      const aborted = SnapshotWriter.create(other, DIR, ID);
      aborted.append(Buffer.from('partial'));
      aborted.abort();
      assert.deepEqual(other.readdirSync(DIR), []);
    });
  });

  it('lists oldest first; deleteSnapshotsBefore removes the older ones', async () => {
    const fs = new MemoryFileSystem();
    const ids = [
      { offset: 300, epoch: 3 },
      { offset: 100, epoch: 1 },
      { offset: 300, epoch: 2 },
      { offset: 2000, epoch: 3 },
    ];
    for (const id of ids) await written(fs, id);
    const sorted = [ids[1]!, ids[2]!, ids[0]!, ids[3]!];
    assert.deepEqual(listSnapshots(fs, DIR), sorted);
    assert.deepEqual(latestSnapshot(fs, DIR), ids[3]);
    assert.deepEqual(deleteSnapshotsBefore(fs, DIR, { offset: 300, epoch: 3 }), [ids[1], ids[2]]);
    assert.deepEqual(listSnapshots(fs, DIR), [ids[0], ids[3]]);
    assert.deepEqual(deleteSnapshotsBefore(fs, DIR, { offset: 300, epoch: 3 }), []);
  });
});
