// DeleteTopics and CreatePartitions over a real socket: by name and by id, Kafka's error codes and
// messages, logs removed from disk, the onTopicsDeleted seam, deletion disabled, growth only.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf, type DeletedTopic } from './helpers/test-topics.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

async function produce(c: KafkaTestClient, topic: string, partition: number, n: number) {
  const records = await encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: 1_700_000_000_000 + i })),
  });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

describe('DeleteTopics', async () => {
  const b = await startTestBroker();
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  const deleted: DeletedTopic[][] = [];
  tm.onTopicsDeleted((t) => deleted.push(t));
  after(async () => {
    c.close();
    await b.stop();
  });

  it('deletes by name (v0-5): metadata, logs on disk and the onTopicsDeleted hook', async () => {
    await tm.createTopic({ name: 'gone', numPartitions: 2 });
    const id = tm.topic('gone')!.topicId;
    assert.equal((await produce(c, 'gone', 1, 3)).errorCode, 0);
    assert.ok(existsSync(join(b.dataDir, 'gone-1')));
    deleted.length = 0;
    const res = await c.request(ApiKey.DeleteTopics, 5, { topicNames: ['gone', 'never'], timeoutMs: 1000 });
    assert.deepEqual(res.responses, [
      { name: 'gone', topicId: ZERO_UUID, errorCode: 0, errorMessage: null },
      {
        name: 'never',
        topicId: ZERO_UUID,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: 'This server does not host this topic-partition.',
      },
    ]);
    assert.equal(tm.topic('gone'), undefined);
    assert.ok(!existsSync(join(b.dataDir, 'gone-0')) && !existsSync(join(b.dataDir, 'gone-1')), 'partition logs deleted');
    assert.deepEqual(deleted, [[{ name: 'gone', topicId: id, partitions: [0, 1] }]]);
    const md = await c.request(ApiKey.Metadata, 12, { topics: [{ name: 'gone', topicId: ZERO_UUID }], allowAutoTopicCreation: false });
    assert.equal(md.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Re-created with the same name: a new id and an empty log.
    assert.equal((await tm.createTopic({ name: 'gone', numPartitions: 2 })).errorCode, 0);
    assert.notEqual(tm.topic('gone')!.topicId, id);
    assert.equal(tm.partition('gone', 1)!.logEndOffset, 0);
    for (const v of [0, 1, 3]) {
      await tm.createTopic({ name: `old${v}`, numPartitions: 1 });
      const r = await c.request(ApiKey.DeleteTopics, v, { topicNames: [`old${v}`], timeoutMs: 0 });
      assert.deepEqual(
        r.responses.map((x) => [x.name, x.errorCode]),
        [[`old${v}`, 0]],
      );
    }
  });

  it('deletes by topic id (v6) and answers UNKNOWN_TOPIC_ID, INVALID_REQUEST as Kafka', async () => {
    await tm.createTopic({ name: 'byid', numPartitions: 1 });
    await tm.createTopic({ name: 'byname', numPartitions: 1 });
    await tm.createTopic({ name: 'dup', numPartitions: 1 });
    const id = tm.topic('byid')!.topicId;
    const nameId = tm.topic('byname')!.topicId;
    const res = await c.request(ApiKey.DeleteTopics, 6, {
      topics: [
        { name: null, topicId: id },
        { name: 'byname', topicId: ZERO_UUID },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
        { name: null, topicId: ZERO_UUID },
        { name: 'dup', topicId: nameId },
        { name: 'dup', topicId: ZERO_UUID },
        { name: 'dup', topicId: ZERO_UUID },
      ],
      timeoutMs: 1000,
    });
    assert.deepEqual(res.responses, [
      { name: 'byid', topicId: id, errorCode: 0, errorMessage: null },
      { name: 'byname', topicId: nameId, errorCode: 0, errorMessage: null },
      {
        name: null,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
        errorMessage: 'This server does not host this topic ID.',
      },
      { name: null, topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Neither topic name nor id were specified.' },
      {
        name: 'dup',
        topicId: nameId,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'You may not specify both topic name and topic id.',
      },
      { name: 'dup', topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' },
    ]);
    assert.equal(tm.topic('byid'), undefined);
    assert.equal(tm.topicById(id), undefined);
    assert.ok(tm.topic('dup'), 'duplicates are not deleted');
  });

  it('refuses internal topics', async () => {
    await tm.createTopic({ name: '__consumer_offsets', numPartitions: 1 });
    const res = await c.request(ApiKey.DeleteTopics, 4, { topicNames: ['__consumer_offsets'], timeoutMs: 0 });
    assert.equal(res.responses[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.ok(tm.topic('__consumer_offsets'));
  });
});

describe('DeleteTopics with delete.topic.enable=false', async () => {
  const b = await startTestBroker({ 'delete.topic.enable': false });
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('answers TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3) and keeps the topic', async () => {
    await topicsOf(b.broker).createTopic({ name: 'kept', numPartitions: 1 });
    const v5 = await c.request(ApiKey.DeleteTopics, 5, { topicNames: ['kept'], timeoutMs: 0 });
    assert.deepEqual(v5.responses, [
      { name: 'kept', topicId: ZERO_UUID, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' },
    ]);
    const v2 = await c.request(ApiKey.DeleteTopics, 2, { topicNames: ['kept'], timeoutMs: 0 });
    assert.equal(v2.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.ok(topicsOf(b.broker).topic('kept'));
  });
});

describe('CreatePartitions', async () => {
  const b = await startTestBroker();
  const c = await kafkaClient(b.port);
  const tm = topicsOf(b.broker);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('grows topics, refuses decreases, validates assignments, validateOnly changes nothing', async () => {
    await tm.createTopic({ name: 'grow', numPartitions: 2 });
    await tm.createTopic({ name: 'same', numPartitions: 3 });
    await tm.createTopic({ name: 'assigned', numPartitions: 1 });
    await tm.createTopic({ name: 'dry', numPartitions: 1 });
    assert.equal((await produce(c, 'grow', 1, 2)).errorCode, 0);
    const res = await c.request(ApiKey.CreatePartitions, 3, {
      topics: [
        { name: 'grow', count: 5, assignments: null },
        { name: 'same', count: 3, assignments: null },
        { name: 'same2', count: 3, assignments: null },
        { name: 'assigned', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] },
        { name: 'dry', count: 4, assignments: [{ brokerIds: [1] }] },
        { name: 'dup', count: 4, assignments: null },
        { name: 'dup', count: 4, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    assert.deepEqual(
      res.results.map((r) => [r.name, r.errorCode]),
      [
        ['grow', 0],
        ['same', ErrorCode.INVALID_PARTITIONS],
        ['same2', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['assigned', 0],
        ['dry', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
        ['dup', ErrorCode.INVALID_REQUEST],
      ],
    );
    assert.equal(res.results[1]!.errorMessage, 'Topic already has 3 partitions.');
    assert.equal(res.results[4]!.errorMessage, 'Attempted to add 3 additional partition(s), but only 1 assignment(s) were specified.');
    assert.equal(res.results[5]!.errorMessage, 'Duplicate topic in request.');
    assert.equal(tm.topic('grow')!.partitions.length, 5);
    assert.equal(tm.partition('grow', 1)!.logEndOffset, 2, 'existing partitions keep their data');
    assert.equal((await produce(c, 'grow', 4, 1)).baseOffset, 0n, 'new partitions take produce at once');
    const md = await c.request(ApiKey.Metadata, 12, { topics: [{ name: 'grow', topicId: ZERO_UUID }], allowAutoTopicCreation: false });
    assert.deepEqual(
      md.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes]),
      [0, 1, 2, 3, 4].map((i) => [i, 1, 0, [1]]),
    );
    const down = await c.request(ApiKey.CreatePartitions, 0, {
      topics: [{ name: 'grow', count: 2, assignments: null }],
      timeoutMs: 0,
      validateOnly: false,
    });
    assert.deepEqual(
      [down.results[0]!.errorCode, down.results[0]!.errorMessage],
      [ErrorCode.INVALID_PARTITIONS, 'Topic currently has 5 partitions, which is higher than the requested 2.'],
    );
    const huge = await c.request(ApiKey.CreatePartitions, 3, {
      topics: [{ name: 'grow', count: 2147483647, assignments: null }],
      timeoutMs: 0,
      validateOnly: false,
    });
    assert.deepEqual(
      [huge.results[0]!.errorCode, huge.results[0]!.errorMessage],
      [ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
    );
    const badBroker = await c.request(ApiKey.CreatePartitions, 1, {
      topics: [{ name: 'assigned', count: 4, assignments: [{ brokerIds: [2] }] }],
      timeoutMs: 0,
      validateOnly: false,
    });
    assert.equal(badBroker.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const dry = await c.request(ApiKey.CreatePartitions, 2, {
      topics: [{ name: 'dry', count: 4, assignments: null }],
      timeoutMs: 0,
      validateOnly: true,
    });
    assert.equal(dry.results[0]!.errorCode, 0);
    assert.equal(tm.topic('dry')!.partitions.length, 1);
    assert.equal(tm.topic('assigned')!.partitions.length, 3);
  });

  it('added partitions survive a restart', async () => {
    const r = await startTestBroker({}, {}, { keep: true });
    await topicsOf(r.broker).createTopic({ name: 'p', numPartitions: 1 });
    const c2 = await kafkaClient(r.port);
    const res = await c2.request(ApiKey.CreatePartitions, 3, {
      topics: [{ name: 'p', count: 3, assignments: null }],
      timeoutMs: 0,
      validateOnly: false,
    });
    assert.equal(res.results[0]!.errorCode, 0);
    c2.close();
    await r.stop();
    const again = await startTestBroker({ 'log.dirs': r.dataDir });
    try {
      assert.equal(topicsOf(again.broker).topic('p')!.partitions.length, 3);
      assert.ok(existsSync(join(r.dataDir, 'p-2')));
    } finally {
      await again.stop();
    }
  });
});

describe('DeleteTopics and the group coordinator', async () => {
  const b = await startTestBroker({ 'offsets.topic.num.partitions': 2, 'group.initial.rebalance.delay.ms': 0 });
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('drops the committed offsets of a deleted topic, keeps the others', async () => {
    await c.request(ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
    await b.broker.services.groupCoordinator.loaded();
    const tm = topicsOf(b.broker);
    await tm.createTopic({ name: 'del', numPartitions: 1 });
    await tm.createTopic({ name: 'keep', numPartitions: 1 });
    const commit = await c.request(ApiKey.OffsetCommit, 8, {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: ['del', 'keep'].map((name) => ({
        name,
        partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }],
      })),
    });
    assert.deepEqual(
      commit.topics.map((t) => t.partitions[0]!.errorCode),
      [0, 0],
    );
    const committed = async () => {
      const res = await c.request(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: null });
      return res.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]).sort();
    };
    assert.deepEqual(await committed(), [
      ['del', [5n]],
      ['keep', [5n]],
    ]);
    const res = await c.request(ApiKey.DeleteTopics, 6, { topics: [{ name: 'del', topicId: ZERO_UUID }], timeoutMs: 0 });
    assert.equal(res.responses[0]!.errorCode, 0);
    // The tombstones are written through the offsets topic: wait for them to be applied.
    let seen = await committed();
    for (let i = 0; i < 100 && seen.length !== 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
      seen = await committed();
    }
    assert.deepEqual(seen, [['keep', [5n]]]);
  });
});
