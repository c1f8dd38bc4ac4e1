// DelayedProduce: an acks=all append parked in the produce purgatory until the ISR has it (Kafka's
// DelayedProduce with Partition.checkEnoughReplicasReachOffset), one per partition of the request.
// It completes when, whichever comes first:
//   - the partition's high watermark reaches the end of the append: NONE, or
//     NOT_ENOUGH_REPLICAS_AFTER_APPEND when the maximal ISR is by then below min.insync.replicas
//     (the records stay in the log: a retry without idempotence may duplicate them);
//   - this broker stops leading the partition (or it is deleted): NOT_LEADER_OR_FOLLOWER;
//   - the Produce request's timeout passes: REQUEST_TIMED_OUT.
// The purgatory checks it when the partition's high watermark moves (a follower's fetch, an ISR
// change) or its leadership changes; nothing polls.
import { ErrorCode } from '@tributary/protocol';
import type { Partition } from '../partition.ts';
import { DelayedOperation } from './delayed-operation.ts';

/** The answer to an acks=all append the HW has reached: NONE unless the maximal ISR fell below min.insync.replicas. */
export function replicatedErrorCode(p: Partition): number {
  return p.maximalIsr.length >= p.effectiveMinIsr ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
}

export class DelayedProduce extends DelayedOperation {
  /** Resolves with the partition's error code (NONE once the ISR has the append). */
  readonly completion: Promise<number>;
  private resolve!: (errorCode: number) => void;
  private errorCode: number = ErrorCode.REQUEST_TIMED_OUT;
  private readonly leaderEpoch: number;

  constructor(
    private readonly partition: Partition,
    /** The offset after the append's last record: done once the HW reaches it. */
    private readonly requiredOffset: number,
    timeoutMs: number,
    /** Whether the partition object still is the hosted one (false once its topic is deleted). */
    private readonly isHosted: () => boolean,
  ) {
    super(timeoutMs);
    this.leaderEpoch = partition.leaderEpoch;
    this.completion = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  get key(): string {
    return this.partition.key;
  }

  tryComplete(): boolean {
    const p = this.partition;
    if (!this.isHosted() || !p.isLeader || p.leaderEpoch !== this.leaderEpoch) {
      this.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      return this.forceComplete();
    }
    if (p.highWatermark < this.requiredOffset) return false;
    this.errorCode = replicatedErrorCode(p);
    return this.forceComplete();
  }

  protected override onExpiration(): void {
    this.errorCode = ErrorCode.REQUEST_TIMED_OUT;
  }

  protected onComplete(): void {
    this.resolve(this.errorCode);
  }
}
