// kafka-reassign-partitions.sh's files and rules (reassign-plan.ts) and the plans of --generate and
// `cluster decommission` (reassign-planner.ts): exact JSON, refusals with Kafka's messages, the
// throttled replicas of a move, verify's lines, and decommission plans that move as little as
// possible while keeping racks distinct and loads even.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicDescription } from '@tributary/client';
import {
  formatPlan,
  parsePlan,
  parseTopicsToMove,
  reassignmentState,
  replicaLogDirMoves,
  replicaThrottles,
  stateLine,
} from '../src/commands/reassign-plan.ts';
import { decommissionPlan, generatePlan } from '../src/commands/reassign-planner.ts';

describe('reassignment plan files', () => {
  it('formats as Kafka does and parses back', () => {
    const plan = [{ topic: 'orders', partition: 0, replicas: [2, 3] }];
    const text = formatPlan(plan);
    assert.equal(text, '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}');
    assert.deepEqual(parsePlan(text), plan);
    assert.deepEqual(parsePlan('{"partitions":[{"topic":"a","partition":1,"replicas":[1]}]}'), [
      { topic: 'a', partition: 1, replicas: [1] },
    ]);
  });

  it('log_dirs: a replica sent to a named log dir of its broker (AlterReplicaLogDirs), "any" left alone', () => {
    const plan = parsePlan(
      '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","/data/b"]},{"topic":"a","partition":1,"replicas":[2],"log_dirs":["any"]}]}',
    );
    assert.deepEqual(plan, [
      { topic: 'a', partition: 0, replicas: [1, 2], logDirs: ['any', '/data/b'] },
      { topic: 'a', partition: 1, replicas: [2] },
    ]);
    assert.deepEqual(replicaLogDirMoves(plan), [{ topic: 'a', partition: 0, brokerId: 2, logDir: '/data/b' }]);
  });

  it('refuses what Kafka refuses', () => {
    const bad = (text: string, message: RegExp) => assert.throws(() => parsePlan(text), message);
    bad('{"version":2,"partitions":[]}', /Not supported version field value 2/);
    bad(
      '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}',
      /Duplicate reassignment of partition a-0/,
    );
    bad('{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[]}]}', /Partition replica list cannot be empty: a-0/);
    bad('{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]}', /may not contain duplicate entries: a-0 contains 1,1/);
    bad(
      '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}',
      /Size of replicas list \[1,2\] is different from size of log dirs list \["any"\]/,
    );
    bad('{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1],"log_dirs":["d1"]}]}', /must be "any" or absolute paths/);
    bad('not json', /not JSON/);
    assert.deepEqual(parseTopicsToMove('{"version":1,"topics":[{"topic":"a"},{"topic":"b"}]}'), ['a', 'b']);
    assert.throws(() => parseTopicsToMove('{"version":1}'), /no "topics" list/);
  });

  it('throttles the current replicas as leaders and the added ones as followers, on every broker touched', () => {
    const current = new Map([
      ['a-0', [1, 2]],
      ['a-1', [2, 3]],
      ['b-0', [1, 3]],
    ]);
    const t = replicaThrottles(current, [
      { topic: 'a', partition: 0, replicas: [2, 4] },
      { topic: 'a', partition: 1, replicas: [3, 2] }, // the same set: no move
      { topic: 'b', partition: 0, replicas: [1, 3, 5] },
    ]);
    assert.deepEqual(
      [...t.leader],
      [
        ['a', '0:1,0:2'],
        ['b', '0:1,0:3'],
      ],
    );
    assert.deepEqual(
      [...t.follower],
      [
        ['a', '0:4'],
        ['b', '0:5'],
      ],
    );
    assert.deepEqual(t.brokers, [1, 2, 3, 4, 5]);
  });

  it('verify: completed, in progress, or other replicas than planned', () => {
    const p = { topic: 'a', partition: 0, replicas: [2, 3] };
    assert.equal(stateLine(p, reassignmentState(p, [2, 3], false), [2, 3]), 'Reassignment of partition a-0 is completed.');
    assert.equal(stateLine(p, reassignmentState(p, [1, 2, 3], true), [1, 2, 3]), 'Reassignment of partition a-0 is still in progress.');
    assert.equal(
      stateLine(p, reassignmentState(p, [1, 2], false), [1, 2]),
      'There is no active reassignment of partition a-0, but replica set is 1,2 rather than 2,3.',
    );
  });
});

function topic(name: string, replicas: number[][]): TopicDescription {
  return {
    name,
    topicId: 'x',
    internal: false,
    partitions: replicas.map((r, partition) => ({ partition, leader: r[0]!, leaderEpoch: 0, replicas: r, isr: r })),
  };
}

describe('plans', () => {
  it('generate: the placer over the broker list, keeping the replication factor', () => {
    const plan = generatePlan(
      [
        topic('a', [
          [1, 2],
          [2, 1],
          [1, 2],
        ]),
      ],
      [
        { id: 2, rack: null },
        { id: 3, rack: null },
        { id: 4, rack: null },
      ],
    );
    assert.equal(plan.length, 3);
    for (const p of plan) {
      assert.equal(p.replicas.length, 2);
      assert.ok(p.replicas.every((r) => [2, 3, 4].includes(r)));
    }
    const leaders = plan.map((p) => p.replicas[0]);
    assert.equal(new Set(leaders).size, 3, 'one leader per broker');
    assert.throws(() => generatePlan([topic('b', [[1, 2, 3]])], [{ id: 1, rack: null }]), /replication factor 3, more than the 1 broker/);
  });

  it('decommission: replaces only the leaving broker, in place, on another rack, least loaded first', () => {
    const brokers = [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'a' },
      { id: 3, rack: 'b' },
      { id: 4, rack: 'b' },
      { id: 5, rack: 'c' },
    ];
    // loads without broker 5: 1 holds 3 replicas (1 leader), 2 holds 1 (1 leader), 3 holds 3 (1 leader), 4 none
    const topics = [
      topic('t', [
        [5, 1, 3], // 5 was the preferred leader; racks a and b are used, c has no other broker: the fewest leaders, 4
        [1, 5], // rack a is used: 3 or 4 on rack b, 4 holds fewer
        [2, 3], // untouched
        [3, 5, 1], // racks b and a are used: 2 (1 replica) before 4 (2 by now)
      ]),
    ];
    const plan = decommissionPlan(topics, brokers, 5);
    assert.deepEqual(
      plan.map((p) => [p.partition, p.replicas]),
      [
        [0, [4, 1, 3]],
        [1, [1, 4]],
        [3, [3, 2, 1]],
      ],
    );
    assert.throws(
      () => decommissionPlan([topic('u', [[1, 2]])], brokers.slice(0, 2), 1),
      /every other broker already holds a replica of it/,
    );
  });
});
