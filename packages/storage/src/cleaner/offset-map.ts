// The cleaner's key -> latest offset map (Kafka's SkimpyOffsetMap): a fixed-size open-addressing
// hash table in one Buffer, so millions of keys cost no object per key. A key is stored as its
// 16-byte MD5 digest (two keys with the same digest count as one: the older record of the other is
// then wrongly superseded, a 2^-128 chance Kafka accepts too), so a slot is 24 bytes:
//
//   digest    16 bytes  MD5 of the key bytes
//   offset+1  8 bytes   big-endian, as two uint32 (0 marks an empty slot)
//
// slots = floor(bytes / 24); the map accepts new keys up to capacity = floor(slots * loadFactor)
// (log.cleaner.io.buffer.load.factor), past which `put` refuses new keys (updates of a key already
// there still succeed) and the caller stops mapping (cleaner.ts). Probing: the first four probes
// use the digest's four 32-bit words as independent slots, then linear probing from the first.
// `latestOffset` is the last offset the map vouches for: every record at or below it whose key is
// newer in the dirty section has its newer offset here.
// `zeroed` false allocates the table without zeroing it: then `clear` (whole) or `clearInSlices` (a
// slice per pacer step, so zeroing 128 MiB never stalls the event loop) must run before use.
import { hash } from 'node:crypto';

export const OFFSET_MAP_ENTRY_SIZE = 24;
const DIGEST_SIZE = 16;

export class SkimpyOffsetMap {
  private readonly table: Buffer;
  /** Slots in the table. */
  readonly slots: number;
  /** New keys accepted at most (slots * loadFactor). */
  readonly capacity: number;
  private entries = 0;
  private latest = -1;
  /** The table holds garbage (allocated unzeroed, not cleared yet). */
  private needsZeroing: boolean;
  /** Lookups and probes since the last clear (collision rate = probes / lookups - 1). */
  lookups = 0;
  probes = 0;

  constructor(bytes: number, loadFactor = 0.9, zeroed = true) {
    if (!(loadFactor > 0 && loadFactor <= 1)) throw new RangeError(`offset map load factor ${loadFactor} is not in (0, 1]`);
    this.slots = Math.floor(bytes / OFFSET_MAP_ENTRY_SIZE);
    this.capacity = Math.floor(this.slots * loadFactor);
    if (this.capacity < 1) {
      throw new RangeError(
        `offset map of ${bytes} bytes (load factor ${loadFactor}) holds no key; increase log.cleaner.dedupe.buffer.size or decrease log.cleaner.threads`,
      );
    }
    this.table = zeroed ? Buffer.alloc(this.slots * OFFSET_MAP_ENTRY_SIZE) : Buffer.allocUnsafeSlow(this.slots * OFFSET_MAP_ENTRY_SIZE);
    this.needsZeroing = !zeroed;
  }

  /** Keys in the map. */
  get size(): number {
    return this.entries;
  }

  /** Share of the slots in use. */
  get utilization(): number {
    return this.entries / this.slots;
  }

  get latestOffset(): number {
    return this.latest;
  }

  updateLatestOffset(offset: number): void {
    this.latest = offset;
  }

  /**
   * Records `offset` as the latest for `key` (and as latestOffset). Returns false, changing
   * nothing, when the key is new and the map already holds `capacity` keys.
   */
  put(key: Buffer, offset: number): boolean {
    if (this.needsZeroing) throw new Error('offset map used before clear()');
    const digest = hash('md5', key, 'buffer');
    const at = this.find(digest);
    if (at < 0) return false;
    const t = this.table;
    if (this.isEmpty(at)) {
      if (this.entries >= this.capacity) return false;
      digest.copy(t, at, 0, DIGEST_SIZE);
      this.entries++;
    }
    const stored = offset + 1;
    t.writeUInt32BE(Math.floor(stored / 4294967296), at + DIGEST_SIZE);
    t.writeUInt32BE(stored % 4294967296, at + DIGEST_SIZE + 4);
    this.latest = offset;
    return true;
  }

  /** The latest offset recorded for `key`, or -1 when absent. */
  get(key: Buffer): number {
    if (this.needsZeroing) throw new Error('offset map used before clear()');
    const at = this.find(hash('md5', key, 'buffer'));
    if (at < 0 || this.isEmpty(at)) return -1;
    const t = this.table;
    return t.readUInt32BE(at + DIGEST_SIZE) * 4294967296 + t.readUInt32BE(at + DIGEST_SIZE + 4) - 1;
  }

  /** Empties the map (latestOffset back to -1). */
  clear(): void {
    if (this.needsZeroing || this.entries > 0) this.table.fill(0);
    this.reset();
  }

  /** Like clear, zeroing at most `sliceBytes` between two awaited calls of `step`. */
  async clearInSlices(sliceBytes: number, step: () => Promise<void>): Promise<void> {
    if (this.needsZeroing || this.entries > 0) {
      const t = this.table;
      for (let at = 0; at < t.length; at += sliceBytes) {
        if (at > 0) await step();
        t.fill(0, at, Math.min(t.length, at + sliceBytes));
      }
    }
    this.reset();
  }

  private reset(): void {
    this.needsZeroing = false;
    this.entries = 0;
    this.latest = -1;
    this.lookups = 0;
    this.probes = 0;
  }

  private isEmpty(at: number): boolean {
    const t = this.table;
    return t.readUInt32BE(at + DIGEST_SIZE) === 0 && t.readUInt32BE(at + DIGEST_SIZE + 4) === 0;
  }

  /** Byte position of the slot holding `digest`, or of the empty slot where it would go; -1 when neither (a full table). */
  private find(digest: Buffer): number {
    this.lookups++;
    const t = this.table;
    const slots = this.slots;
    const w0 = digest.readUInt32BE(0);
    const w1 = digest.readUInt32BE(4);
    const w2 = digest.readUInt32BE(8);
    const w3 = digest.readUInt32BE(12);
    for (let attempt = 0; attempt < slots + 3; attempt++) {
      this.probes++;
      const word = attempt === 0 ? w0 : attempt === 1 ? w1 : attempt === 2 ? w2 : attempt === 3 ? w3 : w0 + attempt - 3;
      const slot = word % slots;
      const at = slot * OFFSET_MAP_ENTRY_SIZE;
      if (this.isEmpty(at)) return at;
      if (t.readUInt32BE(at) === w0 && t.readUInt32BE(at + 4) === w1 && t.readUInt32BE(at + 8) === w2 && t.readUInt32BE(at + 12) === w3)
        return at;
    }
    return -1;
  }
}
