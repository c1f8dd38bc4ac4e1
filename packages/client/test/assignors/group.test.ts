// Group protocol around the assignors: JoinGroup protocols, rebalance protocol choice, the leader's
// assignment (cooperative validation), assignment diffs, and interop with KafkaJS's member
// metadata, assignment encoding and RoundRobinAssigner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  CooperativeStickyAssignor,
  KafkaJSRoundRobinAssignor,
  RangeAssignor,
  createAssignor,
  decodeAssignment,
  decodeSubscription,
  diffAssignment,
  encodeAssignment,
  groupByTopic,
  joinProtocols,
  leaderAssign,
  rebalanceProtocolOf,
  validateCooperativeAssignment,
  CooperativeAssignmentError,
  subscription,
  tp,
  flattenTopicPartitions,
  type JoinGroupMember,
} from '../../src/assignors/index.ts';

const require = createRequire(import.meta.url);
const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol');
const kafkajsRoundRobin = require('kafkajs/src/consumer/assigners/roundRobinAssigner');

const parts = (n: number) => Array.from({ length: n }, (_, partition) => ({ partition }));

test('rebalance protocol: cooperative only when all assignors support it', () => {
  assert.equal(rebalanceProtocolOf([new CooperativeStickyAssignor()]), 'cooperative');
  assert.equal(rebalanceProtocolOf([new RangeAssignor(), new CooperativeStickyAssignor()]), 'eager');
  assert.equal(rebalanceProtocolOf([]), 'eager');
});

test('join protocols carry topics, owned partitions, generation and rack; userData per assignor', () => {
  const coop = new CooperativeStickyAssignor();
  coop.onAssignment([], 4);
  const ps = joinProtocols([coop, new RangeAssignor()], ['b', 'a'], [tp('a', 1), tp('a', 0)], 4, 'r1');
  assert.deepEqual(
    ps.map((p) => p.name),
    ['cooperative-sticky', 'range'],
  );
  const s = decodeSubscription(ps[0].metadata);
  assert.deepEqual(s.topics, ['a', 'b']);
  assert.deepEqual(s.ownedPartitions, [{ topic: 'a', partitions: [0, 1] }]);
  assert.equal(s.generationId, 4);
  assert.equal(s.rackId, 'r1');
  assert.equal(s.userData!.readInt32BE(0), 4);
  assert.equal(decodeSubscription(ps[1].metadata).userData, null);
});

test('leader assigns with the chosen assignor; cooperative withholds moving partitions', () => {
  const coop = new CooperativeStickyAssignor();
  const members: JoinGroupMember[] = [
    {
      memberId: 'm1',
      groupInstanceId: null,
      metadata: joinProtocols([coop], ['t'], [tp('t', 0), tp('t', 1), tp('t', 2), tp('t', 3)], 1, null)[0].metadata,
    },
    { memberId: 'm2', groupInstanceId: null, metadata: joinProtocols([coop], ['t'], [], 1, null)[0].metadata },
  ];
  const r = leaderAssign(coop, members, (t) => (t === 't' ? parts(4) : undefined), 'cooperative');
  assert.deepEqual(flattenTopicPartitions(decodeAssignment(r.assignments.get('m1')!).assignedPartitions), [tp('t', 0), tp('t', 1)]);
  assert.deepEqual(decodeAssignment(r.assignments.get('m2')!).assignedPartitions, []);
  // m1's view: t-2 and t-3 are revoked, so it rejoins
  const d = diffAssignment([tp('t', 0), tp('t', 1), tp('t', 2), tp('t', 3)], r.assignments.get('m1')!);
  assert.deepEqual(d.revoked, [tp('t', 2), tp('t', 3)]);
  assert.deepEqual(d.added, []);
});

test('cooperative validation refuses an assignment that steals an owned partition', () => {
  const subs = new Map([
    ['a', subscription(['t'], { ownedPartitions: [tp('t', 0)], generationId: 1 })],
    ['b', subscription(['t'], { generationId: 1 })],
  ]);
  assert.throws(
    () =>
      validateCooperativeAssignment(
        subs,
        new Map([
          ['a', []],
          ['b', [tp('t', 0)]],
        ]),
      ),
    CooperativeAssignmentError,
  );
  validateCooperativeAssignment(
    subs,
    new Map([
      ['a', [tp('t', 0)]],
      ['b', []],
    ]),
  );
});

test('KafkaJS member metadata (v0, empty userData) decodes; our assignment decodes in KafkaJS', () => {
  const kjsMeta: Buffer = MemberMetadata.encode({ version: 0, topics: ['orders', 'audit'] });
  const s = decodeSubscription(kjsMeta);
  assert.deepEqual(s.topics, ['orders', 'audit']);
  assert.equal(s.userData!.length, 0);
  assert.equal(s.generationId, -1);
  const ours = encodeAssignment({ assignedPartitions: groupByTopic([tp('orders', 2), tp('orders', 0), tp('audit', 1)]) });
  const theirs = MemberAssignment.decode(ours);
  assert.deepEqual(theirs.assignment, { audit: [1], orders: [0, 2] });
  // and their assignment decodes here
  const fromKjs = decodeAssignment(MemberAssignment.encode({ version: 0, assignment: { orders: [1, 3] } }));
  assert.deepEqual(flattenTopicPartitions(fromKjs.assignedPartitions), [tp('orders', 1), tp('orders', 3)]);
});

test('RoundRobinAssigner gives the same assignment as KafkaJS for the same members', async () => {
  const cluster = { findTopicPartitionMetadata: (t: string) => parts(t === 'a' ? 5 : 3).map((p) => ({ partitionId: p.partition })) };
  const kjs = kafkajsRoundRobin({ cluster });
  const ids = ['member-c', 'member-a', 'member-b'];
  const members = ids.map((memberId) => ({ memberId, memberMetadata: MemberMetadata.encode({ version: 0, topics: ['a', 'b'] }) }));
  const theirs: Array<{ memberId: string; memberAssignment: Buffer }> = await kjs.assign({ members, topics: ['a', 'b'] });
  const ours = leaderAssign(
    new KafkaJSRoundRobinAssignor(),
    ids.map((memberId) => ({ memberId, groupInstanceId: null, metadata: MemberMetadata.encode({ version: 0, topics: ['a', 'b'] }) })),
    (t) => parts(t === 'a' ? 5 : 3),
    'eager',
  );
  for (const { memberId, memberAssignment } of theirs) {
    assert.deepEqual(
      MemberAssignment.decode(ours.assignments.get(memberId)!).assignment,
      MemberAssignment.decode(memberAssignment).assignment,
      memberId,
    );
  }
  assert.equal(createAssignor('RoundRobinAssigner').name, 'RoundRobinAssigner');
});
