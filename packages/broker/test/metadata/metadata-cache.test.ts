// MetadataCache over images the controller state machine produced (no broker, no log): topics in
// partition order with Kafka's internal flag (only __consumer_offsets and __transaction_state,
// not any "__" name), live brokers = registered and unfenced, endpoints by listener name, the
// controller id clients are told, and config overrides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller, MetadataImage, applyRecords, type ControllerResult } from '@tributary/metadata';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { controllerOptions } from '../../src/metadata/controller-options.ts';
import { MetadataCache } from '../../src/metadata/metadata-cache.ts';

const controller = new Controller(controllerOptions(BrokerConfig.load({ settings: { 'node.id': 1 } })));
let image = MetadataImage.EMPTY;
let offset = 0;
function commit<R>(r: ControllerResult<R>): R {
  image = applyRecords(image, r.records).image;
  offset += r.records.length;
  return r.response;
}
const endpoints = (port: number) => [
  { name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 0 },
  { name: 'INTERNAL', host: '10.0.0.1', port: port + 1000, securityProtocol: 0 },
];

describe('MetadataCache', () => {
  it('answers topics, partitions, brokers, endpoints, controller id and configs from the image', () => {
    const cache = new MetadataCache();
    assert.equal(cache.controllerId, -1);
    assert.deepEqual(cache.topics(), []);
    for (const id of [2, 1, 3]) {
      const reg = commit(
        controller.registerBroker(
          image,
          { brokerId: id, incarnationId: `AAAAAAAAAAAAAAAAAAAAA${id}`, endpoints: endpoints(9090 + id) },
          offset,
        ),
      );
      if (id !== 3) commit(controller.unfenceBroker(image, id, reg.brokerEpoch));
    }
    const created = commit(
      controller.createTopics(
        image,
        [
          { name: 'orders', numPartitions: 2, replicationFactor: 2, configs: { 'retention.ms': '1000' } },
          { name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1 },
          { name: '__mine', numPartitions: 1, replicationFactor: 1 },
        ],
        {},
      ),
    );
    assert.deepEqual(
      created.map((r) => r.errorCode),
      [0, 0, 0],
    );
    cache.update(image);

    assert.deepEqual(
      cache
        .topics()
        .map((t) => [t.name, t.internal])
        .sort(),
      [
        ['__consumer_offsets', true],
        ['__mine', false],
        ['orders', false],
      ],
    );
    const orders = cache.topic('orders')!;
    assert.equal(cache.topicById(orders.topicId)!.name, 'orders');
    // usable brokers are the unfenced ones, [1, 2]: partition p gets them from index p on
    assert.deepEqual(
      orders.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.replicas, p.isr]),
      [
        [0, 1, 0, [1, 2], [1, 2]],
        [1, 2, 0, [2, 1], [2, 1]],
      ],
    );
    assert.equal(cache.partition('orders', 1)!.leader, 2);
    assert.equal(cache.partition('orders', 2), undefined);
    assert.deepEqual(cache.topicConfigs('orders'), { 'retention.ms': '1000' });

    // broker 3 is registered but fenced: not live, no endpoint
    assert.deepEqual(cache.brokerIds(), [1, 2, 3]);
    assert.deepEqual(
      cache.liveBrokers().map((b) => b.id),
      [1, 2],
    );
    assert.equal(cache.isLive(3), false);
    assert.equal(cache.endpoint(3, 'PLAINTEXT'), undefined);
    assert.deepEqual(cache.endpoint(2, 'INTERNAL'), { name: 'INTERNAL', host: '10.0.0.1', port: 10092 });
    assert.deepEqual(
      cache.endpoint(2, 'NOPE'),
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      'an unknown listener falls back to the first',
    );
    assert.deepEqual(cache.liveEndpoints('PLAINTEXT'), [
      { nodeId: 1, host: '127.0.0.1', port: 9091, rack: null },
      { nodeId: 2, host: '127.0.0.1', port: 9092, rack: null },
    ]);
    assert.equal(cache.controllerId, 1);

    // fencing broker 1 moves its leaderships and the controller id; the cache sees the new image only once updated
    commit(controller.fenceBroker(image, 1));
    assert.equal(cache.controllerId, 1);
    cache.update(image);
    assert.equal(cache.controllerId, 2);
    assert.deepEqual(
      [cache.partition('orders', 0)!.leader, cache.partition('orders', 0)!.leaderEpoch, cache.partition('orders', 0)!.isr],
      [2, 1, [2]],
    );
    assert.equal(cache.topic('orders')!.partitions[0]!.leader, 2, 'topic views follow the new image');
  });
});
