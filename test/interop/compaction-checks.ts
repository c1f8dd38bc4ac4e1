// Shared pieces of the compaction interop tests: keyed records in versions, the latest version per
// key as a client must see it after the log cleaner ran, and the on-disk size of a partition.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumed, Rec } from './harness.ts';

/**
 * `versions` rounds over `keys` keys (round-major, so every key's versions spread over the whole
 * log), values of `valueBytes` that compress little, so segments fill as their sizes say; CreateTime timestamps `t0`, `t0 + 1`, ... in produce
 * order (ListOffsets by time can then be checked against offsets).
 */
export function keyedVersions(tag: string, keys: number, versions: number, t0: number, valueBytes = 80): Rec[] {
  const out: Rec[] = [];
  for (let v = 0; v < versions; v++) {
    for (let k = 0; k < keys; k++) {
      // hex of a hash pads the value: it compresses little, so segments fill as the sizes say
      const pad = createHash('sha256')
        .update(`${tag}/${k}/${v}`)
        .digest('hex')
        .repeat(Math.ceil(valueBytes / 64));
      const value = `${tag} k${k} v${v} ${pad}`.slice(0, valueBytes);
      out.push({ key: `${tag}-k${k}`, value, headers: [['v', String(v)]], timestamp: t0 + out.length });
    }
  }
  return out;
}

/** A produced record at the offset its producer's delivery report gave. */
export interface Placed extends Rec {
  offset: number;
}

export function place(records: Rec[], offsets: number[]): Placed[] {
  assert.equal(offsets.length, records.length, 'one delivery report per record');
  return records.map((r, i) => ({ ...r, offset: offsets[i]! }));
}

/** The last record of each key among `placed` (what compaction keeps), in offset order. */
export function latestPerKey(placed: Placed[]): Placed[] {
  const last = new Map<string | null, Placed>();
  for (const p of placed) last.set(p.key, p);
  return [...last.values()].sort((a, b) => a.offset - b.offset);
}

/** Asserts `got` (records of `keys` only, in offset order) is exactly `expected`: offsets, keys, values, headers, timestamps. */
export function assertSame(got: Consumed[], expected: Placed[], label: string): void {
  assert.deepEqual(
    got.map((r) => [r.offset, r.key, r.value, r.headers, r.timestamp]),
    expected.map((r) => [r.offset, r.key, r.value, r.headers, r.timestamp]),
    label,
  );
}

/** Offsets strictly increase (no record twice, none out of order). */
export function assertIncreasing(got: { offset: number }[], label: string): void {
  for (let i = 1; i < got.length; i++)
    assert.ok(got[i]!.offset > got[i - 1]!.offset, `${label}: offset ${got[i]!.offset} after ${got[i - 1]!.offset}`);
}

/** Bytes of the partition's .log files (segments), and which leftovers of a swap are there. */
export function partitionOnDisk(dataDir: string, topic: string, partition = 0): { logBytes: number; segments: number; files: string[] } {
  const dir = join(dataDir, `${topic}-${partition}`);
  const files = readdirSync(dir).sort();
  let logBytes = 0;
  let segments = 0;
  for (const f of files) {
    if (!f.endsWith('.log')) continue;
    logBytes += statSync(join(dir, f)).size;
    segments++;
  }
  return { logBytes, segments, files };
}
