// Metadata record values as they sit in `__cluster_metadata` (Kafka's MetadataRecordSerde, built on
// server-common's AbstractApiMessageSerde):
//
//   frameVersion  uvarint  always 1 (0 was KRaft's 2.8 preview and is refused, as Kafka refuses it)
//   apiKey        uvarint  the record type (metadata-record.ts)
//   version       uvarint  the record's version
//   body          the record at that version, in the flexible encoding (tagged fields last)
//
// Nothing may follow the body. Decoding errors are MetadataParseError (Kafka's
// MetadataParseException), with Kafka's messages.
//
// Records travel as the values of records with a null key and no headers in ordinary v2 batches,
// as Kafka's raft BatchBuilder writes them: CreateTime, BaseTimestamp = MaxTimestamp = the append
// time, every timestampDelta 0, no producer id, PartitionLeaderEpoch = the quorum epoch.
import { DecodeError, Reader, Writer, batchSizeAt, decodeRecordBatchSync, encodeRecordBatchSync } from '@tributary/protocol';
import {
  RECORD_CODECS,
  RECORD_TYPE_BY_API_KEY,
  type MetadataRecord,
  type MetadataRecordType,
  type MetadataRecordTypes,
} from './metadata-record.ts';

export const FRAME_VERSION = 1;

export class MetadataParseError extends Error {
  override name = 'MetadataParseError';
}

/** The value bytes of one metadata record, at the version Tributary writes for its type (and content: metadata-record.ts). */
export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const codec = RECORD_CODECS[record.type] as { apiKey: number; version: number; writtenVersion?: (x: unknown) => number };
  const version = codec.writtenVersion?.(record.data) ?? codec.version;
  const w = new Writer(64);
  w.writeUVarint(FRAME_VERSION);
  w.writeUVarint(codec.apiKey);
  w.writeUVarint(version);
  encodeBody(w, record, version);
  return Buffer.from(w.finish());
}

function encodeBody<K extends MetadataRecordType>(w: Writer, record: { type: K; data: MetadataRecordTypes[K] }, version: number): void {
  RECORD_CODECS[record.type].encode(w, version, record.data);
}

function readShort(r: Reader, entity: string): number {
  let v: number;
  try {
    v = r.readUVarint();
  } catch (err) {
    throw new MetadataParseError(`Error while reading ${entity}`, { cause: err });
  }
  if (v > 0x7fff) throw new MetadataParseError(`Value for ${entity} was too large.`);
  return v;
}

/** One metadata record from its value bytes. */
export function decodeMetadataRecord(value: Buffer): MetadataRecord {
  const r = new Reader(value);
  const frameVersion = readShort(r, 'frame version');
  if (frameVersion === 0) {
    throw new MetadataParseError(
      'Could not deserialize metadata record with frame version 0. Note that upgrades from the preview release of KRaft in 2.8 to newer versions are not supported.',
    );
  }
  if (frameVersion !== FRAME_VERSION) {
    throw new MetadataParseError(
      `Could not deserialize metadata record due to unknown frame version ${frameVersion}(only frame version ${FRAME_VERSION} is supported)`,
    );
  }
  const apiKey = readShort(r, 'type');
  const version = readShort(r, 'version');
  const type = RECORD_TYPE_BY_API_KEY.get(apiKey);
  if (type === undefined) throw new MetadataParseError(`Unknown metadata id ${apiKey}`);
  const codec = RECORD_CODECS[type];
  if (version > codec.maxVersion)
    throw new MetadataParseError(`Failed to deserialize record with type ${apiKey}: unsupported version ${version}`);
  let data: MetadataRecordTypes[typeof type];
  try {
    data = codec.decode(r, version);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    throw new MetadataParseError(`Failed to deserialize record with type ${apiKey}`, { cause: err });
  }
  if (r.remaining > 0) throw new MetadataParseError(`Found ${r.remaining} byte(s) of garbage after ${apiKey}`);
  return { type, data } as MetadataRecord;
}

// ---- batches ----

export interface MetadataBatchInput {
  records: readonly MetadataRecord[];
  /** The quorum (leader) epoch, written as PartitionLeaderEpoch. */
  leaderEpoch: number;
  /** BaseTimestamp and MaxTimestamp. */
  appendTimeMs: number;
  /** Default 0 (the log assigns offsets on append). */
  baseOffset?: number;
}

/** One uncompressed v2 batch holding the records, as Kafka's raft BatchBuilder lays it out. */
export function encodeMetadataBatch(input: MetadataBatchInput): Buffer {
  if (input.records.length === 0) throw new Error('a metadata batch needs at least one record');
  const ts = BigInt(input.appendTimeMs);
  return encodeRecordBatchSync({
    records: input.records.map((rec) => ({ key: null, value: encodeMetadataRecord(rec), timestamp: ts })),
    baseOffset: BigInt(input.baseOffset ?? 0),
    partitionLeaderEpoch: input.leaderEpoch,
    baseTimestamp: ts,
    maxTimestamp: ts,
  });
}

/** A decoded batch of `__cluster_metadata`. */
export interface MetadataBatch {
  baseOffset: number;
  lastOffset: number;
  leaderEpoch: number;
  appendTimeMs: number;
  /** Control batches (the Raft layer's LeaderChange, snapshot markers) carry no metadata records. */
  isControl: boolean;
  records: Array<{ offset: number; record: MetadataRecord }>;
}

/** Every whole batch in `buf` (a partial trailing batch is ignored); the CRC is checked. */
export function decodeMetadataBatches(buf: Buffer): MetadataBatch[] {
  const out: MetadataBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const size = batchSizeAt(buf, pos);
    if (size < 0 || pos + size > buf.length) break;
    const b = decodeRecordBatchSync(buf, pos);
    const base = Number(b.baseOffset);
    const records: MetadataBatch['records'] = [];
    if (!b.isControl) {
      for (const r of b.records) {
        if (r.value === null) throw new MetadataParseError(`metadata record at offset ${r.offset} has a null value`);
        records.push({ offset: Number(r.offset), record: decodeMetadataRecord(r.value) });
      }
    }
    out.push({
      baseOffset: base,
      lastOffset: base + b.lastOffsetDelta,
      leaderEpoch: b.partitionLeaderEpoch,
      appendTimeMs: Number(b.maxTimestamp),
      isControl: b.isControl,
      records,
    });
    pos += size;
  }
  return out;
}
