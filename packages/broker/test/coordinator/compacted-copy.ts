// For the coordinator load tests: writes into an empty PartitionLog what Kafka's log cleaner leaves
// of a coordinator's log, as a test oracle (a few obvious rules over decoded batches, not the
// cleaner): below the first open transaction and before the last batch (the active segment), the
// latest record of each key stays, aborted transactions' records go, and with `horizonPassed`
// tombstones and the markers of transactions without data left go too; each batch keeps its
// base offset, last offset delta, producer fields and codec with fewer records (offset gaps), a
// producer's last batch stays as an empty batch (record count 0) when nothing of it is left, other
// emptied batches go. The copy is appended as a follower would (offsets kept, gaps allowed).
// Also `batchesOf`, every batch of a log, and `appendBatch`, a hand-built batch at a given offset.
import {
  decodeRecordBatches,
  encodeRecordBatch,
  endTxnMarkerOf,
  ControlRecordType,
  type DecodedBatch,
  type RecordInput,
} from '@tributary/protocol';
import type { PartitionLog } from '@tributary/storage';

export async function batchesOf(log: PartitionLog): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  for (let at = log.logStartOffset; at < log.logEndOffset; ) {
    const read = await decodeRecordBatches(log.read(at, 1 << 20).records);
    if (read.length === 0) break;
    out.push(...read);
    at = Number(read.at(-1)!.baseOffset) + read.at(-1)!.lastOffsetDelta + 1;
  }
  return out;
}

/** Re-encodes `b` with only `records` (their offset deltas and timestamps kept). */
function rebuilt(b: DecodedBatch, records: RecordInput[]): Promise<Buffer> {
  return encodeRecordBatch({
    records,
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    compression: b.compression,
    timestampType: b.timestampType,
    isTransactional: b.isTransactional,
    isControl: b.isControl,
    baseTimestamp: b.baseTimestamp,
    maxTimestamp: b.maxTimestamp,
    lastOffsetDelta: b.lastOffsetDelta,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
  });
}

const asInput = (r: DecodedBatch['records'][number]): RecordInput => ({
  key: r.key,
  value: r.value,
  headers: r.headers,
  timestamp: r.timestamp,
  offsetDelta: r.offsetDelta,
});

export async function compactedCopy(source: PartitionLog, target: PartitionLog, opts: { horizonPassed: boolean }): Promise<void> {
  const batches = await batchesOf(source);
  // each transactional batch's outcome: the next marker of its producer
  const outcome = new Map<DecodedBatch, 'commit' | 'abort' | 'open'>();
  const open = new Map<bigint, DecodedBatch[]>();
  for (const b of batches) {
    if (b.isControl) {
      const m = endTxnMarkerOf(b);
      for (const t of open.get(b.producerId) ?? []) outcome.set(t, m?.type === ControlRecordType.Commit ? 'commit' : 'abort');
      open.delete(b.producerId);
    } else if (b.isTransactional) {
      open.set(b.producerId, [...(open.get(b.producerId) ?? []), b]);
    }
  }
  for (const list of open.values()) for (const t of list) outcome.set(t, 'open');
  const firstOpen = batches.findIndex((b) => outcome.get(b) === 'open');
  const cleanable = batches.slice(0, firstOpen < 0 ? batches.length - 1 : Math.min(firstOpen, batches.length - 1));

  const latest = new Map<string, bigint>();
  for (const b of cleanable) {
    if (b.isControl || outcome.get(b) === 'abort') continue;
    for (const r of b.records) latest.set(r.key!.toString('hex'), r.offset);
  }
  const keep = (b: DecodedBatch) =>
    outcome.get(b) === 'abort'
      ? []
      : b.records.filter((r) => latest.get(r.key!.toString('hex')) === r.offset && !(opts.horizonPassed && r.value === null));
  const kept = cleanable.map((b) => (b.isControl ? b.records : keep(b)));
  // a producer's last batch is kept even when emptied (its sequence and epoch stay known)
  const lastOfProducer = new Map<bigint, DecodedBatch>();
  for (const b of cleanable) if (b.producerId >= 0n && !b.isControl) lastOfProducer.set(b.producerId, b);
  // markers of transactions with no data left go once the horizon has passed
  const dataLeft = new Set<bigint>();
  cleanable.forEach((b, i) => {
    if (b.isTransactional && !b.isControl && kept[i]!.length > 0) dataLeft.add(b.producerId);
  });

  for (let i = 0; i < cleanable.length; i++) {
    const b = cleanable[i]!;
    const records = kept[i]!;
    if (b.isControl) {
      if (opts.horizonPassed && !dataLeft.has(b.producerId)) continue;
    } else if (records.length === 0 && lastOfProducer.get(b.producerId) !== b) continue;
    target.appendAsFollower(await rebuilt(b, records.map(asInput)));
  }
  for (const b of batches.slice(cleanable.length)) target.appendAsFollower(await rebuilt(b, b.records.map(asInput)));
}

/** Appends one hand-built batch at `baseOffset` (a follower's append: offsets as given, gaps allowed). */
export async function appendBatch(
  log: PartitionLog,
  baseOffset: number,
  records: Array<{ key: Buffer; value: Buffer | null; offsetDelta: number }>,
  o: {
    lastOffsetDelta?: number;
    compression?: number;
    producerId?: bigint;
    producerEpoch?: number;
    isTransactional?: boolean;
    isControl?: boolean;
  } = {},
): Promise<void> {
  log.appendAsFollower(
    await encodeRecordBatch({
      records: records.map((r) => ({ ...r, timestamp: 1_700_000_000_000 })),
      baseOffset: BigInt(baseOffset),
      partitionLeaderEpoch: 0,
      baseTimestamp: 1_700_000_000_000n,
      lastOffsetDelta: o.lastOffsetDelta,
      compression: o.compression,
      producerId: o.producerId,
      producerEpoch: o.producerEpoch,
      baseSequence: o.producerId !== undefined ? 0 : -1,
      isTransactional: o.isTransactional,
      isControl: o.isControl,
    }),
  );
}
