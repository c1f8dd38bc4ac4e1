// DelayedFetch: a Fetch parked in the purgatory until enough bytes are committed (min.bytes),
// max.wait.ms passes, the request is aborted (connection closed, broker stopping) or a watched
// partition goes away (Kafka's DelayedFetch). Bytes are counted from each Partition's
// `committedBytes` counter (bytes appended below the high watermark), so checking is O(partitions)
// and never reads the log; the caller re-reads once, on completion.
import type { DelayedOperation, FetchPurgatory } from './fetch-purgatory.ts';
import type { Partition } from '../partition.ts';

export interface DelayedFetchOptions {
  purgatory: FetchPurgatory;
  partitions: Partition[];
  /** Bytes already readable when the fetch was parked. */
  bytesAtStart: number;
  minBytes: number;
  maxWaitMs: number;
  signal: AbortSignal;
}

/** Resolves when the fetch should be (re-)answered. */
export function waitForFetch(o: DelayedFetchOptions): Promise<void> {
  return new Promise((resolve) => {
    const snapshot = o.partitions.map((p) => p.committedBytes);
    const keys = [...new Set(o.partitions.map((p) => `${p.topic}-${p.partition}`))];
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => op.forceComplete();
    const op: DelayedOperation & { isCompleted: boolean } = {
      isCompleted: false,
      tryComplete() {
        let bytes = o.bytesAtStart;
        for (let i = 0; i < o.partitions.length; i++) bytes += o.partitions[i]!.committedBytes - snapshot[i]!;
        if (bytes < o.minBytes) return false;
        finish();
        return true;
      },
      forceComplete() {
        finish();
      },
    };
    function finish() {
      if (op.isCompleted) return;
      op.isCompleted = true;
      if (timer) clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      o.purgatory.unwatch(keys, op);
      resolve();
    }
    if (o.signal.aborted) { op.isCompleted = true; resolve(); return; }
    o.purgatory.watch(keys, op);
    o.signal.addEventListener('abort', onAbort);
    timer = setTimeout(() => op.forceComplete(), o.maxWaitMs);
  });
}
