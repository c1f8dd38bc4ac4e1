// @platformatic/kafka's own protocol calls for AlterReplicaLogDirs (alterReplicaLogDirsV0-V2) and
// DescribeLogDirs (describeLogDirsV4, and its Admin.describeLogDirs) against an in-process broker
// with two log.dirs: a partition moved to the other dir by its request, DescribeLogDirs as it
// decodes it before and after, Kafka's error codes as its ResponseError carries them, and the
// records read back exactly with its Consumer. (kafka-python 2.0.2 and confluent-kafka 1.7 have
// no log-dirs admin calls.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as platformatic from '@platformatic/kafka';
import { assertRecords, makeRecords, startTestBroker, uniqueTopic } from './harness.ts';
import { Admin, platformaticBase, platformaticFetch, platformaticProduce } from './js-clients.ts';
import { createTopic } from './wire-client.ts';

const { Connection, alterReplicaLogDirsV0, alterReplicaLogDirsV1, alterReplicaLogDirsV2, describeLogDirsV4 } = platformatic;

describe('@platformatic/kafka: AlterReplicaLogDirs and DescribeLogDirs', { timeout: 90_000 }, () => {
  it('moves a partition to the other log dir with its request; DescribeLogDirs before and after; error codes; records intact', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-plt-log-dirs-'));
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    const kafka = await startTestBroker({ settings: { 'log.dirs': `${dirA},${dirB}` } });
    const connection = new Connection('interop-platformatic');
    const admin = new Admin(platformaticBase(kafka.bootstrap));
    t.after(async () => {
      await admin.close();
      await connection.close();
      await kafka.stop();
      rmSync(root, { recursive: true, force: true });
    });
    await connection.connect('127.0.0.1', kafka.port);
    const topic = uniqueTopic('plt-move');
    await createTopic(kafka.port, topic, 1);
    const records = makeRecords('plt-move', 300);
    await platformaticProduce(kafka.bootstrap, topic, records, 'none');

    const placement = async () => {
      const r = await describeLogDirsV4.api.async(connection, [{ name: topic, partitions: [0] }]);
      assert.equal(r.errorCode, 0);
      return r.results.flatMap((d) =>
        d.topics.flatMap((x) => x.partitions.map((p) => [d.logDir, x.name, p.partitionIndex, p.isFutureKey, Number(p.offsetLag)])),
      );
    };
    const before = await placement();
    assert.equal(before.length, 1);
    const from = before[0]![0] as string;
    const to = from === dirA ? dirB : dirA;
    assert.deepEqual(before, [[from, topic, 0, false, 0]]);

    const moved = await alterReplicaLogDirsV2.api.async(connection, [{ path: to, topics: [{ name: topic, partitions: [0] }] }]);
    assert.deepEqual(
      moved.results.map((r) => [r.topicName, r.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [[topic, [[0, 0]]]],
    );
    const end = Date.now() + 30_000;
    for (;;) {
      const now = await placement();
      if (now.length === 1 && now[0]![0] === to) break;
      assert.ok(Date.now() < end, `not moved: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await placement(), [[to, topic, 0, false, 0]]);
    // its Admin reads the same (DescribeLogDirs through its own client)
    const described = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0] }] });
    const dirsWith = described.flatMap((b) =>
      b.results.filter((d) => d.topics.some((x) => x.name === topic)).map((d) => [b.broker, d.logDir]),
    );
    assert.deepEqual(dirsWith, [[1, to]]);

    // Kafka's error codes, as its decoder hands them over (ResponseError with the decoded response)
    const codesOf = async (call: () => Promise<unknown>) => {
      try {
        await call();
        return 'no error';
      } catch (err) {
        const response = (err as { response?: { results: Array<{ partitions: Array<{ errorCode: number }> }> } }).response;
        return response!.results.flatMap((r) => r.partitions.map((p) => p.errorCode));
      }
    };
    assert.deepEqual(
      await codesOf(() =>
        alterReplicaLogDirsV0.api.async(connection, [{ path: join(root, 'c'), topics: [{ name: topic, partitions: [0] }] }]),
      ),
      [57], // LOG_DIR_NOT_FOUND
    );
    assert.deepEqual(
      await codesOf(() => alterReplicaLogDirsV1.api.async(connection, [{ path: from, topics: [{ name: 'not-here', partitions: [0] }] }])),
      [9], // REPLICA_NOT_AVAILABLE
    );

    assertRecords(await platformaticFetch(kafka.bootstrap, topic, records.length), records, { label: 'read after the move' });
  });
});
