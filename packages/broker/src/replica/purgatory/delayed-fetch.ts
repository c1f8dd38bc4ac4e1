// DelayedFetch: a Fetch parked in the fetch purgatory until enough bytes are committed (min.bytes),
// max.wait.ms passes, the request is aborted (connection closed, broker stopping) or a watched
// partition goes away or changes leader (Kafka's DelayedFetch). Bytes are counted from each
// Partition's `committedBytes` counter (bytes appended below the high watermark), so checking is
// O(partitions) and never reads the log; the ReplicaManager reads again once, on completion.
// A follower's fetch reads up to the log end offset: it counts `appendedBytesTotal` instead. As in
// Kafka, a high watermark move alone does not complete it: followers learn the HW with their next
// records (or after replica.fetch.wait.max.ms), which saves a round trip per write.
// A read_committed consumer's fetch reads up to the last stable offset: it counts `stableBytes`
// (bytes below the LSO), so it wakes when the LSO moves (Kafka's DelayedFetch with
// FetchIsolation.TXN_COMMITTED); the LSO only moves with the HW (or a truncation), whose advance
// already checks the fetches watching the partition.
import type { Partition } from '../partition.ts';
import { DelayedOperation } from './delayed-operation.ts';

export interface DelayedFetchOptions {
  partitions: readonly Partition[];
  /** Bytes already readable when the fetch was parked. */
  bytesAtStart: number;
  minBytes: number;
  maxWaitMs: number;
  signal: AbortSignal;
  /** A follower's fetch (see the header). */
  fromFollower?: boolean;
  /** A read_committed consumer's fetch (see the header). */
  readCommitted?: boolean;
}

export class DelayedFetch extends DelayedOperation {
  /** Resolves when the fetch should be answered (read again). */
  readonly completion: Promise<void>;
  private resolve!: () => void;
  private readonly snapshot: number[];
  private readonly onAbort = () => this.forceComplete();

  constructor(private readonly o: DelayedFetchOptions) {
    super(o.maxWaitMs);
    this.completion = new Promise((resolve) => {
      this.resolve = resolve;
    });
    this.snapshot = o.partitions.map((p) => this.counter(p));
    if (o.signal.aborted) this.forceComplete();
    else o.signal.addEventListener('abort', this.onAbort);
  }

  /** The purgatory keys this fetch watches: one per partition. */
  get keys(): string[] {
    return [...new Set(this.o.partitions.map((p) => p.key))];
  }

  private counter(p: Partition): number {
    return this.o.fromFollower ? p.appendedBytesTotal : this.o.readCommitted ? p.stableBytes : p.committedBytes;
  }

  tryComplete(): boolean {
    let bytes = this.o.bytesAtStart;
    const ps = this.o.partitions;
    if (this.o.fromFollower) {
      for (let i = 0; i < ps.length; i++) bytes += ps[i]!.appendedBytesTotal - this.snapshot[i]!;
    } else if (this.o.readCommitted) {
      for (let i = 0; i < ps.length; i++) bytes += ps[i]!.stableBytes - this.snapshot[i]!;
    } else {
      for (let i = 0; i < ps.length; i++) bytes += ps[i]!.committedBytes - this.snapshot[i]!;
    }
    return bytes >= this.o.minBytes && this.forceComplete();
  }

  protected onComplete(): void {
    this.o.signal.removeEventListener('abort', this.onAbort);
    this.resolve();
  }
}
