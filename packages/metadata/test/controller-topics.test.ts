// The controller's topic administration as a pure function of the image: CreateTopics validation
// (codes and messages as the broker's TopicManager answered), placement, records, validateOnly,
// CreatePartitions, DeleteTopics and topic configs (AlterConfigs, IncrementalAlterConfigs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { Controller, MetadataImage, type MetadataRecord } from '../src/index.ts';
import { clusterImage, commit, options } from './helpers/fixtures.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const id = (n: number) => Buffer.alloc(16, 0).fill(n, 15).toString('base64url');
const brief = (records: MetadataRecord[]) =>
  records.map((r) => {
    switch (r.type) {
      case 'TopicRecord':
        return `topic ${r.data.name} ${r.data.topicId}`;
      case 'PartitionRecord':
        return `partition ${r.data.partitionId} replicas=${r.data.replicas} isr=${r.data.isr} leader=${r.data.leader} epoch=${r.data.leaderEpoch}/${r.data.partitionEpoch}`;
      case 'ConfigRecord':
        return `config ${r.data.resourceType}:${r.data.resourceName} ${r.data.name}=${r.data.value}`;
      case 'RemoveTopicRecord':
        return `remove ${r.data.topicId}`;
      default:
        return r.type;
    }
  });

describe('controller: CreateTopics', () => {
  it('creates a topic: TopicRecord, PartitionRecords striped over the unfenced brokers, ConfigRecords', () => {
    const c = new Controller(options());
    const image = clusterImage([1, 2, 3]);
    const { records, response } = c.createTopics(image, [
      { name: 'orders', numPartitions: 4, replicationFactor: 2, configs: { 'retention.ms': ' 1000 ' } },
    ]);
    assert.deepEqual(response, [
      {
        name: 'orders',
        errorCode: 0,
        errorMessage: null,
        topic: { topicId: id(1), numPartitions: 4, replicationFactor: 2, configs: { 'retention.ms': '1000' } },
      },
    ]);
    assert.deepEqual(brief(records), [
      `topic orders ${id(1)}`,
      'partition 0 replicas=1,2 isr=1,2 leader=1 epoch=0/0',
      'partition 1 replicas=3,1 isr=3,1 leader=3 epoch=0/0',
      'partition 2 replicas=2,3 isr=2,3 leader=2 epoch=0/0',
      'partition 3 replicas=1,2 isr=1,2 leader=1 epoch=0/0',
      'config 2:orders retention.ms=1000',
    ]);
  });

  it('places on unfenced brokers only; on every registered broker while none is unfenced; -1 takes the defaults', () => {
    const c = new Controller(options({ numPartitions: 3, defaultReplicationFactor: 2 }));
    const some = clusterImage([1, 2, 3, 4], [2]);
    assert.deepEqual(brief(c.createTopics(some, [{ name: 't', numPartitions: -1, replicationFactor: -1 }]).records).slice(1), [
      'partition 0 replicas=1,3 isr=1,3 leader=1 epoch=0/0',
      'partition 1 replicas=4,1 isr=4,1 leader=4 epoch=0/0',
      'partition 2 replicas=3,4 isr=3,4 leader=3 epoch=0/0',
    ]);
    const none = clusterImage([5, 6], [5, 6]);
    assert.deepEqual(brief(c.createTopics(none, [{ name: 't' }]).records).slice(1), [
      'partition 0 replicas=5,6 isr=5,6 leader=5 epoch=0/0',
      'partition 1 replicas=6,5 isr=6,5 leader=6 epoch=0/0',
      'partition 2 replicas=5,6 isr=5,6 leader=5 epoch=0/0',
    ]);
  });

  it('manual assignments: the ISR is the usable replicas, the first of them leads', () => {
    const c = new Controller(options());
    const image = clusterImage([1, 2, 3], [2]);
    const r = c.createTopics(image, [
      {
        name: 'm',
        assignments: [
          { partitionIndex: 1, brokerIds: [3, 1] },
          { partitionIndex: 0, brokerIds: [2, 3] },
        ],
      },
    ]);
    assert.deepEqual(r.response[0]!.topic, { topicId: id(1), numPartitions: 2, replicationFactor: 2, configs: {} });
    assert.deepEqual(brief(r.records).slice(1), [
      'partition 0 replicas=2,3 isr=3 leader=3 epoch=0/0',
      'partition 1 replicas=3,1 isr=3,1 leader=3 epoch=0/0',
    ]);
  });

  it("refuses as Kafka's controller does, with its messages", () => {
    const c = new Controller(options());
    let image = clusterImage([1, 2], [2]);
    image = commit(image, c.createTopics(image, [{ name: 'a.b' }]).records);
    const cases: Array<[Parameters<Controller['createTopics']>[1][0], number, string]> = [
      [{ name: '__cluster_metadata' }, ErrorCode.INVALID_REQUEST, 'Creation of internal topic __cluster_metadata is prohibited.'],
      [{ name: '' }, ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal, it can't be empty"],
      [{ name: '..' }, ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name cannot be "." or ".."'],
      [
        { name: 'x'.repeat(250) },
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Topic name is illegal, it can't be longer than 249 characters, topic name: ${'x'.repeat(250)}`,
      ],
      [
        { name: 'a b' },
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        "Topic name \"a b\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
      ],
      [{ name: 'a.b' }, ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'a.b' already exists."],
      [{ name: 'a_b' }, ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b"],
      [{ name: 'n', numPartitions: 0 }, ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
      [{ name: 'n', numPartitions: -2 }, ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
      [
        { name: 'n', replicationFactor: 0 },
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Replication factor must be larger than 0, or -1 to use the default value.',
      ],
      [
        { name: 'n', replicationFactor: 2 },
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Unable to replicate the partition 2 time(s): The target replication factor of 2 cannot be reached because only 1 broker(s) are registered.',
      ],
      [
        { name: 'n', numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      ],
      [
        { name: 'n', assignments: [{ partitionIndex: 1, brokerIds: [1] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Partitions should be a consecutive 0-based integer sequence',
      ],
      [
        { name: 'n', assignments: [{ partitionIndex: 0, brokerIds: [] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes an empty replica list.',
      ],
      [
        {
          name: 'n',
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 1, brokerIds: [1, 2] },
          ],
        },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'All partitions should have the same number of replicas',
      ],
      [
        { name: 'n', assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes duplicate replicas: 1, 1',
      ],
      [
        { name: 'n', assignments: [{ partitionIndex: 0, brokerIds: [1, 7] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes broker 7, but no such broker is registered.',
      ],
      [
        { name: 'n', assignments: [{ partitionIndex: 0, brokerIds: [2] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'All brokers specified in the manual partition assignment for partition 0 are fenced or in controlled shutdown.',
      ],
      [{ name: 'n', configs: { 'no.such': '1' } }, ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such'],
      [
        { name: 'n', configs: { 'retention.ms': 'soon' } },
        ErrorCode.INVALID_CONFIG,
        'Invalid value soon for configuration retention.ms: Not a number of type LONG',
      ],
    ];
    for (const [req, code, message] of cases) {
      const r = c.createTopics(image, [req]);
      assert.deepEqual(
        [r.response[0]!.errorCode, r.response[0]!.errorMessage, r.records.length, 'topic' in r.response[0]!],
        [code, message, 0, false],
        req.name,
      );
    }
  });

  it('topics of one request see the ones before them; validateOnly answers the same and writes nothing', () => {
    const c = new Controller(options());
    const image = clusterImage([1]);
    const r = c.createTopics(image, [{ name: 'x.y' }, { name: 'x_y' }, { name: 'x.y' }, { name: 'z' }]);
    assert.deepEqual(
      r.response.map((x) => [x.name, x.errorCode]),
      [
        ['x.y', 0],
        ['x_y', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['x.y', ErrorCode.TOPIC_ALREADY_EXISTS],
        ['z', 0],
      ],
    );
    assert.deepEqual(
      brief(r.records).filter((s) => s.startsWith('topic')),
      [`topic x.y ${id(1)}`, `topic z ${id(2)}`],
    );
    const dry = c.createTopics(image, [{ name: 'v', numPartitions: 5, configs: { 'cleanup.policy': 'compact' } }], { validateOnly: true });
    assert.deepEqual(
      [dry.records, dry.response[0]!.errorCode, dry.response[0]!.topic!.numPartitions, dry.response[0]!.topic!.configs],
      [[], 0, 5, { 'cleanup.policy': 'compact' }],
    );
  });

  it('without any registered broker, RF 1 is refused', () => {
    const r = new Controller(options()).createTopics(MetadataImage.EMPTY, [{ name: 't' }]);
    assert.deepEqual(
      [r.response[0]!.errorCode, r.response[0]!.errorMessage],
      [
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Unable to replicate the partition 1 time(s): The target replication factor of 1 cannot be reached because only 0 broker(s) are registered.',
      ],
    );
  });
});

describe('controller: CreatePartitions, DeleteTopics', () => {
  const c = new Controller(options());
  let image = clusterImage([1, 2, 3]);
  image = commit(image, c.createTopics(image, [{ name: 'grow', numPartitions: 2, replicationFactor: 2 }]).records);

  it('adds partitions placed from the next index, with the topic replication factor', () => {
    const r = c.createPartitions(image, [{ name: 'grow', count: 4 }]);
    assert.deepEqual(r.response, [{ name: 'grow', errorCode: 0, errorMessage: null }]);
    assert.deepEqual(brief(r.records), [
      'partition 2 replicas=2,3 isr=2,3 leader=2 epoch=0/0',
      'partition 3 replicas=1,2 isr=1,2 leader=1 epoch=0/0',
    ]);
    const manual = c.createPartitions(image, [{ name: 'grow', count: 3, assignments: [[2, 3]] }]);
    assert.deepEqual(brief(manual.records), ['partition 2 replicas=2,3 isr=2,3 leader=2 epoch=0/0']);
    assert.deepEqual(c.createPartitions(image, [{ name: 'grow', count: 3 }], { validateOnly: true }).records, []);
  });

  it('refuses with Kafka messages', () => {
    const cases: Array<[Parameters<Controller['createPartitions']>[1][0], number, string]> = [
      [{ name: 'nope', count: 3 }, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'nope' does not exist."],
      [{ name: 'grow', count: 1 }, ErrorCode.INVALID_PARTITIONS, 'Topic currently has 2 partitions, which is higher than the requested 1.'],
      [{ name: 'grow', count: 2 }, ErrorCode.INVALID_PARTITIONS, 'Topic already has 2 partitions.'],
      [
        { name: 'grow', count: 5, assignments: [[1, 2]] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Attempted to add 3 additional partition(s), but only 1 assignment(s) were specified.',
      ],
      [
        { name: 'grow', count: 3, assignments: [[1, 9]] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes broker 9, but no such broker is registered.',
      ],
    ];
    for (const [req, code, message] of cases) {
      const r = c.createPartitions(image, [req]);
      assert.deepEqual([r.response[0]!.errorCode, r.response[0]!.errorMessage, r.records.length], [code, message, 0], JSON.stringify(req));
    }
    const one = clusterImage([1]);
    const t = commit(one, c.createTopics(one, [{ name: 'g' }]).records);
    const fenced = commit(t, c.fenceBroker(t, 1).records);
    const rf = new Controller(options()).createPartitions(commit(fenced, c.unregisterBroker(fenced, 1).records), [{ name: 'g', count: 2 }]);
    assert.deepEqual(
      [rf.response[0]!.errorCode, rf.response[0]!.errorMessage],
      [
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'The target replication factor of 1 cannot be reached because only 0 broker(s) are registered.',
      ],
    );
  });

  it('deletes by name or id; unknown ones and disabled deletion answered as Kafka', () => {
    const r = c.deleteTopics(image, [{ name: 'grow' }, { name: 'grow' }, { name: 'never' }, { topicId: id(9) }]);
    assert.deepEqual(r.response, [
      { name: 'grow', topicId: id(1), errorCode: 0, errorMessage: null },
      {
        name: 'grow',
        topicId: ZERO_UUID,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: 'This server does not host this topic-partition.',
      },
      {
        name: 'never',
        topicId: ZERO_UUID,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: 'This server does not host this topic-partition.',
      },
      { name: null, topicId: id(9), errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' },
    ]);
    assert.deepEqual(brief(r.records), [`remove ${id(1)}`]);
    assert.deepEqual(brief(c.deleteTopics(image, [{ topicId: id(1) }]).records), [`remove ${id(1)}`]);
    const off = new Controller(options({ deleteTopicEnable: false })).deleteTopics(image, [{ name: 'grow' }, { name: 'never' }]);
    assert.deepEqual(off, {
      records: [],
      response: [
        { name: 'grow', topicId: id(1), errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' },
        {
          name: 'never',
          topicId: ZERO_UUID,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: 'This server does not host this topic-partition.',
        },
      ],
    });
  });
});

describe('controller: topic configs', () => {
  const c = new Controller(options());
  let image = clusterImage([1]);
  image = commit(image, c.createTopics(image, [{ name: 't', configs: { 'retention.ms': '1000', 'min.insync.replicas': '1' } }]).records);
  const T = 2;

  it('AlterConfigs replaces the whole set: removed keys get a null ConfigRecord, unchanged ones none', () => {
    const r = c.alterConfigs(image, [
      { resourceType: T, resourceName: 't', configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } },
    ]);
    assert.deepEqual(r.response, [{ resourceType: T, resourceName: 't', errorCode: 0, errorMessage: null }]);
    assert.deepEqual(brief(r.records), ['config 2:t min.insync.replicas=null', 'config 2:t cleanup.policy=compact']);
    assert.deepEqual(commit(image, r.records).topicConfigs('t'), { 'retention.ms': '1000', 'cleanup.policy': 'compact' });
    assert.deepEqual(c.alterConfigs(image, [{ resourceType: T, resourceName: 't', configs: {} }], { validateOnly: true }).records, []);
  });

  it('IncrementalAlterConfigs: SET, DELETE, APPEND / SUBTRACT from the default, errors', () => {
    const r = c.incrementalAlterConfigs(image, [
      {
        resourceType: T,
        resourceName: 't',
        ops: [
          { name: 'retention.ms', op: 'SET', value: '5' },
          { name: 'min.insync.replicas', op: 'DELETE', value: null },
          { name: 'cleanup.policy', op: 'APPEND', value: 'compact' },
          { name: 'unclean.leader.election.enable', op: 'DELETE', value: null },
        ],
      },
    ]);
    assert.deepEqual(brief(r.records), [
      'config 2:t min.insync.replicas=null',
      'config 2:t retention.ms=5',
      'config 2:t cleanup.policy=delete,compact',
    ]);
    const after = commit(image, r.records);
    assert.deepEqual(after.topicConfigs('t'), { 'retention.ms': '5', 'cleanup.policy': 'delete,compact' });
    const sub = c.incrementalAlterConfigs(after, [
      { resourceType: T, resourceName: 't', ops: [{ name: 'cleanup.policy', op: 'SUBTRACT', value: 'delete' }] },
    ]);
    assert.deepEqual(brief(sub.records), ['config 2:t cleanup.policy=compact']);
    const errs = c.incrementalAlterConfigs(image, [
      { resourceType: T, resourceName: 't', ops: [{ name: 'retention.ms', op: 'APPEND', value: '1' }] },
      { resourceType: T, resourceName: 'nope', ops: [] },
      { resourceType: T, resourceName: 't', ops: [{ name: 'retention.ms', op: 'SET', value: 'x' }] },
      { resourceType: 4, resourceName: 'x', ops: [] },
      { resourceType: 4, resourceName: '-1', ops: [] },
      { resourceType: 8, resourceName: '1', ops: [] },
    ]);
    assert.deepEqual(errs.records, []);
    assert.deepEqual(
      errs.response.map((e) => [e.errorCode, e.errorMessage]),
      [
        [ErrorCode.INVALID_CONFIG, 'Config value append is not allowed for config key: retention.ms'],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Topic nope does not exist.'],
        [ErrorCode.INVALID_CONFIG, 'Invalid value x for configuration retention.ms: Not a number of type LONG'],
        [ErrorCode.INVALID_REQUEST, 'Unable to parse broker name as a base 10 number.'],
        [ErrorCode.INVALID_REQUEST, 'Invalid negative broker ID.'],
        [ErrorCode.INVALID_REQUEST, 'The controller only alters TOPIC and BROKER configs, not resource type 8.'],
      ],
    );
  });

  it('stores dynamic BROKER configs as given: per broker and cluster-wide default', () => {
    const set = c.incrementalAlterConfigs(image, [
      { resourceType: 4, resourceName: '', ops: [{ name: 'log.retention.ms', op: 'SET', value: '1000' }] },
      { resourceType: 4, resourceName: '3', ops: [{ name: 'sasl.enabled.mechanisms', op: 'APPEND', value: 'PLAIN' }] },
    ]);
    assert.deepEqual(
      set.response.map((e) => e.errorCode),
      [0, 0],
    );
    assert.deepEqual(brief(set.records), ['config 4: log.retention.ms=1000', 'config 4:3 sasl.enabled.mechanisms=PLAIN']);
    const after = commit(image, set.records);
    const replaced = c.alterConfigs(after, [{ resourceType: 4, resourceName: '', configs: { 'num.io.threads': '4' } }]);
    assert.deepEqual(brief(replaced.records), ['config 4: log.retention.ms=null', 'config 4: num.io.threads=4']);
  });
});
