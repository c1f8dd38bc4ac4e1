// The ISR and elections, black-box, on a controller and three broker processes (RF 3,
// min.insync.replicas 2):
//   - a SIGSTOPped follower leaves the ISR once it has not caught up for replica.lag.time.max.ms
//     (not before; the leader checks every lag / 2, so by 1.5 x lag plus the controller's round
//     trip) and rejoins after SIGCONT; the session timeout is long here, so only the leader's lag
//     rule can remove it;
//   - with both followers SIGKILLed the ISR shrinks to the leader: acks=all is refused with
//     NOT_ENOUGH_REPLICAS (19), acks=1 is appended but not committed (the HW stays);
//   - no unclean election: with the last ISR member killed too, a restarted out-of-sync follower is
//     not elected (no leader) until the ISR member comes back, and then nothing committed is lost;
//   - a broker whose CLUSTER_ID is another cluster's is refused by the controller and exits with a
//     clear error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { NodeProcess } from '../../packages/tributary/src/cluster/node-process.ts';
import { createReplicatedTopic, latestOffset, partitionView, produceOne, startFaultCluster, waitFor } from './harness.ts';

const LAG_MS = 2000;

describe('ISR and elections across broker processes', { timeout: 120_000 }, () => {
  it('a paused follower leaves the ISR after replica.lag.time.max.ms and rejoins when resumed', async (t) => {
    const settings = {
      'replica.lag.time.max.ms': LAG_MS,
      'broker.session.timeout.ms': 60_000,
      'broker.heartbeat.interval.ms': 500,
      'min.insync.replicas': 2,
    };
    const { cluster } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'lag', 1, 3);
    const view = await waitFor(
      'the ISR of 3',
      async () => {
        const v = await partitionView(cluster, 'lag');
        return v.isr.length === 3 ? v : undefined;
      },
      10_000,
    );
    const leaderPort = cluster.portOf(view.leader);
    const follower = view.replicas.find((id) => id !== view.leader)!;
    // writes keep coming (the follower falls behind only while there is something to fetch)
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await produceOne(leaderPort, 'lag', `w${i}`, 1);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    t.after(() => {
      writing = false;
    });
    cluster.broker(follower).pause();
    const pausedAt = Date.now();
    await waitFor(
      `broker ${follower} out of the ISR`,
      async () => !(await partitionView(cluster, 'lag')).isr.includes(follower),
      LAG_MS * 4,
    );
    const after = Date.now() - pausedAt;
    assert.ok(after >= LAG_MS, `left the ISR after ${after} ms, before replica.lag.time.max.ms (${LAG_MS})`);
    assert.ok(after <= LAG_MS * 1.5 + 1500, `left the ISR only after ${after} ms`);
    assert.equal((await partitionView(cluster, 'lag')).leader, view.leader, 'the leader kept leading');
    cluster.broker(follower).resume();
    await waitFor(`broker ${follower} back in the ISR`, async () => (await partitionView(cluster, 'lag')).isr.includes(follower), 10_000);
    writing = false;
    await writer;
  });

  it('two brokers down: NOT_ENOUGH_REPLICAS for acks=all, no HW move for acks=1; no unclean election of an out-of-sync replica', async (t) => {
    const settings = {
      'replica.lag.time.max.ms': LAG_MS,
      'broker.session.timeout.ms': 1500,
      'broker.heartbeat.interval.ms': 300,
      'min.insync.replicas': 2,
    };
    const { cluster } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'minisr', 1, 3);
    const view = await waitFor(
      'the ISR of 3',
      async () => {
        const v = await partitionView(cluster, 'minisr');
        return v.isr.length === 3 ? v : undefined;
      },
      10_000,
    );
    const leaderPort = cluster.portOf(view.leader);
    for (let i = 0; i < 5; i++) assert.equal((await produceOne(leaderPort, 'minisr', `c${i}`, -1)).errorCode, ErrorCode.NONE);
    assert.equal(await latestOffset(leaderPort, 'minisr'), 5n);

    const [f1, f2] = view.replicas.filter((id) => id !== view.leader) as [number, number];
    await cluster.broker(f1).kill();
    await cluster.broker(f2).kill();
    await waitFor('the ISR shrunk to the leader', async () => (await partitionView(cluster, 'minisr')).isr.length === 1, 10_000);
    const refused = await produceOne(leaderPort, 'minisr', 'refused', -1);
    assert.equal(refused.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    const one = await produceOne(leaderPort, 'minisr', 'acks1', 1);
    assert.deepEqual([one.errorCode, one.baseOffset], [ErrorCode.NONE, 5n]);
    assert.equal(await latestOffset(leaderPort, 'minisr'), 5n, 'the HW stays while the ISR is below min.insync.replicas');

    // the last ISR member dies too, and an out-of-sync replica comes back: no leader
    // (unclean.leader.election.enable is false), not even once the dead leader is fenced
    await cluster.broker(view.leader).kill();
    await cluster.broker(f1).start();
    await waitFor('no leader', async () => (await partitionView(cluster, 'minisr')).leader === -1, 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    const stale = await partitionView(cluster, 'minisr');
    assert.deepEqual([stale.leader, stale.isr], [-1, [view.leader]]);
    // the ISR member returns: it leads again with everything committed; f1 catches up and rejoins
    await cluster.broker(view.leader).start();
    const back = await waitFor(
      'the ISR member leading again',
      async () => {
        const v = await partitionView(cluster, 'minisr');
        return v.leader === view.leader ? v : undefined;
      },
      10_000,
    );
    assert.ok(back.leaderEpoch > view.leaderEpoch);
    await waitFor(`broker ${f1} back in the ISR`, async () => (await partitionView(cluster, 'minisr')).isr.includes(f1), 10_000);
    assert.equal(await latestOffset(cluster.portOf(view.leader), 'minisr'), 6n, 'the acks=1 record committed once f1 caught up');
  });
});

describe('joining a cluster', { timeout: 60_000 }, () => {
  it('a broker formatted for another cluster refuses to join with a clear error', async (t) => {
    const { cluster } = await startFaultCluster(t, { brokers: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'tributary-stranger-'));
    const stranger = new NodeProcess({
      name: 'stranger',
      command: cluster.broker(1).options.command,
      clusterId: 'another-cluster-id',
      settings: {
        ...cluster.broker(1).options.settings,
        'node.id': 7,
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dir,
      },
      startTimeoutMs: 20_000,
    });
    t.after(async () => {
      await stranger.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    await assert.rejects(
      stranger.start(),
      /exited \(1\) before listening[\s\S]*broker 7 cannot register: the controller belongs to another cluster \(INCONSISTENT_CLUSTER_ID\)/,
    );
  });
});
