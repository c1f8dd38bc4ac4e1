// testkit startBroker: a broker on a free port with a temporary data dir, removed on stop.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { startBroker } from '../src/index.ts';

/** Sends ApiVersions v0 and returns the response frame (size prefix stripped). */
async function apiVersions(port: number): Promise<Buffer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const req = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff]);
  socket.write(req);
  let buf = Buffer.alloc(0);
  for await (const chunk of socket) {
    buf = Buffer.concat([buf, chunk as Buffer]);
    if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) break;
  }
  socket.destroy();
  return buf.subarray(4, 4 + buf.readInt32BE(0));
}

describe('startBroker', () => {
  it('starts on a free port with a temporary data dir and removes it on stop', async () => {
    const a = await startBroker();
    const b = await startBroker({ settings: { 'num.partitions': 3 } });
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(a.bootstrap, `127.0.0.1:${a.port}`);
      assert.match(readFileSync(`${a.dataDir}/meta.properties`, 'utf8'), /^node\.id=1$/m);
      assert.equal(b.broker.config.get('num.partitions'), 3);
      assert.deepEqual(a.broker.services.advertisedListeners, [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: a.port, securityProtocol: 'PLAINTEXT' },
      ]);
      const res = await apiVersions(a.port);
      assert.equal(res.readInt32BE(0), 7); // correlation id
      assert.equal(res.readInt16BE(4), 0); // error code
    } finally {
      await a.stop();
      await b.stop();
    }
    assert.equal(existsSync(a.dataDir), false);
    assert.equal(existsSync(b.dataDir), false);
    await a.stop(); // idempotent
  });

  it('keeps the data dir when asked and restarts onto it with the same cluster id', async () => {
    const first = await startBroker({ keepDataDir: true });
    const clusterId = first.broker.services.clusterId;
    await first.stop();
    assert.equal(existsSync(first.dataDir), true);
    const second = await startBroker({ dataDir: first.dataDir });
    try {
      assert.equal(second.broker.services.clusterId, clusterId);
    } finally {
      await second.stop();
    }
    assert.equal(existsSync(first.dataDir), true, 'a given data dir is not removed');
    const { rmSync } = await import('node:fs');
    rmSync(first.dataDir, { recursive: true, force: true });
  });

  it('refuses invalid settings', async () => {
    await assert.rejects(startBroker({ settings: { 'no.such.setting': 1 } }), /unknown setting "no.such.setting"/);
  });
});
