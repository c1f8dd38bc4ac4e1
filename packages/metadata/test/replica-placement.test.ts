// Replica placement through the controller's CreateTopics and CreatePartitions: rack-aware stripes
// balanced with the load already in the image (research cluster-anchors H3 C7). Every check is on
// the image after each request: leaders and replicas per usable broker within one of each other,
// replicas of a partition on distinct racks when there are at least RF racks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { Controller, type MetadataImage } from '../src/index.ts';
import { clusterImage, commit, options } from './helpers/fixtures.ts';

const c = new Controller(options());

function loads(image: MetadataImage, ids: readonly number[]) {
  const leaders = new Map(ids.map((id) => [id, 0]));
  const replicas = new Map(ids.map((id) => [id, 0]));
  for (const t of image.topics.byId.values()) {
    for (const p of t.partitions.values()) {
      leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
    }
  }
  return { leaders: ids.map((id) => leaders.get(id)!), replicas: ids.map((id) => replicas.get(id)!) };
}

const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

function assertBalanced(image: MetadataImage, ids: readonly number[], what: string) {
  const { leaders, replicas } = loads(image, ids);
  assert.ok(spread(leaders) <= 1, `${what}: leaders per broker ${leaders}`);
  assert.ok(spread(replicas) <= 1, `${what}: replicas per broker ${replicas}`);
}

function create(image: MetadataImage, name: string, numPartitions: number, replicationFactor: number): MetadataImage {
  const r = c.createTopics(image, [{ name, numPartitions, replicationFactor }]);
  assert.equal(r.response[0]!.errorCode, ErrorCode.NONE, r.response[0]!.errorMessage ?? name);
  return commit(image, r.records);
}

function grow(image: MetadataImage, name: string, count: number): MetadataImage {
  const r = c.createPartitions(image, [{ name, count }]);
  assert.equal(r.response[0]!.errorCode, ErrorCode.NONE, r.response[0]!.errorMessage ?? name);
  return commit(image, r.records);
}

function replicaLists(image: MetadataImage): number[][] {
  return [...image.topics.byId.values()].flatMap((t) => [...t.partitions.values()].map((p) => [...p.replicas]));
}

describe('replica placement', () => {
  it('C7: 100 partitions RF 3 on 5 brokers in 3 racks: leaders within one, one replica per rack, replicas within one per rack', () => {
    const racks = { 1: 'a', 2: 'a', 3: 'b', 4: 'b', 5: 'c' };
    const ids = [1, 2, 3, 4, 5];
    const image = create(clusterImage(ids, [], c, racks), 'c7', 100, 3);
    for (const r of replicaLists(image)) assert.deepEqual(new Set(r.map((b) => racks[b as 1])).size, 3, `replicas ${r}`);
    const { leaders, replicas } = loads(image, ids);
    assert.deepEqual(leaders, [20, 20, 20, 20, 20]);
    // One replica per rack and partition puts 100 replicas in each rack: the lone broker of rack c
    // holds all of its rack's, and the two brokers of a and b share theirs evenly. Replicas within
    // one of each other over all five brokers (60 each) and one replica per rack exclude each other.
    assert.deepEqual(replicas, [50, 50, 50, 50, 100]);
  });

  it('C7 with racks of equal size (6 brokers, 3 racks): leaders and replicas within one over all brokers, racks distinct', () => {
    const racks = { 1: 'a', 2: 'b', 3: 'c', 4: 'a', 5: 'b', 6: 'c' };
    const ids = [1, 2, 3, 4, 5, 6];
    let image = clusterImage(ids, [], c, racks);
    for (const [i, n] of [100, 7, 1, 13].entries()) {
      image = create(image, `t${i}`, n, 3);
      assertBalanced(image, ids, `after t${i}`);
    }
    image = grow(image, 't1', 12);
    assertBalanced(image, ids, 'after growing t1');
    for (const r of replicaLists(image)) assert.equal(new Set(r.map((b) => racks[b as 1])).size, 3, `replicas ${r}`);
  });

  it('fewer racks than the replication factor: as even as the racks allow (RF 3 over 2 racks: 2 + 1)', () => {
    const racks = { 1: 'a', 2: 'a', 3: 'a', 4: 'b', 5: 'b', 6: 'b' };
    const ids = [1, 2, 3, 4, 5, 6];
    const image = create(clusterImage(ids, [], c, racks), 't', 30, 3);
    for (const r of replicaLists(image)) {
      const inA = r.filter((b) => racks[b as 1] === 'a').length;
      assert.ok(inA === 1 || inA === 2, `replicas ${r}`);
    }
    assertBalanced(image, ids, 't');
  });

  it('a single broker takes every partition; RF 2 is refused with Kafka message', () => {
    let image = create(clusterImage([1]), 'one', 10, 1);
    assert.deepEqual(new Set(replicaLists(image).flat()), new Set([1]));
    const r = c.createTopics(image, [{ name: 'two', numPartitions: 1, replicationFactor: 2 }]);
    assert.deepEqual(
      [r.response[0]!.errorCode, r.response[0]!.errorMessage],
      [
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Unable to replicate the partition 2 time(s): The target replication factor of 2 cannot be reached because only 1 broker(s) are registered.',
      ],
    );
    image = grow(image, 'one', 12);
    assert.deepEqual(loads(image, [1]), { leaders: [12], replicas: [12] });
  });

  it('3 brokers without racks: stripes, balanced after every topic', () => {
    const ids = [1, 2, 3];
    let image = create(clusterImage(ids), 'a', 3, 3);
    assert.deepEqual(replicaLists(image), [
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
    ]);
    for (const [i, n] of [1, 2, 5, 4, 1, 1, 7].entries()) {
      image = create(image, `t${i}`, n, 2);
      assertBalanced(image, ids, `after t${i}`);
    }
  });

  it('many small topics created one by one, then grown: balanced after each request', () => {
    const ids = [1, 2, 3, 4, 5];
    let image = clusterImage(ids);
    for (let i = 0; i < 40; i++) {
      image = create(image, `small-${i}`, 1 + (i % 3), 3);
      assertBalanced(image, ids, `after small-${i}`);
    }
    for (let i = 0; i < 10; i++) {
      image = grow(image, `small-${i}`, 4 + (i % 3));
      assertBalanced(image, ids, `after growing small-${i}`);
    }
    // (Placement by partition index put partition 0 of every topic, so 40 leaders, on broker 1.)
    assert.deepEqual(loads(image, ids).leaders, [22, 22, 21, 22, 22]);
  });

  it('starts from the load in the image: brokers holding more get less', () => {
    const ids = [1, 2, 3];
    let image = clusterImage(ids);
    const manual = c.createTopics(image, [{ name: 'm', assignments: [0, 1, 2, 3].map((p) => ({ partitionIndex: p, brokerIds: [1] })) }]);
    image = commit(image, manual.records);
    image = create(image, 'x', 8, 1);
    assert.deepEqual(loads(image, ids), { leaders: [4, 4, 4], replicas: [4, 4, 4] });
  });

  it('places on usable brokers only and counts them in the refusal', () => {
    const image = clusterImage([1, 2, 3, 4], [2, 4]);
    const ok = c.createTopics(image, [{ name: 't', numPartitions: 4, replicationFactor: 2 }]);
    assert.deepEqual(new Set(ok.records.flatMap((r) => (r.type === 'PartitionRecord' ? r.data.replicas : []))), new Set([1, 3]));
    const r = c.createTopics(image, [{ name: 'u', numPartitions: 1, replicationFactor: 3 }]);
    assert.deepEqual(
      [r.response[0]!.errorCode, r.response[0]!.errorMessage],
      [
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.',
      ],
    );
  });

  it('is deterministic: the same image gets the same records', () => {
    const image = clusterImage([1, 2, 3, 4, 5], [], c, { 1: 'x', 2: 'y', 3: 'x', 4: 'y', 5: 'z' });
    const req = [{ name: 'd', numPartitions: 17, replicationFactor: 3 }];
    const a = new Controller(options()).createTopics(image, req).records;
    const b = new Controller(options()).createTopics(image, req).records;
    assert.deepEqual(a, b);
  });
});
