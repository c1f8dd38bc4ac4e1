// The controller quorum (KIP-595) across processes, black-box: combined nodes (broker,controller),
// every one a voter of `controller.quorum.voters`, `tributary start` each.
//   - SIGKILL of the active controller while topics are being created and partitions it leads
//     need new leaders: a new controller is elected within a few election timeouts, every topic
//     whose creation was acknowledged exists on every node afterwards, leadership moves off the
//     dead broker, and the killed node comes back as a follower that catches up;
//   - the active controller isolated by SIGSTOP: the others elect a new one and carry on; once it
//     resumes it follows the new epoch, and the metadata log is byte-identical on every node;
//   - a full restart of every node: the same metadata afterwards;
//   - five voters lose two (the leader among them) and still create topics.
// DescribeQuorum (through any broker listener, forwarded to the active controller) is checked
// before and after each fault.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { withWire } from '../interop/wire-client.ts';
import { latestOffset, partitionView, produceOne, startFaultCluster, waitFor } from './harness.ts';

const SETTINGS = {
  'controller.quorum.election.timeout.ms': 500,
  'controller.quorum.fetch.timeout.ms': 1000,
  'broker.session.timeout.ms': 2000,
  'broker.heartbeat.interval.ms': 300,
};

interface Quorum {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: { replicaId: number; logEndOffset: bigint }[];
}

const live = (cluster: LocalCluster) => cluster.brokerIds.filter((id) => cluster.broker(id).running);

/** DescribeQuorum v2 through a live node's broker listener (forwarded to the active controller). */
async function describeQuorum(cluster: LocalCluster, via = live(cluster)): Promise<Quorum> {
  let last: unknown = null;
  for (const id of via) {
    try {
      const r = await withWire(cluster.portOf(id), (c) =>
        c.request(ApiKey.DescribeQuorum, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
      );
      const p = r.topics[0]?.partitions[0];
      if (r.errorCode !== ErrorCode.NONE || !p || p.errorCode !== ErrorCode.NONE)
        throw new Error(`DescribeQuorum: ${r.errorCode}/${p?.errorCode}`);
      return { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, highWatermark: p.highWatermark, voters: p.currentVoters };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Waits for a leader among `among` whose voters all report the high watermark as their log end. */
function settledQuorum(cluster: LocalCluster, among: number[], voters: number, timeoutMs = 20_000): Promise<Quorum> {
  return waitFor(
    `a settled quorum led by one of ${among}`,
    async () => {
      const q = await describeQuorum(cluster, among);
      if (!among.includes(q.leaderId)) return undefined;
      const caughtUp = q.voters.filter((v) => v.logEndOffset === q.highWatermark);
      return caughtUp.length >= voters ? q : undefined;
    },
    timeoutMs,
  );
}

/** CreateTopics through the live nodes in turn; resolves with the error code of the first answer. */
async function createTopic(cluster: LocalCluster, name: string, replicationFactor: number, via = live(cluster)): Promise<number> {
  let last: unknown = null;
  for (const id of via) {
    try {
      const res = await withWire(cluster.portOf(id), (c) =>
        c.request(ApiKey.CreateTopics, 5, {
          topics: [{ name, numPartitions: 1, replicationFactor, assignments: [], configs: [] }],
          timeoutMs: 10_000,
          validateOnly: false,
        }),
      );
      return res.topics[0]!.errorCode;
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Each live node's own view of the topics (Metadata from its broker listener): name -> id and replicas. */
async function topicsSeenBy(cluster: LocalCluster, id: number): Promise<Map<string, string>> {
  const md = await withWire(cluster.portOf(id), (c) => c.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false }));
  return new Map(
    md.topics
      .filter((t) => !t.isInternal)
      .map((t) => [t.name!, `${t.topicId} ${t.partitions.map((p) => `${p.partitionIndex}:[${p.replicaNodes}]`).join(' ')}`]),
  );
}

/** `__cluster_metadata-0`'s segment files of a node, concatenated. */
function metadataLogBytes(dataDir: string, id: number): Buffer {
  const dir = join(dataDir, `broker-${id}`, '__cluster_metadata-0');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
}

describe('the controller quorum', { timeout: 180_000 }, () => {
  it('SIGKILL of the active controller during topic creation and elections: a new one is elected, nothing acknowledged is lost', async (t) => {
    const { cluster, log } = await startFaultCluster(t, { brokers: 3, combined: true, brokerSettings: SETTINGS });
    const before = await settledQuorum(cluster, [1, 2, 3], 3);
    assert.deepEqual(before.voters.map((v) => v.replicaId).sort(), [1, 2, 3]);
    assert.ok(before.highWatermark > 0n);
    // partitions the doomed node leads: their leadership must move when it dies
    for (let i = 0; i < 3; i++) assert.equal(await createTopic(cluster, `led-${i}`, 3), ErrorCode.NONE);
    const doomed = before.leaderId;

    const acknowledged: string[] = [];
    let stop = false;
    const creating = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          if ((await createTopic(cluster, `during-${i}`, 2)) === ErrorCode.NONE) acknowledged.push(`during-${i}`);
        } catch {
          // the node asked died: the next attempt goes to another
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    await cluster.broker(doomed).kill();
    const after = await settledQuorum(
      cluster,
      [1, 2, 3].filter((id) => id !== doomed),
      2,
    ).catch((err) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    const electedIn = Date.now() - killedAt;
    assert.ok(after.leaderEpoch > before.leaderEpoch, `epoch ${after.leaderEpoch} after ${before.leaderEpoch}`);
    assert.ok(after.highWatermark >= before.highWatermark);
    assert.ok(electedIn < 10_000, `a new controller after ${electedIn} ms`);
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await creating;
    assert.ok(acknowledged.length > 0, 'topics were created across the failover');

    // elections resumed: no partition is led by the dead broker once it is fenced
    for (let i = 0; i < 3; i++) {
      await waitFor(
        `led-${i} to move off broker ${doomed}`,
        async () => (await partitionView(cluster, `led-${i}`)).leader !== doomed,
        10_000,
      );
    }
    // it comes back as a follower and catches up; every node has every acknowledged topic, the same way
    await cluster.broker(doomed).start();
    const rejoined = await settledQuorum(cluster, [1, 2, 3], 3);
    assert.notEqual(rejoined.leaderId, doomed);
    const views = await Promise.all(
      [1, 2, 3].map((id) =>
        waitFor(
          `node ${id} to see every topic`,
          async () => {
            const seen = await topicsSeenBy(cluster, id);
            return acknowledged.every((n) => seen.has(n)) ? seen : undefined;
          },
          10_000,
        ),
      ),
    );
    for (const v of views.slice(1)) assert.deepEqual([...v].sort(), [...views[0]!].sort());
  });

  it('an active controller stopped by SIGSTOP is replaced; resumed, it follows the new epoch and the logs match', async (t) => {
    const { cluster, dataDir } = await startFaultCluster(t, { brokers: 3, combined: true, brokerSettings: SETTINGS });
    const before = await settledQuorum(cluster, [1, 2, 3], 3);
    const paused = before.leaderId;
    const others = [1, 2, 3].filter((id) => id !== paused);
    cluster.broker(paused).pause();
    const during = await settledQuorum(cluster, others, 2);
    assert.ok(during.leaderEpoch > before.leaderEpoch);
    assert.equal(await createTopic(cluster, 'while-paused', 2, others), ErrorCode.NONE);
    cluster.broker(paused).resume();
    const after = await settledQuorum(cluster, others, 3);
    assert.equal(after.leaderEpoch, during.leaderEpoch, 'the resumed node does not disturb the new leader (pre-vote)');
    await waitFor('the resumed node to see the new topic', async () => (await topicsSeenBy(cluster, paused)).has('while-paused'), 10_000);
    // quiet now: the metadata log is the same bytes on every voter
    const settled = await settledQuorum(cluster, others, 3);
    const logs = [1, 2, 3].map((id) => metadataLogBytes(dataDir, id));
    assert.ok(logs[0]!.length > 0);
    for (const l of logs.slice(1)) assert.ok(l.equals(logs[0]!), `metadata logs differ (HW ${settled.highWatermark})`);
  });

  it('a full restart of every node keeps the metadata and the data', async (t) => {
    const { cluster, log } = await startFaultCluster(t, { brokers: 3, combined: true, brokerSettings: SETTINGS });
    await settledQuorum(cluster, [1, 2, 3], 3);
    for (let i = 0; i < 5; i++) assert.equal(await createTopic(cluster, `kept-${i}`, 3), ErrorCode.NONE);
    // data on every node: a restarted voter must not take its partitions for strays before its image caught up
    const isr = await waitFor(
      'kept-0 fully in sync',
      async () => {
        const v = await partitionView(cluster, 'kept-0');
        return v.isr.length === 3 ? v : undefined;
      },
      10_000,
    );
    for (let i = 0; i < 5; i++) assert.equal((await produceOne(cluster.portOf(isr.leader), 'kept-0', `r${i}`)).errorCode, ErrorCode.NONE);
    const before = await waitFor(
      'node 1 to see the five topics',
      async () => {
        const seen = await topicsSeenBy(cluster, 1);
        return seen.size === 5 ? seen : undefined;
      },
      10_000,
    );
    const hwBefore = (await describeQuorum(cluster)).highWatermark;
    await cluster.kill();
    await Promise.all([1, 2, 3].map((id) => cluster.broker(id).start()));
    const q = await settledQuorum(cluster, [1, 2, 3], 3);
    assert.ok(q.highWatermark >= hwBefore);
    for (const id of [1, 2, 3]) {
      const seen = await waitFor(
        `node ${id} to replay the metadata`,
        async () => {
          const s = await topicsSeenBy(cluster, id);
          return s.size === before.size ? s : undefined;
        },
        10_000,
      ).catch((err) => {
        throw new Error(`${err.message}: ${JSON.stringify([...before.keys()])}\n${log()}`);
      });
      assert.deepEqual([...seen].sort(), [...before].sort());
    }
    const leader = await waitFor(
      'kept-0 led again',
      async () => {
        const v = await partitionView(cluster, 'kept-0');
        return v.leader >= 0 ? v.leader : undefined;
      },
      10_000,
    );
    assert.equal(
      await waitFor('kept-0 readable', () => latestOffset(cluster.portOf(leader), 'kept-0'), 15_000),
      5n,
      'the 5 records acknowledged before the restart',
    );
  });

  it('five voters survive the loss of two, the leader among them', async (t) => {
    const { cluster } = await startFaultCluster(t, { brokers: 5, combined: true, brokerSettings: SETTINGS });
    const before = await settledQuorum(cluster, [1, 2, 3, 4, 5], 5, 30_000);
    const second = [1, 2, 3, 4, 5].find((id) => id !== before.leaderId)!;
    await cluster.broker(before.leaderId).kill();
    await cluster.broker(second).kill();
    const survivors = [1, 2, 3, 4, 5].filter((id) => id !== before.leaderId && id !== second);
    const after = await settledQuorum(cluster, survivors, 3);
    assert.ok(after.leaderEpoch > before.leaderEpoch);
    assert.equal(await createTopic(cluster, 'after-two-losses', 3), ErrorCode.NONE);
  });
});
