// Group coordinator over a real __consumer_offsets PartitionLog (storage over the in-memory fs):
// records are appended as batches and a new coordinator rebuilds the same state from the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogManager, MemoryFileSystem, MockTime } from '@tributary/storage';
import { GroupCoordinator, PartitionCoordinatorLog } from '../../src/coordinator/group/index.ts';

test('commits and group metadata survive a coordinator restart over a PartitionLog', async () => {
  const time = new MockTime(1_700_000_000_000);
  const fs = new MemoryFileSystem(time);
  const mgr = new LogManager({ logDirs: ['/data'], fs, time, backgroundTasks: false, defaultConfig: { segmentBytes: 2048 } }).startup();
  const partition = mgr.getOrCreateLog('__consumer_offsets', 0);
  const log = new PartitionCoordinatorLog(partition, { leaderEpoch: () => 0, time, loadBufferBytes: 300 });
  const coordinator = new GroupCoordinator({ config: { offsetsTopicNumPartitions: 1 }, time });
  await coordinator.loadPartition(0, log);
  for (let i = 0; i < 30; i++) {
    const r = await coordinator.commitOffsets({
      groupId: `g${i % 3}`,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      apiVersion: 8,
      topics: [
        {
          name: 'topic',
          partitions: [
            { partitionIndex: i % 4, committedOffset: 1000 + i, committedLeaderEpoch: 2, commitTimestamp: -1, committedMetadata: `m${i}` },
          ],
        },
      ],
    });
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, 0);
  }
  await coordinator.deleteGroups(['g2']);
  assert.ok(partition.logEndOffset > 30);
  const fetchAll = async (c: GroupCoordinator) => Promise.all(['g0', 'g1', 'g2'].map((g) => c.fetchOffsets({ groupId: g, topics: null })));
  const before = await fetchAll(coordinator);
  coordinator.shutdown();

  const again = new GroupCoordinator({ config: { offsetsTopicNumPartitions: 1 }, time });
  await again.loadPartition(0, log);
  assert.deepEqual(await fetchAll(again), before);
  assert.deepEqual(
    before[0]!.topics[0]!.partitions.find((p) => p.partitionIndex === 3),
    { partitionIndex: 3, committedOffset: 1027, committedLeaderEpoch: 2, metadata: 'm27', errorCode: 0 },
  );
  assert.deepEqual(before[2]!.topics, []);
  assert.deepEqual(
    (await again.listGroups()).groups.map((g) => g.groupId),
    ['g0', 'g1'],
  );
  again.shutdown();
  mgr.shutdown();
});
