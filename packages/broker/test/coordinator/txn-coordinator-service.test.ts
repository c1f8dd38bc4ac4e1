// TransactionCoordinatorService over a fake OffsetsTopicHost whose partitions keep the appended
// batches: __transaction_state created once on first use with Kafka's settings, partitions loaded
// at their leader epoch (the coordinator epoch), reloaded (replayed from the batches) at a new
// epoch, unloaded on resignation, an existing topic's partition count kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { MockTime } from '@tributary/storage';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import type { CoordinatorPartition } from '../../src/coordinator/group/index.ts';
import type { OffsetsTopicHost } from '../../src/coordinator/offsets-topic-host.ts';
import { TransactionCoordinatorService } from '../../src/coordinator/transaction-coordinator-service.ts';
import { silentLogger } from '../../src/logger.ts';

/** A partition log of record batches: offsets assigned on append (the batch's BaseOffset rewritten; the CRC does not cover it). */
class FakePartition implements CoordinatorPartition {
  batches: Buffer[] = [];
  epochs: number[] = [];
  logStartOffset = 0;
  logEndOffset = 0;
  async append(batch: Buffer, opts: { leaderEpoch: number }) {
    const b = Buffer.from(batch);
    b.writeBigInt64BE(BigInt(this.logEndOffset), 0);
    this.batches.push(b);
    this.epochs.push(opts.leaderEpoch);
    this.logEndOffset += b.readInt32BE(23) + 1;
    return { lastOffset: this.logEndOffset - 1 };
  }
  read(fetchOffset: number) {
    return { records: Buffer.concat(this.batches.filter((b) => Number(b.readBigInt64BE(0)) >= fetchOffset)) };
  }
}

class FakeHost implements OffsetsTopicHost {
  created: Array<{ topic: string; n: number; configs: Record<string, string>; rf: number | undefined }> = [];
  partitions: FakePartition[] | null = null;
  epoch = 4;
  partitionCount() {
    return this.partitions?.length;
  }
  async createInternalTopic(topic: string, n: number, configs: Record<string, string>, rf?: number) {
    await new Promise((r) => setTimeout(r, 5));
    this.created.push({ topic, n, configs, rf });
    this.partitions = Array.from({ length: n }, () => new FakePartition());
  }
  partitionLog(_t: string, p: number) {
    return this.partitions?.[p];
  }
  leaderEpoch() {
    return this.epoch;
  }
}

const config = BrokerConfig.load({ settings: { 'log.dirs': '/nonexistent', 'transaction.state.log.num.partitions': 2 } });

function service(host: FakeHost, time = new MockTime()) {
  let next = 0n;
  return new TransactionCoordinatorService({
    config,
    host,
    log: silentLogger,
    time,
    generateProducerId: () => next++,
    markerWriter: () => Promise.reject(new Error('no markers here')),
    leaderOf: () => 'unknown',
  });
}

describe('TransactionCoordinatorService', () => {
  it('creates __transaction_state once on first use, with Kafka settings', async () => {
    const host = new FakeHost();
    const s = service(host);
    s.startup();
    assert.equal((await s.coordinator.initProducerId('tx', 1000, null)).errorCode, ErrorCode.NOT_COORDINATOR);
    await Promise.all([s.ensureTransactionTopic(), s.ensureTransactionTopic()]);
    assert.deepEqual(host.created, [
      {
        topic: '__transaction_state',
        n: 2,
        rf: 3,
        configs: {
          'cleanup.policy': 'compact',
          'compression.type': 'uncompressed',
          'unclean.leader.election.enable': 'false',
          'min.insync.replicas': '2',
          'segment.bytes': '104857600',
        },
      },
    ]);
    await s.loaded();
    assert.deepEqual(await s.coordinator.initProducerId('tx', 1000, null), { errorCode: 0, producerId: 0n, producerEpoch: 0 });
    assert.deepEqual(host.partitions![s.partitionFor('tx')]!.epochs, [4]);
    s.shutdown();
  });

  it('reloads a partition led at a new leader epoch (replaying it), unloads on resignation', async () => {
    const host = new FakeHost();
    host.partitions = [new FakePartition(), new FakePartition()];
    const s = service(host);
    s.startup();
    await s.loaded();
    const p = s.partitionFor('tx');
    await s.coordinator.initProducerId('tx', 1000, null);
    assert.equal(s.coordinator.shard(p)!.coordinatorEpoch, 4);
    const before = s.coordinator.shard(p);
    await s.onBecomeLeader(p); // same epoch: nothing to do
    assert.equal(s.coordinator.shard(p), before);
    host.epoch = 5;
    await s.onBecomeLeader(p);
    const after = s.coordinator.shard(p)!;
    assert.notEqual(after, before);
    assert.deepEqual([after.coordinatorEpoch, after.transactions.get('tx')?.producerEpoch], [5, 0]);
    assert.deepEqual(await s.coordinator.initProducerId('tx', 1000, null), { errorCode: 0, producerId: 0n, producerEpoch: 1 });
    assert.deepEqual(host.partitions[p]!.epochs, [4, 5]);
    s.onResign(p);
    assert.equal((await s.coordinator.initProducerId('tx', 1000, null)).errorCode, ErrorCode.NOT_COORDINATOR);
    s.onTopicsDeleted(['__transaction_state']);
    assert.equal(s.coordinator.allShards().length, 0);
    s.shutdown();
  });

  it('keeps the partition count of an existing __transaction_state', () => {
    const host = new FakeHost();
    host.partitions = Array.from({ length: 7 }, () => new FakePartition());
    const s = service(host);
    assert.equal(s.numPartitions, 7);
    s.shutdown();
  });
});
