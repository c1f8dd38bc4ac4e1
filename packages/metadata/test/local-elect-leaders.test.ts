// ElectLeaders and the automatic leader rebalance in the LocalController: an election written and
// answered; with auto.leader.rebalance.enable, leadership moves back to the preferred replica at
// the first check interval after it is in sync again (MockTime: not a millisecond before), and not
// at all when disabled; LeaderRebalance's own schedule (interval, 10 ms after a bounded pass,
// errors, stop).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import {
  ElectionType,
  IMMEDIATE_PASS_DELAY_MS,
  LeaderRebalance,
  LocalController,
  partitionsInOrder,
  type ControllerOptions,
  type MetadataImage,
} from '../src/index.ts';
import { endpoint, incarnationId, options } from './helpers/fixtures.ts';

const INTERVAL_MS = 1000;

async function open(time: MockTime, over: Partial<ControllerOptions> = {}): Promise<LocalController> {
  const controller = options({ sessionTimeoutMs: 1e9, ...over });
  return LocalController.open({ logDir: '/meta', controller, time, fs: new MemoryFileSystem() });
}

async function startBrokers(m: LocalController, ids: number[]): Promise<void> {
  for (const id of ids) {
    const r = await m.registerBroker({ brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9090 + id)] });
    assert.equal((await m.unfenceBroker(id, r.brokerEpoch)).errorCode, ErrorCode.NONE);
  }
}

const leaders = (image: MetadataImage) => partitionsInOrder(image.topic('t')!).map(([, r]) => r.leader);

/** Brokers 1-3, topic t (p0 [1,2,3], p1 [2,3,1], p2 [3,1,2]); broker 1 restarted: p0 led by 2, broker 1 in sync again. */
async function restartedPreferredLeader(m: LocalController): Promise<void> {
  await startBrokers(m, [1, 2, 3]);
  assert.equal((await m.createTopics([{ name: 't', numPartitions: 3, replicationFactor: 3 }]))[0]!.errorCode, ErrorCode.NONE);
  await m.fenceBroker(1);
  await m.unfenceBroker(1);
  await m.changePartition({ topic: 't', partition: 0, isr: [1, 2, 3] });
  assert.deepEqual(leaders(m.image), [2, 2, 3]);
}

describe('LocalController: ElectLeaders', () => {
  it('writes the election and answers per partition', async () => {
    const m = await open(new MockTime());
    try {
      await restartedPreferredLeader(m);
      const end = m.nextOffset;
      const r = await m.electLeaders({ electionType: ElectionType.PREFERRED, topicPartitions: [{ topic: 't', partitions: [0, 1] }] });
      assert.deepEqual(r, {
        errorCode: ErrorCode.NONE,
        replicaElectionResults: [
          {
            topic: 't',
            partitionResult: [
              { partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null },
              { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
            ],
          },
        ],
      });
      assert.equal(m.nextOffset, end + 1);
      assert.deepEqual(leaders(m.image), [1, 2, 3]);
    } finally {
      await m.close();
    }
  });
});

describe('LocalController: automatic leader rebalance', () => {
  it('moves leadership back at the check interval once the preferred replica is in sync', async () => {
    const time = new MockTime();
    const m = await open(time, { autoLeaderRebalanceEnable: true, leaderImbalanceCheckIntervalMs: INTERVAL_MS });
    try {
      await restartedPreferredLeader(m); // no time passed: the first pass is due at INTERVAL_MS
      await time.advance(INTERVAL_MS - 1);
      assert.deepEqual(leaders(m.image), [2, 2, 3]);
      await time.advance(1);
      assert.deepEqual(leaders(m.image), [1, 2, 3]);
      // the next passes find nothing to do and write nothing
      const end = m.nextOffset;
      await time.advance(INTERVAL_MS * 3);
      assert.equal(m.nextOffset, end);
    } finally {
      await m.close();
    }
    assert.equal(time.nextTimerAt(), null);
  });

  it('does nothing when auto.leader.rebalance.enable is off', async () => {
    const time = new MockTime();
    const m = await open(time, { autoLeaderRebalanceEnable: false, leaderImbalanceCheckIntervalMs: INTERVAL_MS });
    try {
      await restartedPreferredLeader(m);
      await time.advance(INTERVAL_MS * 10);
      assert.deepEqual(leaders(m.image), [2, 2, 3]);
      assert.equal(time.nextTimerAt(), null);
    } finally {
      await m.close();
    }
  });
});

describe('LeaderRebalance', () => {
  it('runs a pass every interval, 10 ms after a pass that was bounded, goes on after an error, and stops', async () => {
    const time = new MockTime(0);
    const runs: number[] = [];
    const answers: Array<boolean | Error> = [true, false, new Error('disk'), false];
    const errors: string[] = [];
    const r = new LeaderRebalance({
      time,
      intervalMs: INTERVAL_MS,
      pass: async () => {
        runs.push(time.now());
        const a = answers.shift() ?? false;
        if (a instanceof Error) throw a;
        return a;
      },
      onError: (err) => errors.push((err as Error).message),
    });
    r.start();
    r.start(); // already started: one schedule
    await time.advance(INTERVAL_MS * 3 + IMMEDIATE_PASS_DELAY_MS);
    assert.deepEqual(runs, [1000, 1010, 2010, 3010]);
    assert.deepEqual(errors, ['disk']);
    r.stop();
    assert.equal(time.nextTimerAt(), null);
    await time.advance(INTERVAL_MS * 5);
    assert.equal(runs.length, 4);
  });
});
