// Which segments the cleaner rewrites into one (Kafka's groupSegmentsBySize): consecutive segments
// whose log bytes total at most segment.bytes, whose offset index bytes and time index bytes each
// total at most segment.index.bytes, and whose offsets stay within an int32 of the group's base
// (the index's relative offsets). The last offset of a segment is estimated by the next one's
// base minus one (firstUncleanableOffset - 1 for the last), and an empty segment always joins.
// So small segments left by earlier cleans merge and the log's segment count stays bounded.
import type { LogSegment } from '../log-segment.ts';

const INT32_MAX = 2147483647;

export function groupSegmentsBySize(
  segments: readonly LogSegment[],
  maxSize: number,
  maxIndexSize: number,
  firstUncleanableOffset: number,
): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < segments.length) {
    const first = segments[i]!;
    const group = [first];
    let logSize = first.size;
    let indexSize = first.offsetIndex.sizeBytes;
    let timeIndexSize = first.timeIndex.sizeBytes;
    i++;
    while (i < segments.length) {
      const seg = segments[i]!;
      const lastOffset = i + 1 < segments.length ? segments[i + 1]!.baseOffset - 1 : firstUncleanableOffset - 1;
      if (
        logSize + seg.size > maxSize ||
        indexSize + seg.offsetIndex.sizeBytes > maxIndexSize ||
        timeIndexSize + seg.timeIndex.sizeBytes > maxIndexSize ||
        (seg.size > 0 && lastOffset - first.baseOffset > INT32_MAX)
      )
        break;
      group.push(seg);
      logSize += seg.size;
      indexSize += seg.offsetIndex.sizeBytes;
      timeIndexSize += seg.timeIndex.sizeBytes;
      i++;
    }
    groups.push(group);
  }
  return groups;
}
