// Issue 20: DeleteGroups right after the last member left answers NONE, as Kafka does, over real
// sockets. Kafka handles one request per connection at a time, so a LeaveGroup a consumer sends
// on the connection of its parked JoinGroup is handled only once that JoinGroup has answered
// (the rebalance completed with the member in it); the leave then empties the group at once.
// The pipelined requests go out in one write (cork): with Nagle's algorithm the second frame may
// otherwise trail by a delayed ACK and arrive after the initial rebalance delay, which is what
// made the failure intermittent. Each scenario runs many rounds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { join, joinBody } from './helpers/group-client.ts';

const ROUNDS = 200;
const SETTINGS = { 'offsets.topic.num.partitions': 3, 'group.initial.rebalance.delay.ms': 20, 'group.min.session.timeout.ms': 1000 };

describe('DeleteGroups right after the last member left', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  let admin: KafkaTestClient;
  before(async () => {
    kafka = await startTestBroker(SETTINGS);
    admin = await kafkaClient(kafka.port, 'admin');
    // Creates __consumer_offsets; every group below is coordinated by this broker.
    assert.equal((await admin.request(ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 })).errorCode, 0);
  });
  after(async () => {
    admin.close();
    await kafka.stop();
  });

  const deleteGroup = async (groupId: string) =>
    (await admin.request(ApiKey.DeleteGroups, 2, { groupsNames: [groupId] })).results[0]!.errorCode;
  const leave = (c: KafkaTestClient, groupId: string, memberId: string) =>
    c.request(ApiKey.LeaveGroup, 4, { groupId, members: [{ memberId, groupInstanceId: null, reason: null }] });

  it(`a member that joined and synced leaves: NONE (${ROUNDS} rounds)`, async () => {
    const codes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const groupId = `stable-${i}`;
      const m = await join(kafka.port, groupId);
      const sync = await m.client.request(ApiKey.SyncGroup, 5, {
        groupId,
        generationId: m.generationId,
        memberId: m.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId: m.memberId, assignment: Buffer.from('a') }],
      });
      assert.equal(sync.errorCode, 0);
      assert.equal((await leave(m.client, groupId, m.memberId)).members[0]!.errorCode, 0);
      codes.push(await deleteGroup(groupId));
      m.client.close();
    }
    assert.deepEqual(codes, new Array(ROUNDS).fill(0));
  });

  it(`a member leaves while its JoinGroup is parked, on the same connection: NONE (${ROUNDS} rounds)`, async () => {
    const rounds: number[][] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const groupId = `parked-${i}`;
      const c = await kafkaClient(kafka.port);
      const first = await c.request(ApiKey.JoinGroup, 5, joinBody(groupId, ''));
      assert.equal(first.errorCode, 79);
      // Both requests in one write: the LeaveGroup arrives while the JoinGroup is parked.
      c.wire.socket.cork();
      const joined = c.request(ApiKey.JoinGroup, 5, joinBody(groupId, first.memberId));
      const leaving = leave(c, groupId, first.memberId);
      c.wire.socket.uncork();
      const left = await leaving;
      // Kafka: the JoinGroup completes first (generation 1), then the leave empties the group.
      rounds.push([(await joined).errorCode, (await joined).generationId, left.members[0]!.errorCode, await deleteGroup(groupId)]);
      c.close();
    }
    assert.deepEqual(rounds, new Array(ROUNDS).fill([0, 1, 0, 0]));
  });

  it(`a static member leaves by LeaveGroup v3 with its group.instance.id: NONE (${ROUNDS / 4} rounds)`, async () => {
    const rounds: number[][] = [];
    for (let i = 0; i < ROUNDS / 4; i++) {
      const groupId = `static-${i}`;
      const c = await kafkaClient(kafka.port);
      const joined = await c.request(ApiKey.JoinGroup, 5, { ...joinBody(groupId, ''), groupInstanceId: 'instance-1' });
      const sync = await c.request(ApiKey.SyncGroup, 3, {
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        groupInstanceId: 'instance-1',
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }],
      });
      const left = await c.request(ApiKey.LeaveGroup, 3, {
        groupId,
        members: [{ memberId: joined.memberId, groupInstanceId: 'instance-1' }],
      });
      rounds.push([joined.errorCode, sync.errorCode, left.errorCode, left.members[0]!.errorCode, await deleteGroup(groupId)]);
      c.close();
    }
    assert.deepEqual(rounds, new Array(ROUNDS / 4).fill([0, 0, 0, 0, 0]));
  });

  it(`two members, one parked in a rebalance, both leave: NONE (${ROUNDS / 4} rounds)`, async () => {
    const codes: number[] = [];
    for (let i = 0; i < ROUNDS / 4; i++) {
      const groupId = `pair-${i}`;
      const a = await join(kafka.port, groupId);
      const sa = await a.client.request(ApiKey.SyncGroup, 3, {
        groupId,
        generationId: a.generationId,
        memberId: a.memberId,
        groupInstanceId: null,
        assignments: [{ memberId: a.memberId, assignment: Buffer.from('a') }],
      });
      assert.equal(sa.errorCode, 0);
      // B's JoinGroup parks: the group waits for A to rejoin.
      const b = await kafkaClient(kafka.port);
      const bFirst = await b.request(ApiKey.JoinGroup, 5, joinBody(groupId, ''));
      b.wire.socket.cork();
      const bJoined = b.request(ApiKey.JoinGroup, 5, joinBody(groupId, bFirst.memberId));
      const bLeft = leave(b, groupId, bFirst.memberId);
      b.wire.socket.uncork();
      assert.equal((await leave(a.client, groupId, a.memberId)).members[0]!.errorCode, 0);
      assert.equal((await bLeft).members[0]!.errorCode, 0);
      await bJoined;
      codes.push(await deleteGroup(groupId));
      a.client.close();
      b.close();
    }
    assert.deepEqual(codes, new Array(ROUNDS / 4).fill(0));
  });
});
