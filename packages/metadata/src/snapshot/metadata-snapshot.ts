// A MetadataImage as a KRaft snapshot and back (Kafka's SnapshotGenerator writing
// MetadataImage.write through a RecordsSnapshotWriter, and MetadataLoader loading a snapshot into
// an empty image).
//
//   writing: imageRecords(image) (features with metadata.version first, brokers, topics with their
//            partitions, configs, producer ids) -> metadata batches of up to 1000 records each
//            (uncompressed, record-serde's framing) -> @tributary/raft's snapshot file, whose id is
//            the image's provenance: EndOffset = lastOffset + 1, Epoch = lastEpoch
//   reading: the snapshot's data batches -> records replayed on the empty image; the provenance is
//            the snapshot id's: lastOffset = EndOffset - 1, lastEpoch = Epoch
//
// The round trip gives an image equal to the one written. Control batches among the data batches
// carry no metadata records and are skipped.
import type { FileSystem } from '@tributary/storage';
import { readSnapshot, writeSnapshot, type SnapshotId } from '@tributary/raft';
import { applyRecords } from '../image/metadata-delta.ts';
import { imageRecords } from '../image/image-records.ts';
import { MetadataImage } from '../image/metadata-image.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { decodeMetadataBatches, encodeMetadataBatch } from '../records/record-serde.ts';

/** Records per data batch of a snapshot. */
export const SNAPSHOT_RECORDS_PER_BATCH = 1000;

/** The snapshot id an image is written under: the log offset after its last record, and that record's epoch. */
export function snapshotIdOf(image: MetadataImage): SnapshotId {
  const { lastOffset, lastEpoch } = image.provenance;
  if (lastOffset < 0 || lastEpoch < 0) throw new Error(`an image at offset ${lastOffset}, epoch ${lastEpoch} has no snapshot id`);
  return { offset: lastOffset + 1, epoch: lastEpoch };
}

/** The image's records as snapshot data batches (the snapshot file restamps their offsets and epochs). */
export function snapshotBatchesOf(image: MetadataImage, appendTimeMs: number, recordsPerBatch = SNAPSHOT_RECORDS_PER_BATCH): Buffer[] {
  const records = imageRecords(image);
  const out: Buffer[] = [];
  const leaderEpoch = Math.max(0, image.provenance.lastEpoch);
  for (let i = 0; i < records.length; i += recordsPerBatch) {
    out.push(encodeMetadataBatch({ records: records.slice(i, i + recordsPerBatch), leaderEpoch, appendTimeMs }));
  }
  return out;
}

/** The image a snapshot's data batches rebuild, at the snapshot id's provenance. */
export function imageFromSnapshot(batches: Buffer, snapshotId: SnapshotId): MetadataImage {
  const records: MetadataRecord[] = [];
  for (const batch of decodeMetadataBatches(batches)) for (const r of batch.records) records.push(r.record);
  return applyRecords(MetadataImage.EMPTY, records, { lastOffset: snapshotId.offset - 1, lastEpoch: snapshotId.epoch }).image;
}

export interface WriteImageSnapshotOptions {
  /** The append time of the image's last record (SnapshotHeaderRecord.LastContainedLogTimestamp). */
  lastContainedLogTimestamp: number;
  /** The batches' timestamps (default: the wall clock). */
  timestampMs?: number;
}

/** Writes `image` as the snapshot `snapshotIdOf(image)` in the metadata log dir `dir`. */
export function writeImageSnapshot(
  fs: FileSystem,
  dir: string,
  image: MetadataImage,
  options: WriteImageSnapshotOptions,
): Promise<SnapshotId> {
  const id = snapshotIdOf(image);
  const timestampMs = options.timestampMs ?? Date.now();
  return writeSnapshot(fs, dir, {
    endOffset: id.offset,
    epoch: id.epoch,
    lastContainedLogTimestamp: options.lastContainedLogTimestamp,
    batches: snapshotBatchesOf(image, timestampMs),
    timestampMs,
  });
}

/** Reads the snapshot `snapshotId` from `dir` (checked) and rebuilds its image. */
export function readImageSnapshot(fs: FileSystem, dir: string, snapshotId: SnapshotId): MetadataImage {
  return imageFromSnapshot(readSnapshot(fs, dir, snapshotId).batches, snapshotId);
}
