// JBOD on a broker over real sockets: two log.dirs, partitions placed over both (fewest partitions
// first), a restart that finds each partition in its dir with its records, and DescribeLogDirs
// answering each dir with exactly its partitions.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiKey } from '@tributary/protocol';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { produce } from './log-dir-helpers.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

const entry = (partitionIndex: number, size: number) => ({
  partitionIndex,
  partitionSize: BigInt(size),
  offsetLag: 0n,
  isFutureKey: false,
});

describe('two log.dirs on one broker', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-jbod-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  const settings = { 'log.dirs': `${dirA},${dirB}` };
  after(() => rmSync(root, { recursive: true, force: true }));

  it('places partitions over both dirs, finds them again after a restart, DescribeLogDirs answers each dir exactly', async () => {
    let b = await startTestBroker(settings, {}, { keep: true });
    let c = await kafkaClient(b.port);
    const tm = topicsOf(b.broker);
    await tm.createTopic({ name: 'j1', numPartitions: 3 });
    await tm.createTopic({ name: 'j2', numPartitions: 1 });
    const logs = b.broker.services.replicas.logs;
    const placed = ['j1-0', 'j1-1', 'j1-2', 'j2-0'].map((k) => logs.logDirOf(k.slice(0, 2), Number(k.slice(3))));
    // fewest partitions first, ties in configured order
    assert.deepEqual(placed, [dirA, dirB, dirA, dirB]);
    assert.equal((await produce(c, 'j1', 0, 3)).errorCode, 0);
    assert.equal((await produce(c, 'j1', 1, 2)).errorCode, 0);
    assert.equal((await produce(c, 'j2', 0, 5)).errorCode, 0);
    const sizes = new Map(['j1-0', 'j1-1', 'j1-2', 'j2-0'].map((k) => [k, logs.getLog(k.slice(0, 2), Number(k.slice(3)))!.size]));
    assert.ok(sizes.get('j1-0')! > 0 && sizes.get('j2-0')! > 0);
    const expected = (dir: string) => {
      const topics = new Map<string, Array<ReturnType<typeof entry>>>();
      ['j1-0', 'j1-1', 'j1-2', 'j2-0'].forEach((k, i) => {
        if (placed[i] !== dir) return;
        const t = k.slice(0, 2);
        topics.set(t, [...(topics.get(t) ?? []), entry(Number(k.slice(3)), sizes.get(k)!)]);
      });
      return [...topics].map(([name, partitions]) => ({ name, partitions }));
    };
    const describe = async () => {
      const res = await c.request(ApiKey.DescribeLogDirs, 4, {
        topics: [
          { topic: 'j1', partitions: [0, 1, 2] },
          { topic: 'j2', partitions: [0] },
        ],
      });
      return res.results.map((r) => [r.errorCode, r.logDir, r.topics]);
    };
    assert.deepEqual(await describe(), [
      [0, dirA, expected(dirA)],
      [0, dirB, expected(dirB)],
    ]);
    c.close();
    await b.stop();

    b = await startTestBroker(settings, {}, { keep: true });
    c = await kafkaClient(b.port);
    const again = b.broker.services.replicas.logs;
    assert.deepEqual(again.startupReport.cleanDirs, [dirA, dirB]);
    assert.deepEqual(
      ['j1-0', 'j1-1', 'j1-2', 'j2-0'].map((k) => again.logDirOf(k.slice(0, 2), Number(k.slice(3)))),
      placed,
    );
    assert.deepEqual(
      ['j1-0', 'j1-1', 'j1-2', 'j2-0'].map((k) => again.getLog(k.slice(0, 2), Number(k.slice(3)))!.logEndOffset),
      [3, 2, 0, 5],
    );
    assert.deepEqual(await describe(), [
      [0, dirA, expected(dirA)],
      [0, dirB, expected(dirB)],
    ]);
    await topicsOf(b.broker).createTopic({ name: 'j3', numPartitions: 3 });
    assert.deepEqual(
      [0, 1, 2].map((p) => again.logDirOf('j3', p)),
      [dirA, dirB, dirA],
    );
    c.close();
    await b.stop();
  });
});
