// Test harness for the transaction coordinator: one coordinator over in-memory __transaction_state
// partitions (InMemoryCoordinatorLog), a manual clock, producer ids counting from 1000, a partition
// leader table, and a fake marker writer that records every WriteTxnMarkers request and answers
// from a script (default: NONE for every partition).
import { ErrorCode, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@tributary/protocol';
import { MockTime } from '@tributary/storage';
import { InMemoryCoordinatorLog } from '../../src/coordinator/group/index.ts';
import type { TransactionCoordinatorConfig } from '../../src/coordinator/transaction/config.ts';
import { TransactionCoordinator } from '../../src/coordinator/transaction/transaction-coordinator.ts';
import type { MarkerDestination } from '../../src/coordinator/transaction/transaction-marker-channel-manager.ts';
import { tpKey } from '../../src/coordinator/transaction/transaction-metadata.ts';

export interface SentMarkers {
  destination: number;
  request: WriteTxnMarkersRequest;
}

/** Answers a request: an error code per partition, or a thrown error / rejection for a lost connection. */
export type MarkerScript = (destination: number, topic: string, partition: number) => number;

export function allOk(request: WriteTxnMarkersRequest, code: MarkerScript, destination: number): WriteTxnMarkersResponse {
  return {
    markers: request.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode: code(destination, t.name, p) })),
      })),
    })),
  };
}

export class TxnHarness {
  readonly time = new MockTime(1_000_000);
  readonly logs = new Map<number, InMemoryCoordinatorLog>();
  readonly sent: SentMarkers[] = [];
  /** Leader per `topic-partition`; a partition missing here is 'deleted'. */
  readonly leaders = new Map<string, MarkerDestination>();
  script: MarkerScript = () => ErrorCode.NONE;
  /** Makes sends reject (a lost connection) while set. */
  failSends: Error | null = null;
  /** Holds every answer until released (to look at the state while markers are in flight). */
  hold: Promise<void> | null = null;
  nextProducerId = 1000n;
  coordinator: TransactionCoordinator;

  constructor(readonly config: Partial<TransactionCoordinatorConfig> = {}) {
    this.coordinator = this.newCoordinator();
  }

  newCoordinator(): TransactionCoordinator {
    return new TransactionCoordinator({
      config: { transactionLogNumPartitions: 1, ...this.config },
      time: this.time,
      generateProducerId: () => this.nextProducerId++,
      leaderOf: (topic, partition) => this.leaders.get(tpKey(topic, partition)) ?? 'deleted',
      markerWriter: async (destination, request) => {
        this.sent.push({ destination, request });
        if (this.hold) await this.hold;
        if (this.failSends) throw this.failSends;
        return allOk(request, this.script, destination);
      },
    });
  }

  log(partition = 0): InMemoryCoordinatorLog {
    let l = this.logs.get(partition);
    if (!l) {
      l = new InMemoryCoordinatorLog();
      this.logs.set(partition, l);
    }
    return l;
  }

  static async start(config: Partial<TransactionCoordinatorConfig> = {}, epoch = 0): Promise<TxnHarness> {
    const h = new TxnHarness(config);
    await h.load(epoch);
    return h;
  }

  async load(epoch = 0): Promise<void> {
    const n = this.coordinator.config.transactionLogNumPartitions;
    for (let p = 0; p < n; p++) await this.coordinator.loadPartition(p, epoch, this.log(p));
  }

  /** A fresh coordinator (a restart or a new leader) replays the same logs at `epoch`. */
  async restart(epoch = 1): Promise<void> {
    this.coordinator.shutdown();
    this.coordinator = this.newCoordinator();
    await this.load(epoch);
  }

  meta(id: string) {
    return this.coordinator.shard(this.coordinator.partitionFor(id))?.transactions.get(id);
  }

  /** Lets appends, marker sends and their answers finish (no time passes). */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }

  init(id: string, timeoutMs = 60_000, expected: { producerId: bigint; producerEpoch: number } | null = null) {
    return this.coordinator.initProducerId(id, timeoutMs, expected);
  }

  add(id: string, pid: bigint, epoch: number, ...partitions: string[]) {
    return this.coordinator.addPartitionsToTransaction(id, pid, epoch, partitions);
  }

  end(id: string, pid: bigint, epoch: number, commit: boolean) {
    return this.coordinator.endTransaction(id, pid, epoch, commit);
  }

  /** The states recorded in partition 0's log, by transactional id: [state, epoch] or null (tombstone). */
  history(partition = 0): Array<[string, number | null, number | null]> {
    return this.log(partition).records.map((r) => {
      const key = r.key.subarray(4).toString();
      if (r.value === null) return [key, null, null];
      // value v0: version int16, producerId int64, epoch int16, timeout int32, status int8
      return [key, r.value.readInt8(16), r.value.readInt16BE(10)];
    });
  }
}
