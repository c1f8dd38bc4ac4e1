// One group coordinator shard: the groups and offsets of one __consumer_offsets partition
// (Kafka's GroupCoordinatorShard + the single-threaded part of CoordinatorRuntime). Write
// operations run one at a time in arrival order: the operation computes its records and
// response from the current state, the records are appended to the partition's log, then
// replayed into state (offset commits, tombstones), then the response is released. Loading
// replays the whole log through the same `replay` (group metadata values included).
//
// Transactions: a transactional write's records are appended as one batch of its producer and
// replayed as that producer's pending offsets; a transaction marker (COMMIT/ABORT) is replayed
// from the log on load, and in normal operation through `completeTransaction` once the
// partition's WriteTxnMarkers path has appended it (Kafka's replayEndTransactionMarker). A
// refused append is answered as Kafka's CoordinatorOperationExceptionHelper maps the partition's
// error (INVALID_PRODUCER_EPOCH passes through; NOT_LEADER_OR_FOLLOWER -> NOT_COORDINATOR; ...).
import { ErrorCode, hasErrorCode } from '@tributary/protocol';
import { GroupMetadataManager, type GroupEventLog } from './group-metadata-manager.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import { isTxnMarker, type CoordinatorLog, type TransactionalAppend } from './coordinator-log.ts';
import { GroupApiError } from './errors.ts';
import { OffsetMetadataManager } from './offset-metadata-manager.ts';
import { decodeCoordinatorRecord, encodeCoordinatorRecord, type CoordinatorRecord } from './records.ts';
import { KeyedTimer } from './keyed-timer.ts';
import type { Time } from '@tributary/storage';
import { replayedInNormalOperation, type RecordsResult, type WriteResult } from './write-result.ts';

export type ShardState = 'loading' | 'active' | 'unloaded';

const EXPIRATION_KEY = 'expire-group-metadata';

export class GroupCoordinatorShard {
  state: ShardState = 'loading';
  readonly timer: KeyedTimer;
  readonly groups: GroupMetadataManager;
  readonly offsets: OffsetMetadataManager;
  private tail: Promise<void> = Promise.resolve();
  private loading: Promise<void> | null = null;

  constructor(
    readonly partition: number,
    private readonly log: CoordinatorLog,
    private readonly config: GroupCoordinatorConfig,
    time: Time,
    newUuid?: () => string,
    events?: GroupEventLog,
  ) {
    this.timer = new KeyedTimer(time);
    const submit = (op: () => RecordsResult) => {
      this.write(() => ({ ...op(), response: undefined })).catch(() => {
        /* the shard moved or the log failed */
      });
    };
    const partitionEvents = events && { info: (msg: string) => events.info(`${msg} (__consumer_offsets-${partition})`) };
    this.groups = new GroupMetadataManager(config, time, this.timer, submit, newUuid, partitionEvents);
    this.offsets = new OffsetMetadataManager(config, time, this.groups);
  }

  /** Replays the partition's log, then starts serving (timers for members and expiry start here). */
  load(): Promise<void> {
    this.loading ??= this.replayLog();
    return this.loading;
  }

  /** Resolves once the load has ended (either way); at once when it is not loading. */
  async loaded(): Promise<void> {
    await this.loading?.catch(() => undefined);
  }

  private async replayLog(): Promise<void> {
    for await (const stored of this.log.readAll()) {
      if (this.state !== 'loading') return;
      if (isTxnMarker(stored)) {
        this.offsets.replayEndTransactionMarker(stored.producerId, stored.marker === 'commit');
        continue;
      }
      const rec = decodeCoordinatorRecord(stored);
      if (rec) this.replay(rec, stored.offset, stored.producerId ?? -1n);
    }
    if (this.state !== 'loading') return;
    this.state = 'active';
    this.groups.onLoaded();
    this.scheduleExpiration();
  }

  unload(): void {
    this.state = 'unloaded';
    this.groups.onUnloaded();
    this.timer.cancelAll();
  }

  /** Runs a write operation in order; resolves with its response once its records are appended. */
  write<T>(op: () => WriteResult<T>): Promise<T> {
    const step = this.tail.then(async () => {
      this.checkActive();
      const result = op();
      await this.appendAndReplay(result);
      return { response: result.response };
    });
    this.tail = step.then(
      () => undefined,
      () => undefined,
    );
    // The response itself may still be parked (JoinGroup, SyncGroup): not part of the queue.
    return step.then((s) => s.response);
  }

  /**
   * A COMMIT/ABORT marker of `producerId` was appended to this partition: runs after the writes
   * queued before it, so their records are replayed first (as they precede the marker in the log).
   */
  completeTransaction(producerId: bigint, commit: boolean): Promise<void> {
    return this.write(() => {
      this.offsets.replayEndTransactionMarker(producerId, commit);
      return { records: [], response: undefined };
    });
  }

  /** Reads run on the current state, without waiting for queued writes. */
  read<T>(fn: () => T): T {
    this.checkActive();
    return fn();
  }

  /** Resolves when every queued write so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    let seen: Promise<void> | null = null;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }

  private checkActive(): void {
    if (this.state === 'loading') throw new GroupApiError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    if (this.state !== 'active') throw new GroupApiError(ErrorCode.NOT_COORDINATOR);
  }

  private async appendAndReplay(result: RecordsResult): Promise<void> {
    const records = result.records;
    if (records.length === 0) {
      result.afterAppend?.(null);
      return;
    }
    let lastOffset: number;
    try {
      lastOffset = await this.log.append(records.map(encodeCoordinatorRecord), result.producer);
    } catch (e) {
      result.afterAppend?.(e instanceof Error ? e : new Error(String(e)));
      throw new GroupApiError(appendErrorCode(e), `append to __consumer_offsets-${this.partition} failed: ${(e as Error).message}`);
    }
    const first = lastOffset - records.length + 1;
    const producerId = transactionalProducer(result.producer);
    records.forEach((r, i) => {
      if (replayedInNormalOperation(r)) this.replay(r, first + i, producerId);
    });
    result.afterAppend?.(null);
  }

  private replay(rec: CoordinatorRecord, offset: number, producerId: bigint): void {
    if (rec.kind === 'offset-commit') {
      this.offsets.replay(rec.key.group, rec.key.topic, rec.key.partition, rec.value, offset, producerId);
    } else {
      this.groups.replayGroupMetadata(rec.key.group, rec.value);
    }
  }

  private scheduleExpiration(): void {
    this.timer.schedule(EXPIRATION_KEY, this.config.offsetsRetentionCheckIntervalMs, () => {
      this.write(() => ({ ...this.cleanupGroupMetadata(), response: undefined })).catch(() => {});
      this.scheduleExpiration();
    });
  }

  /** Kafka's cleanupGroupMetadata: expire offsets, delete Empty groups left without offsets. */
  cleanupGroupMetadata(): RecordsResult {
    const records: CoordinatorRecord[] = [];
    for (const [groupId, group] of this.groups.groups) {
      const allExpired = this.offsets.cleanupExpiredOffsets(groupId, records);
      if (allExpired && group.isEmpty) records.push({ kind: 'group-metadata', key: { group: groupId }, value: null });
    }
    return { records };
  }
}

function transactionalProducer(producer: TransactionalAppend | undefined): bigint {
  return producer?.transactional ? producer.producerId : -1n;
}

/**
 * The answer to a refused append, as Kafka's CoordinatorOperationExceptionHelper maps the
 * partition's error; an error without a Kafka code (the log failed) is COORDINATOR_NOT_AVAILABLE.
 */
export function appendErrorCode(e: unknown): number {
  if (!hasErrorCode(e)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  switch (e.errorCode) {
    case ErrorCode.NETWORK_EXCEPTION:
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return e.errorCode;
  }
}
