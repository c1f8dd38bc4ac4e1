// The cleaner's first pass (Kafka's buildOffsetMap): walks the dirty section [start, end) of a log
// in offset order and records each key's latest offset in the offset map.
//
// Batches of aborted transactions (transaction-cleaning.ts, from the segments' .txnindex) and
// control batches never enter the map; keyless records neither. A record below `start` (the
// dirty section may start inside a segment) is skipped. After each batch reaching `start` the
// map's latestOffset is the batch's last offset, and after a whole segment the offset before the
// next segment (gaps left by earlier cleans are covered).
//
// When the map refuses a new key (full) the pass stops right there, as Kafka does: latestOffset
// is then the last offset put, so the clean covers [start, latestOffset] and the rest of the
// dirty section waits for the next run. The map always takes at least one key, so every run
// makes progress.
import { Attr, BATCH_HEADER_SIZE, Off } from '@tributary/protocol';
import { readInt64, type LogSegment } from '../log-segment.ts';
import type { PartitionLog } from '../partition-log.ts';
import type { JobGuard } from './job-guard.ts';
import type { SkimpyOffsetMap } from './offset-map.ts';
import { controlTypeOf } from './record-filter.ts';
import { walkRecords } from './record-walker.ts';
import { decodedChunks } from './segment-reader.ts';
import { CleanedTransactionMetadata } from './transaction-cleaning.ts';

/** Offset-map bytes zeroed per pacer step. */
const CLEAR_SLICE_BYTES = 4 * 1024 * 1024;

export interface MapStats {
  /** Records (and control batches) read, and bytes. */
  messages: number;
  bytes: number;
}

/** The closed segments holding offsets in [from, to), oldest first. */
export function segmentsHolding(log: PartitionLog, from: number, to: number): LogSegment[] {
  const segs = log.segments;
  const out: LogSegment[] = [];
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    if (seg.baseOffset >= to) break;
    if (segs[i + 1]!.baseOffset <= from) continue;
    out.push(seg);
  }
  return out;
}

/** Fills `map` (cleared first) from [start, end) (see the header). Returns true when the map filled up before `end`. */
export async function buildOffsetMap(
  log: PartitionLog,
  start: number,
  end: number,
  map: SkimpyOffsetMap,
  guard: JobGuard,
  stats: MapStats,
): Promise<boolean> {
  await map.clearInSlices(CLEAR_SLICE_BYTES, () => guard.step(0, 0));
  const dirty = segmentsHolding(log, start, end);
  const txn = new CleanedTransactionMetadata();
  txn.addAbortedTransactions(log.collectAbortedTransactions(start, end));
  for (let i = 0; i < dirty.length; i++) {
    const next = dirty[i + 1]?.baseOffset ?? end;
    if (await mapSegment(log, dirty[i]!, start, end, next, map, txn, guard, stats)) return true;
  }
  return false;
}

async function mapSegment(
  log: PartitionLog,
  seg: LogSegment,
  start: number,
  end: number,
  nextSegmentStart: number,
  map: SkimpyOffsetMap,
  txn: CleanedTransactionMetadata,
  guard: JobGuard,
  stats: MapStats,
): Promise<boolean> {
  guard.check(seg);
  log.ensureSegmentLoaded(seg);
  const from = start > seg.baseOffset ? seg.offsetIndex.lookupOffset(start).position : 0;
  for await (const { chunk, decompressed } of decodedChunks(log.ctx, seg, from, guard)) {
    const { buf, batches } = chunk;
    let full = false;
    let past = false;
    for (let i = 0; i < batches.length && !full && !past; i += 2) {
      const pos = batches[i]!;
      const size = batches[i + 1]!;
      const baseOffset = readInt64(buf, pos + Off.BaseOffset);
      if (baseOffset >= end) {
        past = true;
        break;
      }
      const lastOffset = baseOffset + buf.readInt32BE(pos + Off.LastOffsetDelta);
      const attrs = buf.readInt16BE(pos + Off.Attributes);
      const count = buf.readInt32BE(pos + Off.RecordsCount);
      const producerId = buf.readInt32BE(pos + Off.ProducerId) >= 0 ? buf.readBigInt64BE(pos + Off.ProducerId) : -1n;
      const recs = decompressed[i / 2] ?? buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
      if ((attrs & Attr.Control) !== 0) {
        txn.onControlBatchRead(producerId, lastOffset, controlTypeOf(recs, count));
        stats.messages++;
      } else if (txn.onBatchRead(producerId, lastOffset, (attrs & Attr.Transactional) !== 0)) {
        stats.messages += count;
      } else if (lastOffset >= start) {
        walkRecords(recs, 0, recs.length, count, (r) => {
          const offset = baseOffset + r.offsetDelta;
          if (r.keyLength >= 0 && offset >= start && !map.put(recs.subarray(r.keyStart, r.keyStart + r.keyLength), offset)) {
            full = true;
            return false;
          }
          stats.messages++;
          return true;
        });
      } else {
        stats.messages += count;
      }
      if (!full && lastOffset >= start) map.updateLatestOffset(lastOffset);
    }
    stats.bytes += chunk.bytes;
    await guard.step(chunk.bytes, 0, seg);
    if (full) return true;
    if (past) break;
  }
  map.updateLatestOffset(nextSegmentStart - 1);
  return false;
}
