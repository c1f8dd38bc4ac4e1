// Test harness for the group coordinator: a coordinator over one in-memory __consumer_offsets
// partition, a manual clock, deterministic member ids, and request builders.
import { GroupCoordinator, InMemoryCoordinatorLog } from '../../src/coordinator/group/index.ts';
import { MockTime } from '@tributary/storage';
import type { GroupCoordinatorConfig, JoinGroupRequest, JoinGroupResult, SyncGroupResult } from '../../src/coordinator/group/index.ts';

export function subscription(...topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0])];
  const n = Buffer.alloc(4);
  n.writeInt32BE(topics.length);
  parts.push(n);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff])); // null user data
  return Buffer.concat(parts);
}

export class Harness {
  readonly time = new MockTime(1_000_000);
  log = new InMemoryCoordinatorLog();
  coordinator: GroupCoordinator;
  private uuid = 0;

  constructor(readonly config: Partial<GroupCoordinatorConfig> = {}) {
    this.coordinator = this.newCoordinator();
  }

  newCoordinator(): GroupCoordinator {
    return new GroupCoordinator({
      config: { offsetsTopicNumPartitions: 1, groupInitialRebalanceDelayMs: 3000, ...this.config },
      time: this.time,
      newUuid: () => `uuid${++this.uuid}`,
    });
  }

  static async start(config: Partial<GroupCoordinatorConfig> = {}): Promise<Harness> {
    const h = new Harness(config);
    await h.coordinator.loadPartition(0, h.log);
    return h;
  }

  /** Restart: a fresh coordinator replays the same log. */
  async restart(): Promise<void> {
    this.coordinator.shutdown();
    this.coordinator = this.newCoordinator();
    await this.coordinator.loadPartition(0, this.log);
  }

  get shard() {
    return this.coordinator.shard(0)!;
  }
  group(id: string) {
    return this.shard.groups.groups.get(id);
  }

  /** Lets queued operations and their appends finish. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await this.coordinator.idle();
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Moves the clock timer by timer, letting the operations each timer submits run before the next. */
  async advance(ms: number): Promise<void> {
    await this.settle();
    const target = this.time.now() + ms;
    for (;;) {
      const next = this.time.nextTimerAt();
      if (next === null || next > target) break;
      void this.time.advance(next - this.time.now()); // coordinator timers are synchronous: they have all run
      await this.settle();
    }
    void this.time.advance(target - this.time.now());
    await this.settle();
  }

  joinReq(over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
    return {
      groupId: 'g',
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription('t') }],
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 60_000,
      clientId: 'c',
      clientHost: '/127.0.0.1',
      apiVersion: 9,
      ...over,
    };
  }

  /** Starts a join and lets it reach the coordinator; the result may still be parked. */
  async join(over: Partial<JoinGroupRequest> = {}): Promise<{ result: Promise<JoinGroupResult>; settled: () => boolean }> {
    let done = false;
    const result = this.coordinator.joinGroup(this.joinReq(over));
    void result.then(() => {
      done = true;
    });
    await this.settle();
    return { result, settled: () => done };
  }

  /** Joins with MEMBER_ID_REQUIRED handshake; returns the parked second join. */
  async joinNew(over: Partial<JoinGroupRequest> = {}) {
    const first = await this.coordinator.joinGroup(this.joinReq(over));
    if (first.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
    const second = await this.join({ ...over, memberId: first.memberId });
    return { memberId: first.memberId, ...second };
  }

  async sync(
    memberId: string,
    generationId: number,
    assignments: { memberId: string; assignment: Buffer }[] = [],
    over: Partial<{ groupId: string; groupInstanceId: string | null; protocolType: string | null; protocolName: string | null }> = {},
  ) {
    let done = false;
    const result: Promise<SyncGroupResult> = this.coordinator.syncGroup({
      groupId: 'g',
      generationId,
      memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments,
      ...over,
    });
    void result.then(() => {
      done = true;
    });
    await this.settle();
    return { result, settled: () => done };
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = 'g') {
    return this.coordinator.heartbeat({ groupId, generationId, memberId, groupInstanceId }).then((r) => r.errorCode);
  }

  /** One member forms a stable group (generation 1); returns its id. */
  async stableSingleMember(over: Partial<JoinGroupRequest> = {}): Promise<string> {
    const m = over.groupInstanceId ? await this.join(over) : await this.joinNew(over);
    await this.advance(3000);
    const j = await m.result;
    if (j.errorCode !== 0) throw new Error(`join failed ${j.errorCode}`);
    const s = await this.sync(j.memberId, j.generationId, [{ memberId: j.memberId, assignment: Buffer.from('A') }], {
      groupInstanceId: over.groupInstanceId ?? null,
    });
    const sr = await s.result;
    if (sr.errorCode !== 0) throw new Error(`sync failed ${sr.errorCode}`);
    return j.memberId;
  }
}
