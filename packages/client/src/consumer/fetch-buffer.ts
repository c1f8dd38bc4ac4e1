// Fetched-but-not-yet-consumed records (Kafka's FetchBuffer), bounded in bytes for backpressure:
// the fetcher only fetches while `hasRoom`; a partition may have a fetch buffered and the next one
// (from the offset after it) in flight, so the network works while the application consumes.
// Records are handed out in fetch order, only for partitions still assigned and not paused, and
// only from the consumer's current position: a fetch made before a seek or a rebalance is
// dropped. Consuming advances the position (past every record handed out: once per call, for one
// record or a whole fetch); finishing a fetch moves it to the offset after the fetch's last batch
// (skipping control records and compacted gaps). `nextRecord` and `nextBatch` share one path.
// A fetch may come undecoded: it is decoded on its first take, after the checks that would drop it.
import type { ConsumerRecord, RecordBatchView } from '../api.ts';
import { partitionKey, type PartitionState, type SubscriptionState } from './subscription-state.ts';

export interface CompletedFetch {
  topic: string;
  partition: number;
  /** The position the fetch was made from. */
  fetchOffset: bigint;
  /** Data records in offset order (control records left out); null until `decode` ran. */
  records: ConsumerRecord[] | null;
  /**
   * Decodes the records when they are first needed (on the first take, never for a fetch dropped
   * before); null means the fetch is corrupt (reported by the decoder) and is dropped.
   */
  decode?: (() => ConsumerRecord[] | null) | null;
  /** Offset after the last batch in the response (next fetch position once all is consumed). */
  nextFetchOffset: bigint;
  highWatermark: bigint;
  /** Bytes this fetch holds (for the buffer bound). */
  sizeInBytes: number;
}

interface Entry {
  fetch: CompletedFetch;
  key: string;
  /** Next record to hand out. */
  index: number;
  /** The partition's state when the fetch was added: a different one later means it was revoked meanwhile. */
  state: PartitionState;
  /** The position this buffer last set; anything else means a seek or reset came in between. Null before the first take. */
  position: PartitionState['position'];
}

export class FetchBuffer {
  private entries: Entry[] = [];
  private bytes = 0;
  private waiters: Array<() => void> = [];
  /** Range [from, to) of the last take's entry records. */
  private from = 0;
  private to = 0;
  /** Called after a fetch is used up or dropped (the fetcher may fetch that partition again). */
  onRemoved: () => void = () => {};

  constructor(
    private readonly subscriptions: SubscriptionState,
    readonly maxBufferedBytes = 64 * 1024 * 1024,
  ) {
    // data fetched for a partition that was taken away must not be handed out, even if it comes back
    subscriptions.onPartitionsRemoved = (tps) => {
      for (const tp of tps) this.clearPartition(tp.topic, tp.partition);
    };
  }

  get bufferedBytes(): number {
    return this.bytes;
  }

  get hasRoom(): boolean {
    return this.bytes < this.maxBufferedBytes;
  }

  /** Buffered fetches per partition ("topic\0partition"): how many, and where the next fetch starts. */
  bufferedPartitions(): Map<string, { fetches: number; nextFetchOffset: bigint }> {
    const out = new Map<string, { fetches: number; nextFetchOffset: bigint }>();
    for (const e of this.entries) {
      const x = out.get(e.key);
      if (x) {
        x.fetches++;
        x.nextFetchOffset = e.fetch.nextFetchOffset;
      } else out.set(e.key, { fetches: 1, nextFetchOffset: e.fetch.nextFetchOffset });
    }
    return out;
  }

  /**
   * Where a partition's next fetch must start for its data to follow what is buffered: after the
   * last buffered fetch, else the position. A response for any other offset is stale (a seek, a
   * rebalance or a consumed-past fetch came in between) and is dropped.
   */
  nextFetchOffset(topic: string, partition: number, position: bigint): bigint {
    let next = position;
    for (const e of this.entries) if (e.fetch.topic === topic && e.fetch.partition === partition) next = e.fetch.nextFetchOffset;
    return next;
  }

  /** Buffers a completed fetch of an assigned partition (a fetch for any other is dropped); the fetcher wakes waiting pulls once its next fetch left. */
  add(fetch: CompletedFetch): void {
    const key = partitionKey(fetch.topic, fetch.partition);
    const state = this.subscriptions.stateOf(key);
    if (!state) return;
    this.entries.push({ fetch, key, index: 0, state, position: null });
    this.bytes += fetch.sizeInBytes;
  }

  /** Resolves when data is added or `wakeup()` is called. */
  waitForData(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeup(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Drops buffered data of a partition (seek, revoke). */
  clearPartition(topic: string, partition: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => {
      if (e.fetch.topic === topic && e.fetch.partition === partition) {
        this.bytes -= e.fetch.sizeInBytes;
        return false;
      }
      return true;
    });
    if (this.entries.length !== before) this.onRemoved();
  }

  /** The next record to hand out, advancing its partition's position; undefined when none. */
  nextRecord(): ConsumerRecord | undefined {
    const e = this.take(1);
    return e ? e.fetch.records![this.from] : undefined;
  }

  /** The rest of the first consumable fetch, as one batch; undefined when none. */
  nextBatch(): RecordBatchView | undefined {
    const e = this.take(Infinity);
    if (!e) return undefined;
    const all = e.fetch.records!;
    const records = this.from === 0 && this.to === all.length ? all : all.slice(this.from, this.to);
    return { topic: e.fetch.topic, partition: e.fetch.partition, records, highWatermark: e.fetch.highWatermark };
  }

  /**
   * Takes up to `max` records (at least one) from the first consumable fetch: sets this.from/to to
   * their range in its records, advances the partition's position past them and finishes the fetch
   * when it is used up. Undefined when no fetch has a record to hand out.
   */
  private take(max: number): Entry | undefined {
    for (let i = 0; i < this.entries.length; ) {
      const e = this.entries[i]!;
      const state = e.state;
      const pos = state.position;
      if (pos === null || (e.position === null ? pos.offset !== e.fetch.fetchOffset : pos !== e.position)) {
        this.remove(i); // fetched before a seek / reset (revoked partitions were cleared when removed)
        continue;
      }
      if (state.paused) {
        i++;
        continue;
      }
      let recs = e.fetch.records;
      if (recs === null) {
        recs = e.fetch.decode?.() ?? null;
        if (recs === null) {
          this.remove(i); // corrupt: the position stays, the next fetch meets it again
          continue;
        }
        e.fetch.records = recs;
      }
      let from = e.index;
      if (e.position === null) {
        // a batch may start before the position (compressed batches are fetched whole)
        while (from < recs.length && recs[from]!.offset < pos.offset) from++;
      }
      if (from >= recs.length) {
        this.finish(i);
        continue;
      }
      const to = max >= recs.length - from ? recs.length : from + max;
      const last = recs[to - 1]!;
      this.subscriptions.advance(state, last.offset + 1n, last.leaderEpoch);
      e.position = state.position;
      e.index = to;
      this.from = from;
      this.to = to;
      if (to >= recs.length) this.finish(i);
      return e;
    }
    return undefined;
  }

  /** Removes the used-up fetch at `i`, moving its partition's position to the fetch's end (past control records and gaps). */
  private finish(i: number): void {
    const e = this.entries[i]!;
    const pos = e.state.position;
    if (pos && pos.offset < e.fetch.nextFetchOffset) this.subscriptions.advance(e.state, e.fetch.nextFetchOffset, pos.leaderEpoch);
    this.remove(i);
  }

  private remove(i: number): void {
    this.bytes -= this.entries[i]!.fetch.sizeInBytes;
    if (i === 0) this.entries.shift();
    else this.entries.splice(i, 1);
    this.onRemoved();
  }
}
