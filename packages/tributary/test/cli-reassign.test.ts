// `tributary partitions reassign` and `tributary cluster decommission` end to end, against an
// in-process 4-broker cluster with records in it: kafka-reassign-partitions.sh's output for
// --execute (with a throttle), --verify --wait, --list and --generate; the throttle configs set
// and cleared; every replica ending where the plan says with every record; and a decommission that
// empties a broker and unregisters it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { cliOk, runCli } from './cli-process.ts';

const RECORDS = 60;

describe('tributary partitions reassign and cluster decommission on a 4-broker cluster', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-reassign-'));
  const cli = (...args: string[]) => cliOk([...args, '--bootstrap-server', cluster.bootstrap]);
  const replicasOf = async (topic: string) => (await kafka.admin().describeTopics([topic]))[0]!.partitions.map((p) => p.replicas);
  /** Every hosted replica's log end offset of `topic-partition`, by broker. */
  const logEnds = (topic: string, partition: number) =>
    [1, 2, 3, 4].flatMap((id) => {
      const p = cluster.broker(id)?.services.replicas.getPartition(topic, partition);
      return p ? [[id, p.log.logEndOffset]] : [];
    });

  before(async () => {
    cluster = await startCluster({ brokers: 4, settingsFor: (id) => ({ 'broker.rack': id <= 2 ? 'a' : 'b' }) });
    kafka = new Kafka({ bootstrapServers: cluster.bootstrap });
    await kafka.admin().createTopics([{ name: 'moves', partitions: 2, replicationFactor: 2 }]);
    const producer = kafka.producer({ acks: -1 });
    for (let i = 0; i < RECORDS; i++)
      await producer.send({ topic: 'moves', messages: [{ key: `k${i}`, value: `v${i}`, partition: i % 2 }] });
    await producer.close();
  });
  after(async () => {
    await kafka?.close();
    await cluster?.stop();
  });

  it('--execute with a throttle, --verify --wait: the partition moves with its records, the throttle is set then cleared', async () => {
    const [p0] = await replicasOf('moves');
    const target = [1, 2, 3, 4].filter((id) => !p0!.includes(id));
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'moves', partition: 0, replicas: target }] }));
    const out = await cli('partitions', 'reassign', '--execute', '--reassignment-json-file', plan, '--throttle', '50000000');
    assert.equal(
      out,
      'Current partition replica assignment\n\n' +
        `{"version":1,"partitions":[{"topic":"moves","partition":0,"replicas":[${p0!.join(',')}],"log_dirs":["any","any"]}]}\n\n` +
        'Save this to use as the --reassignment-json-file option during rollback\n' +
        'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n' +
        'The inter-broker throttle limit was set to 50000000 B/s\n' +
        'Successfully started partition reassignments for moves-0\n',
    );
    const topicConfigs = (await kafka.admin().describeConfigs([{ type: 'topic', name: 'moves' }], { overridesOnly: true })).get(
      'topic:moves',
    )!;
    assert.equal(topicConfigs['leader.replication.throttled.replicas'], p0!.map((b) => `0:${b}`).join(','));
    assert.equal(topicConfigs['follower.replication.throttled.replicas'], target.map((b) => `0:${b}`).join(','));

    const verify = await cli('partitions', 'reassign', '--verify', '--reassignment-json-file', plan, '--wait');
    assert.equal(
      verify,
      'Status of partition reassignment:\nReassignment of partition moves-0 is completed.\n\n' +
        'Clearing broker-level throttles on brokers 1,2,3,4\nClearing topic-level throttles on topic moves\n',
    );
    assert.deepEqual((await replicasOf('moves'))[0], target);
    const cleared = (await kafka.admin().describeConfigs([{ type: 'topic', name: 'moves' }], { overridesOnly: true })).get('topic:moves')!;
    assert.equal(cleared['leader.replication.throttled.replicas'], undefined);
    const broker1 = (await kafka.admin().describeConfigs([{ type: 'broker', name: '1' }], { overridesOnly: true })).get('broker:1')!;
    assert.equal(broker1['leader.replication.throttled.rate'], undefined);
    // the new replicas hold every record of partition 0; the old ones are gone
    assert.deepEqual(
      logEnds('moves', 0),
      target.map((id) => [id, RECORDS / 2]),
    );
    assert.equal(await cli('partitions', 'reassign', '--list'), 'No partition reassignments found.\n');
  });

  it('--generate: a proposal over the given brokers with each topic replication factor', async () => {
    const topics = join(dir, 'topics.json');
    writeFileSync(topics, '{"version":1,"topics":[{"topic":"moves"}]}');
    const out = await cli('partitions', 'reassign', '--generate', '--topics-to-move-json-file', topics, '--broker-list', '1,3');
    const [head, proposed] = out.split('\n\nProposed partition reassignment configuration\n');
    const current = (await replicasOf('moves')).map((r, partition) => ({
      topic: 'moves',
      partition,
      replicas: r,
      log_dirs: r.map(() => 'any'),
    }));
    assert.equal(head, `Current partition replica assignment\n${JSON.stringify({ version: 1, partitions: current })}`);
    const plan = JSON.parse(proposed!) as { partitions: Array<{ replicas: number[] }> };
    assert.deepEqual(
      plan.partitions.map((p) => [...p.replicas].sort()),
      [
        [1, 3],
        [1, 3],
      ],
    );
    assert.deepEqual(plan.partitions.map((p) => p.replicas[0]).sort(), [1, 3], 'one leader on each broker');
    const bad = await runCli([
      'partitions',
      'reassign',
      '--generate',
      '--topics-to-move-json-file',
      topics,
      '--broker-list',
      '1,9',
      '--bootstrap-server',
      cluster.bootstrap,
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Unknown broker id\(s\) 9/);
  });

  it('cluster decommission: every replica off the broker, records kept, then unregistered', async () => {
    const holding = (await replicasOf('moves')).some((r) => r.includes(4));
    assert.ok(holding, 'broker 4 holds a replica before');
    const out = await cli('cluster', 'decommission', '4');
    assert.match(out, /^Moving \d+ partition replica\(s\) off broker 4:\n\{"version":1,"partitions":\[/);
    assert.match(out, /Broker 4 holds no replicas and is unregistered: stop its process now\.\n$/);
    const after = await replicasOf('moves');
    assert.ok(after.every((r) => !r.includes(4) && r.length === 2));
    for (const [partition, replicas] of after.entries())
      assert.deepEqual(
        logEnds('moves', partition),
        [...replicas].sort().map((id) => [id, RECORDS / 2]),
      );
    const offsets = await kafka.admin().listOffsets('moves', 'latest');
    assert.deepEqual(
      offsets.map((o) => o.offset),
      [BigInt(RECORDS / 2), BigInt(RECORDS / 2)],
    );
  });
});
