// GroupCoordinatorService over a fake OffsetsTopicHost: creation of __consumer_offsets on first
// use (once, compacted), loading at start-up (COORDINATOR_LOAD_IN_PROGRESS meanwhile), leadership
// moves and the deletion hook.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { GroupCoordinatorService } from '../../src/coordinator/group-coordinator-service.ts';
import type { OffsetsTopicHost } from '../../src/coordinator/offsets-topic-host.ts';
import type { CoordinatorPartition } from '../../src/coordinator/group/index.ts';
import { SystemTime } from '@tributary/storage';
import { silentLogger } from '../../src/logger.ts';

class FakePartition implements CoordinatorPartition {
  batches: Buffer[] = [];
  epochs: number[] = [];
  get logStartOffset() {
    return 0;
  }
  get logEndOffset() {
    return this.batches.length === 0 ? 0 : this.batches.length;
  }
  async append(batch: Buffer, opts: { leaderEpoch: number }) {
    this.batches.push(batch);
    this.epochs.push(opts.leaderEpoch);
    return { lastOffset: this.batches.length - 1 };
  }
  read() {
    return { records: Buffer.alloc(0) };
  }
}

class FakeHost implements OffsetsTopicHost {
  created: Array<{ topic: string; n: number; configs: Record<string, string> }> = [];
  partitions: FakePartition[] | null = null;
  partitionCount() {
    return this.partitions?.length;
  }
  async createInternalTopic(topic: string, n: number, configs: Record<string, string>) {
    await new Promise((r) => setTimeout(r, 5));
    this.created.push({ topic, n, configs });
    this.partitions = Array.from({ length: n }, () => new FakePartition());
  }
  partitionLog(_t: string, p: number) {
    return this.partitions?.[p];
  }
  leaderEpoch() {
    return 4;
  }
}

const config = BrokerConfig.load({
  settings: { 'log.dirs': '/nonexistent', 'offsets.topic.num.partitions': 4, 'group.initial.rebalance.delay.ms': 0 },
});
// Real timers that keep the event loop alive (systemTime's are unref'd: a broker's sockets keep it alive).
const time = new SystemTime({ unref: false });
const joinReq = (groupId: string) => ({
  groupId,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  clientId: 'c',
  clientHost: '/127.0.0.1',
  apiVersion: 3,
});

describe('GroupCoordinatorService', () => {
  it('takes segment.bytes of __consumer_offsets from offsets.topic.segment.bytes', async () => {
    const host = new FakeHost();
    const c = BrokerConfig.load({
      settings: { 'log.dirs': '/nonexistent', 'offsets.topic.num.partitions': 2, 'offsets.topic.segment.bytes': 5242880 },
    });
    const service = new GroupCoordinatorService({ config: c, host, log: silentLogger, time });
    await service.ensureOffsetsTopic();
    assert.deepEqual(host.created[0]!.configs, { 'cleanup.policy': 'compact', 'segment.bytes': '5242880', 'compression.type': 'producer' });
    await service.loaded();
    service.shutdown();
  });

  it('creates __consumer_offsets once on first use, compacted, with offsets.topic.num.partitions', async () => {
    const host = new FakeHost();
    const service = new GroupCoordinatorService({ config, host, log: silentLogger, time });
    service.startup(); // no topic yet: nothing to load
    assert.equal((await service.coordinator.joinGroup(joinReq('g'))).errorCode, 16); // NOT_COORDINATOR
    await Promise.all([service.ensureOffsetsTopic(), service.ensureOffsetsTopic(), service.ensureOffsetsTopic()]);
    // exactly Kafka's GroupCoordinator.offsetsTopicConfigs: no retention overrides
    assert.deepEqual(host.created, [
      {
        topic: '__consumer_offsets',
        n: 4,
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': '104857600', 'compression.type': 'producer' },
      },
    ]);
    await service.loaded();
    const res = await service.coordinator.joinGroup(joinReq('g'));
    assert.equal(res.errorCode, 0);
    await service.coordinator.idle();
    // The group's metadata was written to its partition, appended at the partition's leader epoch.
    assert.deepEqual(host.partitions![service.partitionFor('g')]!.epochs, [4]);
    service.shutdown();
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while start-up loads, NOT_COORDINATOR after resigning', async () => {
    const host = new FakeHost();
    host.partitions = Array.from({ length: 4 }, () => new FakePartition());
    const service = new GroupCoordinatorService({ config, host, log: silentLogger, time });
    service.startup();
    assert.equal((await service.coordinator.joinGroup(joinReq('h'))).errorCode, 14);
    await service.loaded();
    assert.equal((await service.coordinator.joinGroup(joinReq('h'))).errorCode, 0);
    service.onResign(service.partitionFor('h'));
    assert.equal(
      (await service.coordinator.heartbeat({ groupId: 'h', generationId: 1, memberId: 'x', groupInstanceId: null })).errorCode,
      16,
    );
    await service.onTopicsDeleted(['__consumer_offsets']);
    assert.equal(service.coordinator.isCoordinatorFor('other'), false);
    service.shutdown();
  });
});
