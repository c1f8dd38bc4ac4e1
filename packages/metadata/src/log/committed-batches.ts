// committedBatches: the metadata batches of a DiskRaftLog from `fromOffset` up to (not including)
// `toOffset`, decoded (control batches included, without records): what a controller replays.
// Shared by the lone voter's log and the quorum's, which differ only in where `toOffset` is (the
// log end; the high watermark). `onBytes` sees the size of every batch read.
import type { DiskRaftLog } from '@tributary/raft';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { decodeMetadataBatches, type MetadataBatch } from '../records/record-serde.ts';

export function* committedBatches(
  disk: DiskRaftLog<readonly MetadataRecord[]>,
  fromOffset: number,
  toOffset: number,
  onBytes?: (bytes: number) => void,
): Generator<MetadataBatch> {
  for (const raw of disk.batches(fromOffset, toOffset)) {
    onBytes?.(raw.bytes.length);
    for (const b of decodeMetadataBatches(raw.bytes)) if (b.lastOffset >= fromOffset) yield b;
  }
}
