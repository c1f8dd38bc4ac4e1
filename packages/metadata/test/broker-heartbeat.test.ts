// Broker heartbeats in the LocalController (Kafka's QuorumController.processBrokerHeartbeat and
// BrokerHeartbeatManager): unfenced once caught up with its registration, fenced when asked or when
// its session times out (exactly after broker.session.timeout.ms, driven by MockTime), controlled
// shutdown moving leaderships away and ending with ShouldShutDown, stale epochs, duplicate ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { LocalController, partitionsInOrder, type BrokerHeartbeatRequest, type MetadataImage } from '../src/index.ts';
import { endpoint, incarnationId, options } from './helpers/fixtures.ts';

const SESSION_MS = 9000;

async function open(time: MockTime, fs = new MemoryFileSystem()): Promise<LocalController> {
  return LocalController.open({ logDir: '/meta', controller: options({ sessionTimeoutMs: SESSION_MS }), time, fs });
}

async function register(m: LocalController, id: number, incarnation = id): Promise<bigint> {
  const r = await m.registerBroker({ brokerId: id, incarnationId: incarnationId(incarnation), endpoints: [endpoint(9090 + id)] });
  assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage ?? '');
  return r.brokerEpoch;
}

/** A heartbeat reporting the controller's current offset unless told otherwise. */
function heartbeat(m: LocalController, brokerId: number, brokerEpoch: bigint, over: Partial<BrokerHeartbeatRequest> = {}) {
  return m.brokerHeartbeat({
    brokerId,
    brokerEpoch,
    currentMetadataOffset: m.image.provenance.lastOffset,
    wantFence: false,
    wantShutDown: false,
    ...over,
  });
}

const reply = (r: {
  errorCode: number;
  isCaughtUp: boolean;
  isFenced: boolean;
  inControlledShutdown: boolean;
  shouldShutDown: boolean;
}) => ({
  errorCode: r.errorCode,
  isCaughtUp: r.isCaughtUp,
  isFenced: r.isFenced,
  inControlledShutdown: r.inControlledShutdown,
  shouldShutDown: r.shouldShutDown,
});
const ok = (o: Partial<ReturnType<typeof reply>>) => ({
  errorCode: 0,
  isCaughtUp: true,
  isFenced: false,
  inControlledShutdown: false,
  shouldShutDown: false,
  ...o,
});

const parts = (image: MetadataImage, topic: string) =>
  partitionsInOrder(image.topic(topic)!).map(([p, r]) => `${p}: leader=${r.leader} isr=${r.isr.join(',')}`);

/** Brokers registered and unfenced by heartbeats; returns their epochs. */
async function liveBrokers(m: LocalController, ids: number[]): Promise<Map<number, bigint>> {
  const epochs = new Map<number, bigint>();
  for (const id of ids) epochs.set(id, await register(m, id));
  for (const id of ids) assert.deepEqual(reply(await heartbeat(m, id, epochs.get(id)!)), ok({}));
  return epochs;
}

describe('LocalController: broker heartbeats', () => {
  it('a registered broker stays fenced until it reports an offset at or past its registration, then is unfenced', async () => {
    const m = await open(new MockTime());
    try {
      const epoch = await register(m, 1);
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
      const behind = await heartbeat(m, 1, epoch, { currentMetadataOffset: Number(epoch) - 1 });
      assert.deepEqual(reply(behind), ok({ isCaughtUp: false, isFenced: true }));
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
      const end = m.nextOffset;
      const caughtUp = await heartbeat(m, 1, epoch, { currentMetadataOffset: Number(epoch) });
      assert.deepEqual(reply(caughtUp), ok({}));
      assert.equal(m.image.cluster.broker(1)!.fenced, false);
      assert.equal(m.nextOffset, end + 1); // one BrokerRegistrationChangeRecord
      // an unfenced broker's heartbeat writes nothing
      assert.deepEqual(reply(await heartbeat(m, 1, epoch)), ok({}));
      assert.equal(m.nextOffset, end + 1);
      // asking to be fenced
      assert.deepEqual(reply(await heartbeat(m, 1, epoch, { wantFence: true })), ok({ isFenced: true }));
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
      // a fenced broker asking to be fenced stays fenced; asking to shut down may do so at once
      assert.deepEqual(reply(await heartbeat(m, 1, epoch, { wantFence: true })), ok({ isFenced: true }));
      assert.deepEqual(reply(await heartbeat(m, 1, epoch, { wantShutDown: true })), ok({ isFenced: true, shouldShutDown: true }));
    } finally {
      await m.close();
    }
  });

  it('a stale or unknown broker epoch is STALE_BROKER_EPOCH and changes nothing', async () => {
    const m = await open(new MockTime());
    try {
      const epoch = await register(m, 1);
      const end = m.nextOffset;
      const stale = await heartbeat(m, 1, epoch - 1n);
      assert.deepEqual(
        { ...reply(stale), errorMessage: stale.errorMessage },
        {
          ...ok({ errorCode: ErrorCode.STALE_BROKER_EPOCH, isCaughtUp: false, isFenced: true }),
          errorMessage: `Expected broker epoch ${epoch}, but got broker epoch ${epoch - 1n}`,
        },
      );
      assert.equal((await heartbeat(m, 7, 1n)).errorCode, ErrorCode.STALE_BROKER_EPOCH);
      assert.equal(m.nextOffset, end);
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
    } finally {
      await m.close();
    }
  });

  it('a broker silent for more than broker.session.timeout.ms is fenced (not a millisecond before), leaving every ISR', async () => {
    const time = new MockTime();
    const m = await open(time);
    try {
      const epochs = await liveBrokers(m, [1, 2]);
      await m.createTopics([{ name: 't', numPartitions: 2, replicationFactor: 2 }]);
      assert.deepEqual(parts(m.image, 't'), ['0: leader=1 isr=1,2', '1: leader=2 isr=2,1']);
      await time.advance(5000);
      await heartbeat(m, 2, epochs.get(2)!); // broker 2 keeps its session; broker 1 last heartbeated at 0
      await time.advance(SESSION_MS - 5000);
      assert.equal(m.image.cluster.broker(1)!.fenced, false); // exactly the timeout: still valid
      await time.advance(1);
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
      assert.equal(m.image.cluster.broker(2)!.fenced, false);
      assert.deepEqual(parts(m.image, 't'), ['0: leader=2 isr=2', '1: leader=2 isr=2']);
      // broker 2: last heartbeat at 5000
      await time.advance(5000 + SESSION_MS - (SESSION_MS + 1));
      assert.equal(m.image.cluster.broker(2)!.fenced, false);
      await time.advance(1);
      assert.equal(m.image.cluster.broker(2)!.fenced, true);
      assert.deepEqual(parts(m.image, 't'), ['0: leader=-1 isr=2', '1: leader=-1 isr=2']);
      assert.equal(time.nextTimerAt(), null); // no session left to watch
      // a fenced broker heartbeating again (caught up) is unfenced and leads again
      assert.deepEqual(reply(await heartbeat(m, 2, epochs.get(2)!)), ok({}));
      assert.deepEqual(parts(m.image, 't'), ['0: leader=2 isr=2', '1: leader=2 isr=2']);
    } finally {
      await m.close();
    }
  });

  it('a re-registered broker is not fenced for the silence of its previous epoch', async () => {
    const time = new MockTime();
    const m = await open(time);
    try {
      await liveBrokers(m, [1]);
      await time.advance(4000);
      const again = await register(m, 1); // same incarnation: a quick restart
      await time.advance(SESSION_MS);
      assert.equal(m.image.cluster.broker(1)!.epoch, again);
      assert.equal(m.image.cluster.broker(1)!.fenced, true); // registered fenced, not by the timer
      assert.deepEqual(reply(await heartbeat(m, 1, again)), ok({}));
    } finally {
      await m.close();
    }
  });

  it('another incarnation may not take a broker id whose session is live (DUPLICATE_BROKER_REGISTRATION); it may once it expired or the broker was fenced', async () => {
    const time = new MockTime();
    const m = await open(time);
    try {
      await liveBrokers(m, [1]);
      const dup = await m.registerBroker({ brokerId: 1, incarnationId: incarnationId(99), endpoints: [endpoint(1)] });
      assert.deepEqual([dup.errorCode, dup.brokerEpoch], [ErrorCode.DUPLICATE_BROKER_REGISTRATION, -1n]);
      await time.advance(SESSION_MS + 1);
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
      const r = await m.registerBroker({ brokerId: 1, incarnationId: incarnationId(99), endpoints: [endpoint(1)] });
      assert.equal(r.errorCode, ErrorCode.NONE);
      // a broker fenced within its session (WantFence, or the end of a controlled shutdown) frees its id at once
      const epochs = await liveBrokers(m, [2]);
      assert.equal((await heartbeat(m, 2, epochs.get(2)!, { wantFence: true })).errorCode, ErrorCode.NONE);
      assert.equal(m.image.cluster.broker(2)!.fenced, true);
      const again = await m.registerBroker({ brokerId: 2, incarnationId: incarnationId(98), endpoints: [endpoint(2)] });
      assert.equal(again.errorCode, ErrorCode.NONE);
    } finally {
      await m.close();
    }
  });

  it('a restarted controller gives unfenced brokers a session from its start: one silent since is fenced after the timeout; one restarting registers at once', async () => {
    const time = new MockTime();
    const fs = new MemoryFileSystem();
    const first = await open(time, fs);
    await liveBrokers(first, [1, 2]);
    await first.close();
    await time.advance(60_000); // the controller was down for a minute
    const m = await open(time, fs);
    try {
      assert.deepEqual([m.image.cluster.broker(1)!.fenced, m.image.cluster.broker(2)!.fenced], [false, false]);
      // broker 1 comes back (a new process, a new incarnation): not a duplicate of its provisional session
      const e1 = await register(m, 1, 11);
      await heartbeat(m, 1, e1);
      await time.advance(SESSION_MS);
      assert.equal(m.image.cluster.broker(2)!.fenced, false, 'exactly the timeout: not yet');
      await heartbeat(m, 1, e1);
      await time.advance(1);
      assert.deepEqual([m.image.cluster.broker(1)!.fenced, m.image.cluster.broker(2)!.fenced], [false, true]);
    } finally {
      await m.close();
    }
  });

  it('controlled shutdown: leaderships move away, ISRs shrink, ShouldShutDown once it leads nothing and the others caught up', async () => {
    const time = new MockTime();
    const m = await open(time);
    try {
      const epochs = await liveBrokers(m, [1, 2, 3]);
      const ring = [
        [1, 2],
        [2, 3],
        [3, 1],
      ].map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds }));
      await m.createTopics([{ name: 't', assignments: ring }]);
      await m.createTopics([{ name: 'solo', assignments: [{ partitionIndex: 0, brokerIds: [1] }] }]);
      assert.deepEqual(parts(m.image, 't'), ['0: leader=1 isr=1,2', '1: leader=2 isr=2,3', '2: leader=3 isr=3,1']);
      const e1 = epochs.get(1)!;

      const start = await heartbeat(m, 1, e1, { wantShutDown: true });
      assert.deepEqual(reply(start), ok({ inControlledShutdown: true }));
      const csOffset = m.image.provenance.lastOffset;
      assert.equal(m.heartbeats.controlledShutdownOffset(1), csOffset);
      assert.equal(m.image.cluster.broker(1)!.inControlledShutdown, true);
      assert.equal(m.image.cluster.broker(1)!.fenced, false);
      assert.deepEqual(parts(m.image, 't'), ['0: leader=2 isr=2', '1: leader=2 isr=2,3', '2: leader=3 isr=3']);
      assert.deepEqual(parts(m.image, 'solo'), ['0: leader=-1 isr=1']); // no one else: offline, ISR kept

      // it leads nothing now, but brokers 2 and 3 have not yet reported the offset that moved the leaders
      assert.deepEqual(reply(await heartbeat(m, 1, e1, { wantShutDown: true })), ok({ inControlledShutdown: true }));
      await heartbeat(m, 2, epochs.get(2)!);
      assert.deepEqual(reply(await heartbeat(m, 1, e1, { wantShutDown: true })), ok({ inControlledShutdown: true }));
      await heartbeat(m, 3, epochs.get(3)!, { currentMetadataOffset: csOffset - 1 });
      assert.deepEqual(reply(await heartbeat(m, 1, e1, { wantShutDown: true })), ok({ inControlledShutdown: true }));
      await heartbeat(m, 3, epochs.get(3)!, { currentMetadataOffset: csOffset });
      const done = await heartbeat(m, 1, e1, { wantShutDown: true });
      assert.deepEqual(reply(done), ok({ isFenced: true, shouldShutDown: true }));
      assert.equal(m.image.cluster.broker(1)!.fenced, true);
      assert.equal(m.heartbeats.controlledShutdownOffset(1), -1);
      // fenced: later elections never pick it
      assert.deepEqual(parts(m.image, 't'), ['0: leader=2 isr=2', '1: leader=2 isr=2,3', '2: leader=3 isr=3']);
    } finally {
      await m.close();
    }
  });

  it('an unfenced broker leading nothing that asks to shut down may do so at once', async () => {
    const m = await open(new MockTime());
    try {
      const epochs = await liveBrokers(m, [1, 2]);
      await m.createTopics([{ name: 't', assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }] }]);
      const r = await heartbeat(m, 2, epochs.get(2)!, { wantShutDown: true });
      assert.deepEqual(reply(r), ok({ isFenced: true, shouldShutDown: true }));
      assert.deepEqual(parts(m.image, 't'), ['0: leader=1 isr=1']);
    } finally {
      await m.close();
    }
  });
});
