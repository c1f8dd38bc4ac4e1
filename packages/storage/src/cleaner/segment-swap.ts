// Swapping a cleaned segment into a log crash-safely, and finishing or undoing an interrupted swap
// when the log is loaded (Kafka's LocalLog.replaceSegments and LogLoader's swap recovery).
//
// The cleaner writes `<base>.log.cleaned` (+ .index.cleaned, .timeindex.cleaned, .txnindex.cleaned)
// and fsyncs them. Then swapSegmentFiles:
//   1. renames every `.cleaned` file to `.swap` (log first), fsyncs the directory;
//   2. deletes the replaced segments' files, fsyncs the directory;
//   3. renames every `.swap` file to its final name (log first), fsyncs the directory.
// What the loader finds after a crash, and does (recoverInterruptedSwaps):
//   - `.cleaned` files: deleted. A `.swap` file with a `.cleaned` file of the same base offset is
//     from step 1 cut short, the old segments untouched: deleted too. (Kafka deletes the .swap
//     files at or above the smallest .cleaned offset, a rule made for segment splits, which
//     Tributary does not have; same-base is exact here and never drops a swap already in step 2.)
//   - A `<base>.log.swap` left: step 1 completed, so the swap is completed: every segment file
//     (.log, .index, .timeindex, .txnindex) whose base offset lies in [base, next offset of the
//     swap log) is deleted, then the `.swap` files are renamed. The cleaner keeps the last batch
//     of every group it cleans (empty if need be, cleaner.ts), so that range covers every segment
//     the swap replaced, and no other.
//   - Only index `.swap` files left (step 3 renamed the log): renamed.
// So a crash at any point leaves the old segments or the cleaned one, never both, never neither.
import { LOG_OVERHEAD, Off } from '@tributary/protocol';
import { readFully, type FileSystem } from '../fs.ts';
import { readInt64, type LogSegment } from '../log-segment.ts';

export const CLEANED_FILE_SUFFIX = '.cleaned';
export const SWAP_FILE_SUFFIX = '.swap';

/** Steps 1-3 of the header. Throws on I/O errors (the caller takes the log offline). */
export function swapSegmentFiles(fs: FileSystem, dir: string, cleaned: LogSegment, old: readonly LogSegment[]): void {
  cleaned.changeFileSuffixes(CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX);
  fs.fsyncDirSync(dir);
  for (const seg of old) seg.deleteFiles();
  fs.fsyncDirSync(dir);
  cleaned.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
  fs.fsyncDirSync(dir);
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex|txnindex)$/;
const OFFSET_PREFIX = /^(\d{20})\./;

function baseOf(name: string): number {
  const m = OFFSET_PREFIX.exec(name);
  return m ? Number(m[1]) : -1;
}

/** The offset after the last whole batch of the log file at `path` (`base` when it has none). */
export function nextOffsetOfLogFile(fs: FileSystem, path: string, base: number): number {
  const fd = fs.openSync(path, false);
  try {
    const header = Buffer.allocUnsafe(Off.LastOffsetDelta + 4);
    let next = base;
    let pos = 0;
    for (;;) {
      if (readFully(fs, fd, header, 0, header.length, pos) < header.length) return next;
      const size = header.readInt32BE(Off.BatchLength) + LOG_OVERHEAD;
      if (size < header.length) return next;
      next = readInt64(header, Off.BaseOffset) + header.readInt32BE(Off.LastOffsetDelta) + 1;
      pos += size;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The loader's part (see the header): given the names in a log directory, deletes `.cleaned`
 * files and unfinished swaps, completes finished ones. Returns whether anything changed (the
 * caller then lists the directory again).
 */
export function recoverInterruptedSwaps(fs: FileSystem, dir: string, names: readonly string[]): boolean {
  const cleaned = names.filter((n) => n.endsWith(CLEANED_FILE_SUFFIX));
  const swaps = names.filter((n) => n.endsWith(SWAP_FILE_SUFFIX));
  if (cleaned.length === 0 && swaps.length === 0) return false;
  const cleanedBases = new Set(cleaned.map(baseOf));
  for (const n of cleaned) fs.unlinkSync(`${dir}/${n}`);
  const valid: string[] = [];
  for (const n of swaps) {
    if (cleanedBases.has(baseOf(n))) fs.unlinkSync(`${dir}/${n}`);
    else valid.push(n);
  }
  const ranges: Array<[number, number]> = [];
  for (const n of valid) {
    if (!n.endsWith(`.log${SWAP_FILE_SUFFIX}`)) continue;
    const base = baseOf(n);
    ranges.push([base, Math.max(base + 1, nextOffsetOfLogFile(fs, `${dir}/${n}`, base))]);
  }
  if (ranges.length > 0) {
    for (const n of names) {
      const m = SEGMENT_FILE.exec(n);
      if (!m) continue;
      const base = Number(m[1]);
      if (ranges.some(([from, to]) => base >= from && base < to)) fs.unlinkSync(`${dir}/${n}`);
    }
    fs.fsyncDirSync(dir);
  }
  // the log first, as in step 3
  valid.sort((a, b) => Number(b.endsWith(`.log${SWAP_FILE_SUFFIX}`)) - Number(a.endsWith(`.log${SWAP_FILE_SUFFIX}`)));
  for (const n of valid) fs.renameSync(`${dir}/${n}`, `${dir}/${n.slice(0, -SWAP_FILE_SUFFIX.length)}`);
  fs.fsyncDirSync(dir);
  return true;
}
