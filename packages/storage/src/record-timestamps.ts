// Finds, inside one stored batch, the first record whose timestamp is >= a target, without a full
// record decoder. Record v2 layout (after the 61-byte batch header; compressed batches are decompressed first):
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | key ... | value ... | headers ...
// (varints are zigzag-encoded). Record timestamp = BaseTimestamp + timestampDelta; offset = BaseOffset + offsetDelta.
import { Attr, Off, BATCH_HEADER_SIZE, decompress } from '@tributary/protocol';
import { readInt64 } from './log-segment.ts';

/** Reads a zigzag varint/varlong at `pos`; returns [value, nextPos] or null if malformed. */
function readZigzag(buf: Buffer, pos: number, end: number): [number, number] | null {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return null;
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      const v = result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      return [v, pos];
    }
    mul *= 128;
  }
  return null;
}

/**
 * The first record with timestamp >= `target` and offset >= `minOffset` (the log start offset) in
 * the batch at `pos`, or null when the batch has none (as Kafka's LogSegment.findOffsetByTimestamp,
 * which then moves on to the next batch). Records are read by their offset deltas, so a batch the
 * log cleaner rewrote (gaps between its offsets) answers the offset of a record it still holds.
 * LogAppendTime batches: every record carries MaxTimestamp. Compressed batches are decompressed.
 * A record that does not parse ends the search at batch granularity (the batch's first offset at or
 * after `minOffset`, and its MaxTimestamp).
 */
export async function firstRecordAtOrAfter(
  buf: Buffer,
  pos: number,
  size: number,
  target: number,
  minOffset = 0,
): Promise<{ offset: number; timestamp: number } | null> {
  const baseOffset = readInt64(buf, pos + Off.BaseOffset);
  const attrs = buf.readInt16BE(pos + Off.Attributes);
  const maxTs = readInt64(buf, pos + Off.MaxTimestamp);
  const lastOffset = baseOffset + buf.readInt32BE(pos + Off.LastOffsetDelta);
  if (maxTs < target || lastOffset < minOffset) return null;
  const coarse = { offset: Math.max(baseOffset, minOffset), timestamp: maxTs };
  const logAppendTime = (attrs & Attr.TimestampTypeLogAppend) !== 0;
  const baseTs = readInt64(buf, pos + Off.BaseTimestamp);
  const count = buf.readInt32BE(pos + Off.RecordsCount);
  let records = buf;
  let p = pos + BATCH_HEADER_SIZE;
  let end = pos + size;
  const codec = attrs & Attr.CompressionMask;
  if (codec !== 0) {
    try {
      records = await decompress(codec, buf.subarray(p, end));
    } catch {
      return coarse;
    }
    p = 0;
    end = records.length;
  }
  for (let i = 0; i < count; i++) {
    const len = readZigzag(records, p, end);
    if (!len) return coarse;
    const recEnd = len[1] + len[0];
    const tsd = readZigzag(records, len[1] + 1, end);
    if (!tsd) return coarse;
    const od = readZigzag(records, tsd[1], end);
    if (!od) return coarse;
    const ts = logAppendTime ? maxTs : baseTs + tsd[0];
    const offset = baseOffset + od[0];
    if (ts >= target && offset >= minOffset) return { offset, timestamp: ts };
    p = recEnd;
  }
  return null;
}
