// After a leader move, a fetch ahead that fails with FENCED_LEADER_EPOCH looks the leader up
// instead of being sent again at once to the old leader (before: thousands of failed Fetch
// requests while the application held its buffered fetch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, type FetchRequest, type FetchResponse } from '@tributary/protocol';
import { HandlerRegistry, createDefaultRegistry } from '@tributary/broker';
import { startSharedLogCluster } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';

const log: Array<{ node: number; errorCode: number }> = [];
function registry(): HandlerRegistry {
  const base = createDefaultRegistry();
  const r = new HandlerRegistry();
  for (const { apiKey } of base.advertised()) {
    const h = base.get(apiKey)!;
    if (apiKey !== ApiKey.Fetch) {
      r.register(h);
      continue;
    }
    r.register({
      ...h,
      async handle(ctx: any, req: FetchRequest) {
        const res = (await h.handle(ctx, req)) as FetchResponse;
        for (const t of res.responses) for (const p of t.partitions) log.push({ node: ctx.services.nodeId, errorCode: p.errorCode });
        return res;
      },
    } as any);
  }
  return r;
}

test('failed fetch-ahead after a leader move', async () => {
  const kafka = await startSharedLogCluster({ brokers: 2, registry: registry(), settings: { 'num.partitions': 1 } });
  const client = new Kafka({ bootstrapServers: kafka.bootstrap });
  try {
    const p = client.producer({ acks: 1, batchSize: 4096 });
    await p.send({ topic: 't', messages: Array.from({ length: 2000 }, (_, i) => ({ value: Buffer.alloc(200, i) })) });
    await p.close();
    const c = client.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 4096 });
    c.assign([{ topic: 't', partition: 0 }]);
    const it = c.batches();
    await it.next();
    await new Promise((r) => setTimeout(r, 200)); // fetch-ahead settles: two fetches buffered
    const oldLeader = kafka.leaderOf('t', 0).leader;
    const newLeader = oldLeader === 1 ? 2 : 1;
    await kafka.moveLeader('t', 0, newLeader);
    const before = log.length;
    const r2 = await it.next();
    assert.ok(r2.value && r2.value.records.length > 0); // a buffered fetch; the next fetch ahead went to the old leader
    await new Promise((r) => setTimeout(r, 500)); // the application is busy
    await c.close();
    const after = log.slice(before);
    // the old leader refused one fetch, then every fetch went to the new leader and succeeded
    assert.deepEqual(
      after.filter((e) => e.errorCode !== 0),
      [{ node: oldLeader, errorCode: ErrorCode.FENCED_LEADER_EPOCH }],
    );
    const served = after.filter((e) => e.errorCode === 0);
    assert.ok(served.length > 0, 'the new leader served the next fetch');
    assert.deepEqual([...new Set(served.map((e) => e.node))], [newLeader]);
  } finally {
    await client.close();
    await kafka.stop();
  }
});
