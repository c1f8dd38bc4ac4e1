// Fetched-but-not-yet-consumed records (Kafka's FetchBuffer), bounded in bytes for backpressure:
// the fetcher only fetches while `hasRoom`; a partition may have a fetch buffered and the next one
// (from the offset after it) in flight, so the network works while the application consumes.
// Records are handed out in fetch order, only for partitions still assigned and not paused, and
// only from the consumer's current position: a fetch made before a seek or a rebalance is
// dropped. Consuming advances the position; finishing a fetch moves it to the offset after the
// fetch's last batch (skipping control records and compacted gaps).
import type { ConsumerRecord, RecordBatchView } from '../api.ts';
import type { SubscriptionState } from './subscription-state.ts';

export interface CompletedFetch {
  topic: string;
  partition: number;
  /** The position the fetch was made from. */
  fetchOffset: bigint;
  /** Data records in offset order (control records left out). */
  records: ConsumerRecord[];
  /** Offset after the last batch in the response (next fetch position once all is consumed). */
  nextFetchOffset: bigint;
  highWatermark: bigint;
  /** Bytes this fetch holds (for the buffer bound). */
  sizeInBytes: number;
}

interface Entry {
  fetch: CompletedFetch;
  index: number;
}

export class FetchBuffer {
  private entries: Entry[] = [];
  private bytes = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly subscriptions: SubscriptionState,
    readonly maxBufferedBytes = 64 * 1024 * 1024,
  ) {}

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
      const k = `${e.fetch.topic}\u0000${e.fetch.partition}`;
      const x = out.get(k);
      if (x) {
        x.fetches++;
        x.nextFetchOffset = e.fetch.nextFetchOffset;
      } else out.set(k, { fetches: 1, nextFetchOffset: e.fetch.nextFetchOffset });
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

  add(fetch: CompletedFetch): void {
    this.entries.push({ fetch, index: 0 });
    this.bytes += fetch.sizeInBytes;
    this.wakeup();
  }

  /** Resolves when data is added or `wakeup()` is called. */
  waitForData(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeup(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Drops buffered data of a partition (seek, revoke). */
  clearPartition(topic: string, partition: number): void {
    this.entries = this.entries.filter((e) => {
      if (e.fetch.topic === topic && e.fetch.partition === partition) {
        this.bytes -= e.fetch.sizeInBytes;
        return false;
      }
      return true;
    });
  }

  /** The next record to hand out, advancing its partition's position; undefined when none. */
  nextRecord(): ConsumerRecord | undefined {
    for (let i = 0; i < this.entries.length; ) {
      const e = this.entries[i];
      const state = this.check(e);
      if (state === 'drop') {
        this.remove(i);
        continue;
      }
      if (state === 'paused') {
        i++;
        continue;
      }
      const r = this.take(e);
      if (r) {
        if (e.index >= e.fetch.records.length) this.finish(i);
        return r;
      }
      this.finish(i);
    }
    return undefined;
  }

  /** The rest of the first consumable fetch, as one batch; undefined when none. */
  nextBatch(): RecordBatchView | undefined {
    for (let i = 0; i < this.entries.length; ) {
      const e = this.entries[i];
      const state = this.check(e);
      if (state === 'drop') {
        this.remove(i);
        continue;
      }
      if (state === 'paused') {
        i++;
        continue;
      }
      const records: ConsumerRecord[] = [];
      for (let r = this.take(e); r; r = this.take(e)) records.push(r);
      this.finish(i);
      if (records.length) return { topic: e.fetch.topic, partition: e.fetch.partition, records, highWatermark: e.fetch.highWatermark };
    }
    return undefined;
  }

  private check(e: Entry): 'ok' | 'drop' | 'paused' {
    const tp = { topic: e.fetch.topic, partition: e.fetch.partition };
    if (!this.subscriptions.isAssigned(tp)) return 'drop';
    const pos = this.subscriptions.position(tp);
    if (!pos) return 'drop';
    if (e.index === 0 && pos.offset !== e.fetch.fetchOffset) return 'drop'; // fetched before a seek
    if (this.subscriptions.isPaused(tp)) return 'paused';
    return 'ok';
  }

  /** Next record at or after the position (batches may start before it), advancing the position. */
  private take(e: Entry): ConsumerRecord | undefined {
    const tp = { topic: e.fetch.topic, partition: e.fetch.partition };
    const pos = this.subscriptions.position(tp)!;
    const recs = e.fetch.records;
    while (e.index < recs.length) {
      const r = recs[e.index++];
      if (r.offset < pos.offset) continue;
      this.subscriptions.seek(tp, r.offset + 1n, r.leaderEpoch);
      return r;
    }
    return undefined;
  }

  private finish(i: number): void {
    const e = this.entries[i];
    const tp = { topic: e.fetch.topic, partition: e.fetch.partition };
    const pos = this.subscriptions.position(tp);
    if (pos && pos.offset < e.fetch.nextFetchOffset) this.subscriptions.seek(tp, e.fetch.nextFetchOffset, pos.leaderEpoch);
    this.remove(i);
  }

  private remove(i: number): void {
    this.bytes -= this.entries[i].fetch.sizeInBytes;
    this.entries.splice(i, 1);
  }
}
