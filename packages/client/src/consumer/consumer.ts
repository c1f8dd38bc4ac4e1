// The consumer: `subscribe()` (a group: join, assignment, heartbeats, rebalance listener) or
// `assign()` (manual), then `for await (const record of consumer)` or `consumer.batches()`.
// Each pull first does the group's work (rejoin when needed), finds positions (committed offsets,
// else `auto.offset.reset`, or pending seeks) and only then hands out buffered records or starts
// fetches; the fetch buffer is bounded, so a slow loop slows fetching (backpressure). Auto-commit
// commits consumed positions every `auto.commit.interval.ms`, before partitions are revoked, and
// on close. `commit()` commits positions (or given offsets) now.
import type {
  ConsumerGroupMetadata,
  Consumer,
  ConsumerConfig,
  ConsumerRecord,
  OffsetToCommit,
  RebalanceListener,
  RecordBatchView,
  RunHandlers,
  SeekTarget,
  SubscribeOptions,
} from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Assignor, TopicPartition } from '../assignors/types.ts';
import { createAssignor } from '../assignors/index.ts';
import { KafkaClientError } from '../network/errors.ts';
import { FetchBuffer } from './fetch-buffer.ts';
import { Fetcher } from './fetcher.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { SubscriptionState } from './subscription-state.ts';
import { runConsumer } from './run.ts';

/** Pulls served without prepare() in a row (its auto-commit and metadata-age checks run at least this often). */
const FAST_PULLS = 256;

export class KafkaConsumer implements Consumer {
  private readonly subscriptions: SubscriptionState;
  private readonly buffer: FetchBuffer;
  private readonly fetcher: Fetcher;
  private readonly group: GroupCoordinator | null;
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private lastAutoCommitMs: number;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly assignorList: Assignor[];

  constructor(
    private readonly cluster: Cluster,
    private readonly config: ConsumerConfig,
  ) {
    this.subscriptions = new SubscriptionState(config.autoOffsetReset ?? 'latest');
    this.buffer = new FetchBuffer(this.subscriptions, config.maxBufferedBytes ?? 64 * 1024 * 1024);
    this.fetcher = new Fetcher(cluster, this.subscriptions, this.buffer, {
      minBytes: config.fetchMinBytes ?? 1,
      maxWaitMs: config.fetchMaxWaitMs ?? 500,
      maxBytes: config.fetchMaxBytes ?? 52428800,
      maxPartitionBytes: config.maxPartitionFetchBytes ?? 1048576,
      isolationLevel: config.isolationLevel === 'read_committed' ? 1 : 0,
      checkCrcs: config.checkCrcs ?? true,
    });
    this.assignorList = (config.assignors ?? ['range', 'cooperative-sticky']).map((a) => (typeof a === 'string' ? createAssignor(a) : a));
    this.autoCommit = config.groupId !== undefined && (config.autoCommit ?? true);
    this.autoCommitIntervalMs = config.autoCommitIntervalMs ?? 5000;
    this.lastAutoCommitMs = cluster.clock();
    this.group = config.groupId
      ? new GroupCoordinator(
          cluster,
          {
            groupId: config.groupId,
            groupInstanceId: config.groupInstanceId ?? null,
            sessionTimeoutMs: config.sessionTimeoutMs ?? 45000,
            rebalanceTimeoutMs: config.maxPollIntervalMs ?? 300000,
            heartbeatIntervalMs: config.heartbeatIntervalMs ?? 3000,
            assignors: this.assignorList,
            rackId: cluster.options.clientRack ?? null,
          },
          this.subscriptions,
        )
      : null;
    // a used-up or dropped fetch lets its partition be fetched again (fetch ahead)
    this.buffer.onRemoved = () => this.fetcher.maybeFetch();
    if (this.group) {
      this.group.onWake = () => this.buffer.wakeup();
      this.group.beforeRevoke = async (partitions) => {
        if (!this.autoCommit) return;
        const keys = new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
        await this.group!.commit(this.subscriptions.allConsumed().filter((p) => keys.has(`${p.topic}\u0000${p.partition}`)));
      };
    }
  }

  async subscribe(topics: string | string[] | SubscribeOptions, listener?: RebalanceListener): Promise<void> {
    if (!this.group) throw new KafkaClientError('subscribe() needs a groupId (use assign() without a group)', 'INVALID_CONFIG', false);
    const opts: SubscribeOptions = typeof topics === 'string' ? { topics: [topics] } : Array.isArray(topics) ? { topics } : topics;
    this.patternSubscribed = opts.pattern !== undefined;
    if (opts.pattern) {
      this.subscriptions.subscribePattern(opts.pattern);
      await this.cluster.refreshMetadata({ all: true });
      this.subscriptions.matchTopics(this.cluster.metadata.topicNames());
    } else {
      this.subscriptions.subscribe(opts.topics ?? []);
      await this.cluster.ensureTopics(opts.topics ?? []);
    }
    this.group.setListener(listener);
    this.group.requestRejoin();
  }

  async unsubscribe(): Promise<void> {
    if (this.group && this.autoCommit) await this.commitConsumed().catch(() => {});
    if (this.group) await this.group.leave();
    this.subscriptions.unsubscribe();
  }

  assign(partitions: TopicPartition[]): void {
    this.subscriptions.assign(partitions);
    this.cluster.metadata.addTopics(partitions.map((p) => p.topic));
    this.buffer.wakeup();
  }

  assignment(): TopicPartition[] {
    return this.subscriptions.assigned();
  }

  seek(partition: TopicPartition, to: SeekTarget): void {
    if (typeof to === 'bigint') this.subscriptions.seek(partition, to);
    else this.subscriptions.requestReset(partition, to);
    this.buffer.clearPartition(partition.topic, partition.partition);
    this.buffer.wakeup();
  }

  position(partition: TopicPartition): bigint | undefined {
    return this.subscriptions.position(partition)?.offset;
  }

  groupMetadata(): ConsumerGroupMetadata {
    if (!this.group || this.config.groupId === undefined)
      throw new KafkaClientError('groupMetadata() needs a consumer with a groupId', 'INVALID_GROUP_ID', false, { code: 24 });
    return {
      groupId: this.config.groupId,
      generationId: this.group.generationId,
      memberId: this.group.memberId,
      groupInstanceId: this.config.groupInstanceId ?? null,
    };
  }

  pause(partitions: TopicPartition[]): void {
    for (const p of partitions) this.subscriptions.pause(p);
  }

  resume(partitions: TopicPartition[]): void {
    for (const p of partitions) this.subscriptions.resume(p);
    this.buffer.wakeup();
  }

  async commit(offsets?: OffsetToCommit[]): Promise<void> {
    if (!this.group) throw new KafkaClientError('commit() needs a groupId', 'INVALID_CONFIG', false);
    if (offsets) await this.group.commit(offsets);
    else await this.commitConsumed();
  }

  commitAsync(offsets?: OffsetToCommit[]): Promise<void> {
    const p = this.commit(offsets);
    p.catch(() => {});
    return p;
  }

  async committed(partitions: TopicPartition[]): Promise<Array<OffsetToCommit | null>> {
    if (!this.group) throw new KafkaClientError('committed() needs a groupId', 'INVALID_CONFIG', false);
    const m = await this.group.fetchCommitted(partitions);
    return partitions.map((p) => {
      const c = m.get(`${p.topic}\u0000${p.partition}`);
      return c ? { topic: p.topic, partition: p.partition, offset: c.offset, metadata: c.metadata ?? undefined } : null;
    });
  }

  private async commitConsumed(): Promise<void> {
    await this.group!.commit(this.subscriptions.allConsumed());
    this.lastAutoCommitMs = this.cluster.clock();
  }

  /** Group work, positions, auto-commit: everything to do before records can be handed out. */
  private async prepare(): Promise<void> {
    if (this.group) this.group.lastPollMs = Date.now();
    await this.maybeRefreshMetadata();
    if (this.group && this.subscriptions.usesGroup) await this.group.ensureActiveGroup();
    const awaiting = this.subscriptions.partitionsAwaitingCommitted();
    if (awaiting.length > 0) {
      const committed = this.group ? await this.group.fetchCommitted(awaiting) : new Map();
      this.subscriptions.applyCommittedOffsets(awaiting, (tp) => committed.get(`${tp.topic}\u0000${tp.partition}`) ?? null);
    }
    const resets = this.subscriptions.partitionsNeedingReset();
    if (resets.length > 0) await this.fetcher.resetPositions(resets);
    if (
      this.autoCommit &&
      this.cluster.clock() - this.lastAutoCommitMs >= this.autoCommitIntervalMs &&
      this.group &&
      !this.group.rejoinNeeded
    ) {
      this.lastAutoCommitMs = this.cluster.clock();
      this.commitConsumed().catch(() => {});
    }
    const err = this.fetcher.errors.shift();
    if (err) throw err;
  }

  /** Periodic metadata refresh (metadata.max.age.ms): new pattern matches, partition changes. */
  private async maybeRefreshMetadata(): Promise<void> {
    if (!this.cluster.metadataStale()) return;
    const pattern = this.subscriptions.usesGroup && this.config.groupId !== undefined && this.patternSubscribed;
    try {
      await this.cluster.refreshMetadata(pattern ? { all: true } : {});
    } catch {
      return; // try again next pull; fetches report connection problems
    }
    if (pattern && this.subscriptions.matchTopics(this.cluster.metadata.topicNames())) this.group?.requestRejoin();
    this.group?.checkMetadata();
  }

  private patternSubscribed = false;

  private async waitForData(): Promise<void> {
    this.fetcher.maybeFetch();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.buffer.waitForData(),
      new Promise<void>((r) => {
        timer = setTimeout(r, 1000);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Pulls served by the fast path since prepare() last ran; bounds how long clock-based work (auto-commit, metadata age) waits. */
  private fastPulls = 0;

  /**
   * Whether a pull may skip prepare(): no rejoin, no positions to find, no error to report, and
   * prepare() ran within the last FAST_PULLS pulls (its clock checks: auto-commit, metadata age).
   */
  private canSkipPrepare(): boolean {
    if (++this.fastPulls > FAST_PULLS) return false;
    if (this.fetcher.errors.length > 0 || !this.subscriptions.positionsSettled()) return false;
    if (this.group) {
      this.group.polls++;
      if (this.group.rejoinNeeded || this.group.fenced) return false;
    }
    return true;
  }

  /** The slow path of a pull: prepare(), then take, waiting for data until there is some (undefined once closed). */
  private async pull<T>(take: () => T | undefined): Promise<T | undefined> {
    while (!this.closed) {
      this.fastPulls = 0;
      await this.prepare();
      if (this.closed) return undefined;
      const item = take();
      if (item !== undefined) return item;
      await this.waitForData();
    }
    return undefined;
  }

  /**
   * An async iterator over what `take` hands out: a pull with buffered data and nothing else to do
   * returns at once (no async generator, no awaits); otherwise it goes through pull(). Pulls are
   * served in call order; after an error or return() the iterator is done.
   */
  private iterate<T>(take: () => T | undefined): AsyncIterableIterator<T> {
    let done = false;
    let pending: Promise<unknown> = Promise.resolve();
    let pulling = false;
    const finished = (): IteratorResult<T> => ({ done: true, value: undefined });
    const slow = (): Promise<IteratorResult<T>> => {
      pulling = true;
      const p = this.pull(take).then(
        (item): IteratorResult<T> => {
          pulling = false;
          if (item === undefined) {
            done = true;
            return finished();
          }
          return { done: false, value: item }; // even after return(): the position already moved past it
        },
        (err: unknown) => {
          pulling = false;
          done = true;
          throw err;
        },
      );
      pending = p.catch(() => {});
      return p;
    };
    const it: AsyncIterableIterator<T> = {
      next: (): Promise<IteratorResult<T>> => {
        if (done || this.closed) {
          done = true;
          return Promise.resolve(finished());
        }
        if (pulling) return pending.then(() => it.next()); // one pull at a time, in order
        if (this.canSkipPrepare()) {
          const item = take();
          if (item !== undefined) return Promise.resolve({ done: false, value: item });
        }
        return slow();
      },
      return: (): Promise<IteratorResult<T>> => {
        done = true;
        return Promise.resolve(finished());
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  records(): AsyncIterableIterator<ConsumerRecord> {
    return this.iterate(() => this.buffer.nextRecord());
  }

  batches(): AsyncIterableIterator<RecordBatchView> {
    return this.iterate(() => this.buffer.nextBatch());
  }

  run(handlers: RunHandlers): Promise<void> {
    return runConsumer(this, handlers);
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return this.records();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        if (this.group && this.autoCommit && this.subscriptions.allConsumed().length > 0) await this.commitConsumed().catch(() => {});
        this.closed = true;
        this.fetcher.closed = true;
        this.buffer.wakeup();
        if (this.group) await this.group.leave();
      })();
    }
    return this.closing;
  }
}
