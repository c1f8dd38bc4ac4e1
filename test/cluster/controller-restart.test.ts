// The dedicated controller (one voter for now) going away and coming back, black-box: while it is
// down (SIGKILL) the brokers keep serving what they have (acks=all produce and fetch on a stable
// ISR); a follower that dies meanwhile is fenced once the controller is back (its session restarts
// with the controller and expires); metadata changes resume (a new topic is created through a
// broker); and a leader that dies afterwards is fenced after broker.session.timeout.ms, its
// leadership moving to the in-sync replica left (alone, below min.insync.replicas: acks=all is refused).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { withWire } from '../interop/wire-client.ts';
import { createReplicatedTopic, partitionView, produceOne, startFaultCluster, waitFor } from './harness.ts';

describe('the controller restarting', { timeout: 90_000 }, () => {
  it('brokers serve data while it is down; metadata changes resume and silent brokers are fenced once it is back', async (t) => {
    const settings = { 'broker.session.timeout.ms': 2000, 'broker.heartbeat.interval.ms': 300, 'min.insync.replicas': 2 };
    const { cluster } = await startFaultCluster(t, { brokers: 3, brokerSettings: settings, controllerSettings: settings });
    await createReplicatedTopic(cluster, 'steady', 1, 3);
    const view = await waitFor(
      'the ISR of 3',
      async () => {
        const v = await partitionView(cluster, 'steady');
        return v.isr.length === 3 ? v : undefined;
      },
      10_000,
    );
    const leaderPort = cluster.portOf(view.leader);

    await cluster.controller.kill();
    for (let i = 0; i < 5; i++) {
      const r = await produceOne(leaderPort, 'steady', `while-down-${i}`);
      assert.deepEqual([r.errorCode, r.baseOffset], [ErrorCode.NONE, BigInt(i)]);
    }

    // a follower dies while the controller is down
    const follower = view.replicas.find((id) => id !== view.leader)!;
    await cluster.broker(follower).kill();

    const restartedAt = Date.now();
    await cluster.controller.start();
    // the restarted controller starts every registered broker's session anew: the dead follower's
    // expires and it is fenced, leaving the ISR (replica.lag.time.max.ms, 30 s, is not what does it)
    await waitFor(
      `broker ${follower} fenced out of the ISR`,
      async () => !(await partitionView(cluster, 'steady')).isr.includes(follower),
      10_000,
    );
    assert.ok(Date.now() - restartedAt < 9000, "fenced by the session timeout, not by the leader's lag check");
    await createReplicatedTopic(cluster, 'after', 1, 2); // forwarded to the restarted controller
    await waitFor(
      'every broker sees the new topic',
      async () => {
        for (const id of cluster.brokerIds.filter((x) => cluster.broker(x).running)) {
          const md = await withWire(cluster.portOf(id), (c) =>
            c.request(ApiKey.Metadata, 12, { topics: [{ name: 'after', topicId: undefined }], allowAutoTopicCreation: false }),
          );
          if (md.topics[0]?.errorCode !== ErrorCode.NONE) return false;
        }
        return true;
      },
      10_000,
    );

    // a broker that dies now is fenced by the restarted controller, and its leadership moves
    await cluster.broker(view.leader).kill();
    const moved = await waitFor(
      'a new leader',
      async () => {
        const v = await partitionView(cluster, 'steady');
        return v.leader !== view.leader && v.leader > 0 ? v : undefined;
      },
      10_000,
    );
    assert.ok(view.isr.includes(moved.leader) && moved.leader !== follower);
    // two of three replicas are gone: the survivor leads alone, below min.insync.replicas (2)
    assert.deepEqual(moved.isr, [moved.leader]);
    const r = await produceOne(cluster.portOf(moved.leader), 'steady', 'after-failover');
    assert.deepEqual([r.errorCode, r.baseOffset], [ErrorCode.NOT_ENOUGH_REPLICAS, -1n]);
  });
});
