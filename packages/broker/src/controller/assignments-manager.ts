// AssignmentsManager: the broker's side of AssignReplicasToDirs (Kafka's server AssignmentsManager,
// KIP-858): which log dir holds each of its replicas, told to the controller. `onAssignment`
// queues one partition's dir (a later one for the same partition replaces it); the queue is sent
// as one request soon after (batched: `batchDelayMs`), grouped by dir and topic. Answers:
//   NONE                                 done
//   UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER
//                                        dropped (the topic went, or the replica moved away)
//   anything else, a top-level error, a failed request
//                                        queued again (unless a newer one came) and retried after
//                                        `retryBackoffMs`
// It sends nothing while the broker has no epoch yet (before its registration).
//
//   const m = new AssignmentsManager({ nodeId: 1, brokerEpoch: () => epoch, send: (req) => controller.assignReplicasToDirs(req), log, time });
//   m.onAssignment(topicId, 0, dirId);
import { ErrorCode, type AssignReplicasToDirsRequest, type AssignReplicasToDirsResponse } from '@tributary/protocol';
import { systemTime, type Cancel, type Time } from '@tributary/storage';
import type { Logger } from '../logger.ts';

export interface AssignmentsManagerOptions {
  nodeId: number;
  /** The broker epoch of the current registration (-1 before one). */
  brokerEpoch: () => bigint;
  send: (request: AssignReplicasToDirsRequest) => Promise<AssignReplicasToDirsResponse>;
  log: Logger;
  time?: Time;
  /** Wait before sending, to batch assignments made together (default 10). */
  batchDelayMs?: number;
  /** Wait before sending again after a failure (default 500). */
  retryBackoffMs?: number;
}

interface Assignment {
  topicId: string;
  partition: number;
  dirId: string;
}

const DROPPED: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
]);

const keyOf = (topicId: string, partition: number) => `${topicId}:${partition}`;

export class AssignmentsManager {
  private readonly pending = new Map<string, Assignment>();
  private timer: Cancel | null = null;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private readonly time: Time;

  constructor(private readonly options: AssignmentsManagerOptions) {
    this.time = options.time ?? systemTime;
  }

  /** Assignments queued or in flight, not yet acknowledged. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Queues "partition `partition` of `topicId` is in dir `dirId`" for the controller. */
  onAssignment(topicId: string, partition: number, dirId: string): void {
    if (this.closed) return;
    const key = keyOf(topicId, partition);
    if (this.pending.get(key)?.dirId === dirId) return;
    this.pending.set(key, { topicId, partition, dirId });
    this.schedule(this.options.batchDelayMs ?? 10);
  }

  /** Whether `dirId` is queued for the partition (or nothing is, when `dirId` is absent). */
  isPending(topicId: string, partition: number, dirId?: string): boolean {
    const a = this.pending.get(keyOf(topicId, partition));
    return a !== undefined && (dirId === undefined || a.dirId === dirId);
  }

  close(): void {
    this.closed = true;
    this.timer?.();
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer || this.inFlight) return;
    this.timer = this.time.setTimeout(() => {
      this.timer = null;
      return this.flush();
    }, delayMs);
  }

  private async flush(): Promise<void> {
    if (this.closed || this.pending.size === 0) return;
    const epoch = this.options.brokerEpoch();
    if (epoch < 0n) return this.retryLater();
    const sent = [...this.pending.values()];
    this.inFlight = this.sendBatch(sent, epoch).finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
    if (this.pending.size > 0 && !this.timer) this.schedule(this.options.batchDelayMs ?? 10);
  }

  private async sendBatch(sent: Assignment[], brokerEpoch: bigint): Promise<void> {
    const byDir = new Map<string, Map<string, number[]>>();
    for (const a of sent) {
      const topics = byDir.get(a.dirId) ?? new Map<string, number[]>();
      byDir.set(a.dirId, topics);
      topics.set(a.topicId, [...(topics.get(a.topicId) ?? []), a.partition]);
    }
    const request: AssignReplicasToDirsRequest = {
      brokerId: this.options.nodeId,
      brokerEpoch,
      directories: [...byDir].map(([id, topics]) => ({
        id,
        topics: [...topics].map(([topicId, parts]) => ({ topicId, partitions: parts.map((partitionIndex) => ({ partitionIndex })) })),
      })),
    };
    let res: AssignReplicasToDirsResponse;
    try {
      res = await this.options.send(request);
    } catch (err) {
      this.options.log.warn('AssignReplicasToDirs failed; retrying', { error: err, assignments: sent.length });
      return this.retryLater();
    }
    if (res.errorCode !== ErrorCode.NONE) {
      this.options.log.warn('the controller refused AssignReplicasToDirs; retrying', { errorCode: res.errorCode });
      return this.retryLater();
    }
    let retry = false;
    for (const dir of res.directories) {
      for (const t of dir.topics) {
        for (const p of t.partitions) {
          const key = keyOf(t.topicId, p.partitionIndex);
          const queued = this.pending.get(key);
          // a newer assignment of the partition came while this one was in flight: it is sent next
          if (!queued || queued.dirId !== dir.id) continue;
          if (p.errorCode === ErrorCode.NONE) this.pending.delete(key);
          else if (DROPPED.has(p.errorCode)) {
            this.pending.delete(key);
            this.options.log.warn('AssignReplicasToDirs: assignment dropped', {
              topicId: t.topicId,
              partition: p.partitionIndex,
              dirId: dir.id,
              errorCode: p.errorCode,
            });
          } else retry = true;
        }
      }
    }
    if (retry) return this.retryLater();
  }

  private retryLater(): void {
    if (this.closed) return;
    this.timer?.();
    this.timer = this.time.setTimeout(() => {
      this.timer = null;
      return this.flush();
    }, this.options.retryBackoffMs ?? 500);
  }
}
