// Hostile and slow clients against a broker running as a child process (`tributary start`), over
// real sockets, with its resident memory read from /proc/<pid>/status (issue 21):
//   - 10 connections pipelining 200 Fetches of 10 MiB each without reading: the broker stays under
//     a fixed RSS bound (one request in flight per connection, reading stops while a response is
//     unsent) and answers another client's ApiVersions; the responses come in order once read;
//   - 20 connections each sending 40 MB of a 100 MB frame: queued.max.request.bytes holds what they
//     can make the broker keep, and tributary.request.read.timeout.ms closes every one of them;
//   - connections.max.idle.ms closes an idle connection; max.connections.per.ip serves exactly that
//     many connections from one address and closes the others at once;
//   - out of file descriptors (the broker's limit lowered with `prlimit --pid`): logged once, and
//     accepting resumes when connections close.
// Memory bounds are fixed numbers far below what the unbounded broker reached (20 GB for the
// fetch flood, 20 x 40 MB for the partial frames); no timing is asserted beyond generous timeouts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKey, CompressionType, ErrorCode, encodeRecordBatchSync, encodeRequestFrame } from '@tributary/protocol';
import { run, startBrokerProcess, waitFor, type BrokerProcess } from './harness.ts';
import { WireClient, createTopic, produceBatch, withWire } from './wire-client.ts';

const MiB = 1024 * 1024;

async function assertServing(port: number): Promise<void> {
  const res = await withWire(port, (c) =>
    c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'hostile', clientSoftwareVersion: '1' }, 10_000),
  );
  assert.equal(res.errorCode, ErrorCode.NONE);
}

/**
 * A raw socket that records when the broker closes it; `reading: false` never reads (paused: the
 * broker's answers pile up, and its close is only seen once the socket reads again).
 */
function rawSocket(port: number, reading = true): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    if (!reading) socket.pause();
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Samples `rss` every 50 ms until `done` settles; resolves with the peak. */
async function peakRss(broker: BrokerProcess, done: Promise<unknown>): Promise<number> {
  let peak = broker.rss();
  let over = false;
  void done.finally(() => (over = true));
  while (!over) {
    peak = Math.max(peak, broker.rss());
    await new Promise((r) => setTimeout(r, 50));
  }
  return Math.max(peak, broker.rss());
}

function countLines(text: string, needle: string): number {
  return text.split('\n').filter((l) => l.includes(needle)).length;
}

describe('hostile clients', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-hostile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('10 connections pipelining 200 Fetches of 10 MiB without reading: bounded RSS, others served', async (t) => {
    const broker = await startBrokerProcess(join(dir, 'flood'), { 'num.partitions': 1 });
    try {
      await createTopic(broker.port, 'flood');
      // 12 batches of 16 x 60 KiB records (~0.98 MB each): a 10 MiB fetch returns 10 of them
      const value = Buffer.alloc(60 * 1024, 'x');
      const batch = encodeRecordBatchSync({
        records: Array.from({ length: 16 }, () => ({ key: null, value })),
        compression: CompressionType.None,
      });
      for (let i = 0; i < 12; i++) await produceBatch(broker.port, 'flood', batch);
      const fetch = (correlationId: number) =>
        encodeRequestFrame(
          { apiKey: ApiKey.Fetch, apiVersion: 11, correlationId, clientId: 'flood' },
          {
            replicaId: -1,
            maxWaitMs: 0,
            minBytes: 1,
            maxBytes: 10 * MiB,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [
              {
                topic: 'flood',
                partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 10 * MiB }],
              },
            ],
            forgottenTopicsData: [],
            rackId: '',
          },
        );
      const pipeline = Buffer.concat(Array.from({ length: 200 }, (_, i) => fetch(i + 1)));
      const rssBefore = broker.rss();
      const flooders = await Promise.all(Array.from({ length: 10 }, () => rawSocket(broker.port, false)));
      for (const f of flooders) f.socket.write(pipeline);
      // while the flood sits unread: another client is answered, and memory stays bounded
      const served = (async () => {
        await new Promise((r) => setTimeout(r, 3000));
        await assertServing(broker.port);
        await new Promise((r) => setTimeout(r, 1000));
      })();
      const peak = await peakRss(broker, served);
      await served;
      t.diagnostic(`RSS ${(rssBefore / MiB).toFixed(0)} MiB before the flood, peak ${(peak / MiB).toFixed(0)} MiB`);
      assert.ok(
        peak < 512 * MiB,
        `peak RSS ${(peak / MiB).toFixed(0)} MiB (${(rssBefore / MiB).toFixed(0)} MiB before the flood) with 10 x 200 x 10 MiB of fetches unread`,
      );
      // the first flooder reads again: its first responses arrive in order, each with 10 batches
      const reader = flooders[0]!.socket;
      const frames: Buffer[] = [];
      let buf = Buffer.alloc(0);
      reader.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
          buf = buf.subarray(4 + buf.readInt32BE(0));
        }
        if (frames.length >= 3) reader.pause();
      });
      reader.resume();
      await waitFor('3 responses', () => frames.length >= 3, 30_000);
      assert.deepEqual(
        frames.slice(0, 3).map((f) => f.readInt32BE(0)),
        [1, 2, 3],
      );
      for (const f of frames.slice(0, 3))
        assert.ok(f.length > 10 * batch.length && f.length < 10 * MiB + 1024, `response of ${f.length} bytes`);
      for (const f of flooders) f.socket.destroy();
    } finally {
      await broker.kill();
    }
  });

  it('20 connections each sending 40 MB of a 100 MB frame stay within queued.max.request.bytes and are closed', async (t) => {
    const broker = await startBrokerProcess(join(dir, 'partial'), {
      'queued.max.request.bytes': 104857600,
      'tributary.request.read.timeout.ms': 3000,
    });
    try {
      await assertServing(broker.port);
      const rssBefore = broker.rss();
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(100_000_000);
      const body = Buffer.alloc(40_000_000, 1);
      const conns = await Promise.all(Array.from({ length: 20 }, () => rawSocket(broker.port)));
      for (const c of conns) {
        c.socket.write(prefix);
        c.socket.write(body);
      }
      const allClosed = Promise.all(conns.map((c) => c.closed));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('not every connection was closed')), 60_000);
      });
      const peak = await peakRss(broker, Promise.race([allClosed, timeout]));
      await Promise.race([allClosed, timeout]);
      clearTimeout(timer); // else it keeps the test process alive for its minute after the last test
      t.diagnostic(`RSS ${(rssBefore / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB`);
      assert.ok(
        peak - rssBefore < 250 * MiB,
        `RSS grew by ${((peak - rssBefore) / MiB).toFixed(0)} MiB (${(rssBefore / MiB).toFixed(0)} MiB before) with 20 x 40 MB of partial frames`,
      );
      await waitFor('20 read timeouts logged', () => countLines(broker.output(), 'request not received in time') === 20);
      await assertServing(broker.port);
    } finally {
      await broker.kill();
    }
  });

  it('connections.max.idle.ms closes an idle connection; max.connections.per.ip serves exactly that many', async () => {
    const broker = await startBrokerProcess(join(dir, 'limits'), { 'connections.max.idle.ms': 1000, 'max.connections.per.ip': 3 });
    try {
      const idle = await WireClient.connect(broker.port);
      await idle.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'idle', clientSoftwareVersion: '1' });
      assert.equal(idle.isClosed, false);
      assert.equal(await idle.closesWithin(15_000), true, 'closed by the broker once idle');
      const clients = [];
      for (let i = 0; i < 5; i++) clients.push(await WireClient.connect(broker.port));
      const answers = await Promise.allSettled(
        clients.map((c) => c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'per-ip', clientSoftwareVersion: '1' }, 10_000)),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'],
      );
      for (const c of clients) c.close();
    } finally {
      await broker.kill();
    }
  });

  it('out of file descriptors: logged once, and accepting resumes when connections close', async () => {
    const broker = await startBrokerProcess(join(dir, 'emfile'));
    const clients: WireClient[] = [];
    try {
      await assertServing(broker.port);
      // lowered once started (loading the broker's modules takes more descriptors than it then uses)
      const limit = readdirSync(`/proc/${broker.child.pid}/fd`).length + 20;
      const set = await run('prlimit', [`--pid=${broker.child.pid}`, `--nofile=${limit}:${limit}`]);
      assert.equal(set.code, 0, set.stderr);
      // connect until the broker closes new connections at accept
      for (let i = 0; i < 40; i++) clients.push(await WireClient.connect(broker.port));
      const out = 'out of file descriptors (EMFILE)';
      await waitFor('the EMFILE line', () => countLines(broker.output(), out) >= 1);
      await waitFor('a connection closed at accept', () => clients.some((c) => c.isClosed));
      await new Promise((r) => setTimeout(r, 3000)); // three more probes while exhausted
      assert.equal(countLines(broker.output(), out), 1, 'logged once per interval, not per probe or connection');
      assert.equal(countLines(broker.output(), 'still out of file descriptors'), 0);
      for (const c of clients) c.close();
      await waitFor('descriptors available again', () => broker.output().includes('file descriptors available again'));
      await assertServing(broker.port);
    } finally {
      for (const c of clients) c.close();
      await broker.kill();
    }
  });
});
