// Randomly mutated requests (seeded, reproducible): the broker closes the offending connections,
// stays up, and answers a valid request on a new connection afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, requestFrame } from './helpers/wire-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function v3Body(): Buffer {
  return Buffer.from([5, ...Buffer.from('kcat'), 4, ...Buffer.from('1.7'), 0]);
}

describe('mutated requests', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  before(async () => {
    kafka = await startTestBroker({ 'socket.request.max.bytes': 4096 });
  });
  after(() => kafka.stop());

  it('survives 300 mutated ApiVersions requests', async () => {
    const rand = prng(1234);
    const valid = [requestFrame(18, 0, 1), requestFrame(18, 3, 2, v3Body(), { flexible: true })];
    for (let i = 0; i < 300; i++) {
      const frame = Buffer.from(valid[i % 2]!);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.2 ? Math.floor(rand() * frame.length) : frame.length;
      const c = await connect(kafka.port);
      c.send(frame.subarray(0, cut));
      c.end();
      await c.closed;
    }
    const c = await connect(kafka.port);
    c.send(requestFrame(18, 1, 777));
    const [res] = await c.frames(1);
    assert.equal(res!.readInt32BE(0), 777);
    assert.equal(res!.readInt16BE(4), 0);
    c.end();
    await c.closed;
    while (kafka.broker.connectionCount > 0) await new Promise((r) => setTimeout(r, 5)); // no connection leaks
  });
});
