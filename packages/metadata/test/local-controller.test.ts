// LocalController, the single-node backend, over the real on-disk `__cluster_metadata-0`: replay
// on restart, subscribers, crash safety (acknowledged operations survive a power loss, a torn tail
// is cut), migration of the JSON topic store, serialized operations, write failures.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, decodeRecordBatches } from '@tributary/protocol';
import { LogManager, MemoryFileSystem, MockTime } from '@tributary/storage';
import { LocalController, type MetadataImage, partitionsInOrder, type MetadataDelta } from '../src/index.ts';
import { endpoint, incarnationId, options } from './helpers/fixtures.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tributary-metadata-'));
  dirs.push(d);
  return d;
}

const time = new MockTime(1_700_000_000_000);
const open = (logDir: string, fs?: MemoryFileSystem) => LocalController.open({ logDir, controller: options(), time, fs });

async function startBroker(m: LocalController, id = 1): Promise<void> {
  const r = await m.registerBroker({ brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9092)] });
  assert.equal(r.errorCode, 0);
  assert.equal((await m.unfenceBroker(id, r.brokerEpoch)).errorCode, 0);
}

const describeImage = (image: MetadataImage) =>
  image.topics.topics().map(
    (t) =>
      `${t.name} ${t.topicId} ${partitionsInOrder(t)
        .map(([p, r]) => `${p}:${r.leader}@${r.leaderEpoch}/${r.partitionEpoch}[${r.isr}]`)
        .join(' ')} ${JSON.stringify(image.topicConfigs(t.name))}`,
  );

describe('LocalController', () => {
  it('bootstraps an empty log, writes every change durably, and replays it on restart into the same image', async () => {
    const dir = tempDir();
    const m = await open(dir);
    assert.deepEqual(m.startup, { replayedRecords: 1, migratedTopics: 0, truncatedBytes: 0 });
    assert.equal(m.image.features.metadataVersion, 17); // 3.7-IV2: directory assignment (JBOD)
    await startBroker(m);
    assert.equal(m.image.cluster.broker(1)!.epoch, 1n); // the offset of its RegisterBrokerRecord
    const [created] = await m.createTopics([{ name: 'orders', numPartitions: 2, configs: { 'retention.ms': '1000' } }]);
    assert.equal(created!.errorCode, 0);
    await m.incrementalAlterConfigs([
      { resourceType: 2, resourceName: 'orders', ops: [{ name: 'cleanup.policy', op: 'SET', value: 'compact' }] },
    ]);
    await m.changePartition({ topic: 'orders', partition: 1, leader: -1 });
    const before = m.image;
    assert.deepEqual(describeImage(before), [
      `orders ${created!.topic!.topicId} 0:1@0/0[1] 1:-1@1/1[1] {"retention.ms":"1000","cleanup.policy":"compact"}`,
    ]);
    assert.deepEqual(before.provenance, { lastOffset: 8, lastEpoch: 1 });
    await m.close();

    const files = readdirSync(join(dir, '__cluster_metadata-0')).sort();
    assert.deepEqual(files, [
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      'leader-epoch-checkpoint',
    ]);
    assert.equal(readFileSync(join(dir, '__cluster_metadata-0', 'leader-epoch-checkpoint'), 'utf8'), '0\n1\n1 0\n');
    const batches = await decodeRecordBatches(readFileSync(join(dir, '__cluster_metadata-0', '00000000000000000000.log')));
    assert.deepEqual(
      batches.map((b) => [Number(b.baseOffset), b.records.length, b.partitionLeaderEpoch]),
      [
        [0, 1, 1],
        [1, 1, 1],
        [2, 1, 1],
        [3, 4, 1],
        [7, 1, 1],
        [8, 1, 1],
      ],
    );
    // the broker's LogManager does not take the metadata log for a topic partition
    const logs = new LogManager({ logDirs: [dir], backgroundTasks: false }).startup();
    assert.equal(logs.logCount, 0);
    logs.shutdown();

    const again = await open(dir);
    assert.deepEqual(again.startup, { replayedRecords: 9, migratedTopics: 0, truncatedBytes: 0 });
    assert.deepEqual(again.image, before);
    await again.registerBroker({ brokerId: 1, incarnationId: incarnationId(2), endpoints: [endpoint(9093)] });
    assert.deepEqual(
      [again.image.cluster.broker(1)!.epoch, again.image.cluster.broker(1)!.fenced, again.image.provenance],
      [9n, true, { lastOffset: 9, lastEpoch: 2 }],
    );
    await again.unfenceBroker(1);
    assert.deepEqual(describeImage(again.image)[0]!.split(' ')[2], '0:1@0/0[1]'); // the leader it kept is unchanged
    assert.deepEqual(describeImage(again.image)[0]!.split(' ')[3], '1:1@2/2[1]'); // the leaderless one is its again
    await again.close();
    await assert.rejects(again.createTopics([{ name: 'late' }]), /closed/);
  });

  it('subscribers get the current image first (everything created), then one delta per change', async () => {
    const m = await open(tempDir());
    await startBroker(m);
    await m.createTopics([{ name: 'a', numPartitions: 2 }]);
    const seen: Array<{ delta: MetadataDelta; image: MetadataImage }> = [];
    const unsubscribe = m.subscribe((delta, image) => seen.push({ delta, image }));
    assert.equal(seen.length, 1);
    assert.deepEqual([...seen[0]!.delta.topics!.createdTopics.keys()], ['a']);
    assert.deepEqual(
      seen[0]!.delta.topics!.localChanges(1).leaders.map((c) => `${c.topicName}-${c.partition}`),
      ['a-0', 'a-1'],
    );
    assert.equal(seen[0]!.image, m.image);
    m.subscribe(() => {
      throw new Error('a listener that fails does not stop the others');
    });
    await m.createTopics([{ name: 'b' }]);
    await m.deleteTopics([{ name: 'a' }]);
    await m.createTopics([{ name: 'b' }]); // TOPIC_ALREADY_EXISTS: nothing written, nothing published
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[1]!.delta.topics!.createdTopicIds(), [m.image.topic('b')!.topicId]);
    assert.deepEqual(
      seen[2]!.delta.topics!.localChanges(1).deletes.map((d) => `${d.topicName}-${d.partition}`),
      ['a-0', 'a-1'],
    );
    assert.equal(seen[2]!.image, m.image);
    unsubscribe();
    await m.createTopics([{ name: 'c' }]);
    assert.equal(seen.length, 3);
    await m.close();
  });

  it('two concurrent CreateTopics of one name: one creates it, the other gets TOPIC_ALREADY_EXISTS', async () => {
    const m = await open(tempDir());
    await startBroker(m);
    const [a, b] = await Promise.all([
      m.createTopics([{ name: 'race', numPartitions: 3 }]),
      m.createTopics([{ name: 'race', numPartitions: 5 }]),
    ]);
    assert.deepEqual(
      [a[0]!.errorCode, b[0]!.errorCode, b[0]!.errorMessage],
      [0, ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'race' already exists."],
    );
    assert.equal(m.image.topic('race')!.partitions.size, 3);
    await m.close();
  });

  it('acknowledged operations survive a power loss; one fsync per operation, even for 3000 partitions', async () => {
    const fs = new MemoryFileSystem();
    const m = await open('/data', fs);
    await startBroker(m);
    const fsyncs = fs.stats.fsyncs;
    const dirFsyncs = fs.stats.dirFsyncs;
    const [r] = await m.createTopics([{ name: 'wide', numPartitions: 3000 }]);
    assert.deepEqual([fs.stats.fsyncs - fsyncs, fs.stats.dirFsyncs - dirFsyncs], [1, 0]);
    const image = m.image;
    fs.crash();
    const again = await open('/data', fs);
    assert.deepEqual(again.image, image);
    assert.equal(again.image.topic('wide')!.topicId, r!.topic!.topicId);
    assert.equal(again.image.topic('wide')!.partitions.size, 3000);
    await again.close();
  });

  it('a torn tail left by a crash is cut off by recovery and never replayed', async () => {
    const dir = tempDir();
    const m = await open(dir);
    await startBroker(m);
    await m.createTopics([{ name: 'kept' }]);
    const image = m.image;
    await m.createTopics([{ name: 'torn', numPartitions: 4 }]);
    await m.close();
    const log = join(dir, '__cluster_metadata-0', '00000000000000000000.log');
    const bytes = readFileSync(log);
    const [last] = (await decodeRecordBatches(bytes)).slice(-1);
    writeFileSync(log, bytes.subarray(0, last!.position + last!.sizeInBytes - 7)); // the last batch, torn
    const again = await open(dir);
    assert.equal(again.startup.truncatedBytes, last!.sizeInBytes - 7);
    assert.deepEqual(again.image, image);
    assert.equal(again.image.topic('torn'), undefined);
    const [r] = await again.createTopics([{ name: 'torn' }]); // the log continues where the whole batches end
    assert.equal(r!.errorCode, 0);
    assert.equal(again.image.provenance.lastOffset, image.provenance.lastOffset + 2);
    await again.close();
  });

  it('a failed write answers KAFKA_STORAGE_ERROR to CreateTopics, rejects other operations, and changes nothing', async () => {
    const fs = new MemoryFileSystem();
    const m = await open('/data', fs);
    await startBroker(m);
    const image = m.image;
    fs.faults.failFsync = true;
    const [r] = await m.createTopics([{ name: 'doomed' }, { name: '' }]).then((x) => [x]);
    assert.deepEqual(
      r!.map((x) => [x.name, x.errorCode, x.errorMessage?.startsWith('Failed to create topic doomed: ') ?? false]),
      [
        ['doomed', ErrorCode.KAFKA_STORAGE_ERROR, true],
        ['', ErrorCode.INVALID_TOPIC_EXCEPTION, false],
      ],
    );
    await assert.rejects(m.fenceBroker(1), /offline/);
    assert.equal(m.image, image);
    await m.close();
  });
});

describe('LocalController: migration from the JSON topic store', () => {
  const store = (dir: string) => join(dir, 'tributary-metadata', 'topics');
  const topicFile = (name: string, topicId: string, partitions: unknown[], configs: Record<string, string> = {}) =>
    JSON.stringify({ version: 1, name, topicId, partitions, configs }, null, 1) + '\n';

  it('writes the topics of an old data dir once (same ids, leaders, epochs, configs) and renames the store', async () => {
    const dir = tempDir();
    mkdirSync(store(dir), { recursive: true });
    const idA = Buffer.alloc(16, 7).toString('base64url');
    const idB = Buffer.alloc(16, 8).toString('base64url');
    writeFileSync(
      join(store(dir), 'orders.json'),
      topicFile(
        'orders',
        idA,
        [
          { partition: 1, leader: 1, leaderEpoch: 3, replicas: [1], isr: [1] },
          { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] },
        ],
        { 'retention.ms': '86400000' },
      ),
    );
    writeFileSync(
      join(store(dir), '__consumer_offsets.json'),
      topicFile('__consumer_offsets', idB, [{ partition: 0, leader: 1, leaderEpoch: 2, replicas: [1], isr: [1] }], {
        'cleanup.policy': 'compact',
      }),
    );
    writeFileSync(join(store(dir), 'leftover.json.tmp'), '{');
    const m = await open(dir);
    assert.deepEqual(m.startup, { replayedRecords: 1 + 3 + 1 + 2 + 1, migratedTopics: 2, truncatedBytes: 0 });
    assert.deepEqual(describeImage(m.image), [
      `__consumer_offsets ${idB} 0:1@2/0[1] {"cleanup.policy":"compact"}`,
      `orders ${idA} 0:1@0/0[1] 1:1@3/0[1] {"retention.ms":"86400000"}`,
    ]);
    assert.deepEqual(readdirSync(join(dir, 'tributary-metadata')), ['topics.migrated']);
    await startBroker(m); // the broker registers and leads its partitions as before
    assert.deepEqual(describeImage(m.image)[1], `orders ${idA} 0:1@0/0[1] 1:1@3/0[1] {"retention.ms":"86400000"}`);
    await m.close();
    const again = await open(dir);
    assert.equal(again.startup.migratedTopics, 0);
    assert.equal(again.image.topics.byName.size, 2);
    await again.close();
  });

  it('a topic store found next to a non-empty log is only renamed (a migration interrupted before the rename)', async () => {
    const dir = tempDir();
    await (await open(dir)).close();
    mkdirSync(store(dir), { recursive: true });
    writeFileSync(join(store(dir), 'stale.json'), topicFile('stale', Buffer.alloc(16, 9).toString('base64url'), []));
    const m = await open(dir);
    assert.equal(m.image.topic('stale'), undefined);
    assert.deepEqual(readdirSync(join(dir, 'tributary-metadata')), ['topics.migrated']);
    await m.close();
    mkdirSync(store(dir), { recursive: true }); // an empty store is removed; a second one never replaces the first
    await (await open(dir)).close();
    assert.deepEqual(readdirSync(join(dir, 'tributary-metadata')), ['topics.migrated']);
    mkdirSync(store(dir), { recursive: true });
    writeFileSync(join(store(dir), 'x.json'), '{}');
    await (await open(dir)).close();
    assert.deepEqual(readdirSync(join(dir, 'tributary-metadata')).sort(), ['topics.migrated', 'topics.migrated.1']);
    assert.deepEqual(readdirSync(join(dir, 'tributary-metadata', 'topics.migrated')), ['stale.json']);
  });

  it('a topic store file that is not valid JSON stops the start', async () => {
    const dir = tempDir();
    mkdirSync(store(dir), { recursive: true });
    writeFileSync(join(store(dir), 'bad.json'), '{"version":');
    await assert.rejects(open(dir), /topic metadata file .*bad\.json is not valid JSON/);
    writeFileSync(join(store(dir), 'bad.json'), '{"version":2}');
    await assert.rejects(open(dir), /bad\.json has an unsupported layout/);
  });
});
