// Zero-copy fetch (issue 18) against the copy path, over real sockets: two brokers hold the same
// batches (produced identically, so stored byte for byte the same), one with
// tributary.zero.copy.enable (records sent with sendfile from the segment files), one without
// (records read into buffers). Randomised Fetch requests (segment ends, offsets inside batches,
// max_bytes and partition_max_bytes of 1, several partitions, both isolation levels, versions
// 4-12) must get byte-identical response frames. Then what happens while a send is in flight
// (the client not reading): the topic deleted (the whole response still arrives, the deleted
// file's descriptor is closed after), the client disconnecting (the broker cancels and serves
// others), the segment file truncated (the connection is closed, never wrong bytes), and a slow
// consumer that never reads does not hold up another connection.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync, truncateSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiKey, CompressionType, encodeRecordBatchSync, encodeRequestFrame, type RecordInput } from '@tributary/protocol';
import { sendfile } from '@tributary/sendfile';
import { zeroCopyStats } from '../../src/server/response-output.ts';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';
import { topicsOf } from '../helpers/test-topics.ts';

/** A connection that sends request frames and collects raw response frames; it can stop reading. */
class RawConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: (() => void) | null = null;
  closed = false;
  received = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.chunks.push(d);
      this.buffered += d.length;
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  /** Bytes received and not yet taken as frames (one buffer). */
  get pending(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private sizeAhead(): number {
    if (this.buffered < 4) return -1;
    if (this.chunks[0]!.length < 4) this.pending;
    return 4 + this.chunks[0]!.readInt32BE(0);
  }

  /** The next response frame, size prefix included; null when the connection closed first. */
  async frame(timeoutMs = 60_000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = this.sizeAhead();
      if (n > 0 && this.buffered >= n) {
        const all = this.pending;
        const f = all.subarray(0, n);
        this.chunks = all.length > n ? [all.subarray(n)] : [];
        this.buffered -= n;
        return f;
      }
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error(`no whole response within ${timeoutMs} ms (${this.buffered} bytes buffered)`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 200);
      });
      this.waiter = null;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** mulberry32: a small seeded PRNG, so a failing run can be repeated (the seed is in the test name). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FetchSpec {
  version: number;
  maxBytes: number;
  isolationLevel: number;
  partitions: Array<{ topic: string; partition: number; offset: number; partitionMaxBytes: number }>;
}

function fetchFrame(correlationId: number, f: FetchSpec): Buffer {
  const byTopic = new Map<string, FetchSpec['partitions']>();
  for (const p of f.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  return encodeRequestFrame(
    { apiKey: ApiKey.Fetch, apiVersion: f.version, correlationId, clientId: 'zero-copy-test' },
    {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: f.maxBytes,
      isolationLevel: f.isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, ps]) => ({
        topic,
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: ps.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: BigInt(p.offset),
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: p.partitionMaxBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    },
  );
}

/** The same batches, with fixed timestamps: both brokers store identical bytes. */
function makeBatches(rand: () => number, count: number): Buffer[] {
  const sizes = [10, 100, 1000, 20_000, 150_000];
  const out: Buffer[] = [];
  for (let b = 0; b < count; b++) {
    const valueSize = sizes[Math.floor(rand() * sizes.length)]!;
    const n = Math.max(1, Math.min(1 + Math.floor(rand() * 40), Math.floor(900_000 / (valueSize + 20))));
    const records: RecordInput[] = [];
    for (let i = 0; i < n; i++) {
      const value = Buffer.alloc(valueSize);
      for (let j = 0; j + 4 <= valueSize; j += 512) value.writeUInt32BE(Math.floor(rand() * 2 ** 32), j);
      records.push({ key: `k${b}-${i}`, value, timestamp: 1_700_000_000_000 + b * 100 + i });
    }
    out.push(encodeRecordBatchSync({ records, compression: CompressionType.None }));
  }
  return out;
}

const MiB = 1024 * 1024;

/** Waits until `cond` holds (polling), failing after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Descriptors of this process pointing at deleted files under `dir`. */
function deletedFilesOpenUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir) && target.endsWith('(deleted)')) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

const SEED = Number(process.env.ZERO_COPY_SEED ?? Date.now() % 1_000_000);

describe('zero-copy fetch against the copy path', {
  skip: sendfile === null ? 'the sendfile addon is not built' : false,
  timeout: 180_000,
}, () => {
  type B = Awaited<ReturnType<typeof startTestBroker>>;
  let zc: B;
  let copy: B;
  const leo = new Map<string, number>();
  const settings = { 'num.partitions': 1, 'log.segment.bytes': MiB, 'auto.create.topics.enable': false };

  async function produceAll(b: B, topic: string, partition: number, batches: Buffer[]): Promise<number> {
    const c = await kafkaClient(b.port);
    let next = 0;
    for (const batch of batches) {
      const r = await c.request(ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
      });
      const p = r.responses[0]!.partitionResponses[0]!;
      assert.equal(p.errorCode, 0);
      assert.equal(Number(p.baseOffset), next);
      next += batch.readInt32BE(23) + 1;
    }
    c.close();
    return next;
  }

  before(async () => {
    zc = await startTestBroker({ ...settings, 'tributary.zero.copy.enable': true }, {}, { keep: true });
    copy = await startTestBroker({ ...settings, 'tributary.zero.copy.enable': false });
    const rand = prng(SEED);
    const data = new Map<string, Buffer[]>([
      ['r:0', makeBatches(rand, 40)],
      ['r:1', makeBatches(rand, 25)],
      ['s:0', makeBatches(rand, 8)],
    ]);
    for (const b of [zc, copy]) {
      const tm = topicsOf(b.broker);
      await tm.createTopic({ name: 'r', numPartitions: 2, configs: { 'segment.bytes': String(MiB) } });
      await tm.createTopic({ name: 's', numPartitions: 1 });
      for (const [key, batches] of data) {
        const [topic, p] = key.split(':');
        leo.set(key, await produceAll(b, topic!, Number(p), batches));
      }
    }
    // Restarted, the zero-copy broker has not checked these batches' CRCs in this process: the
    // first fetches of each range go through the checked read, later ones through the headers.
    await zc.broker.stop();
    const dir = zc.dataDir;
    zc = await startTestBroker({ ...settings, 'log.dirs': dir, 'tributary.zero.copy.enable': true });
  });

  after(async () => {
    await zc?.stop();
    await copy?.stop();
  });

  it(`answers randomised fetches byte for byte as the copy path does (seed ${SEED})`, async () => {
    const rand = prng(SEED + 1);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const size = () => pick([1, 1 + Math.floor(rand() * 100), 1 + Math.floor(rand() * 70_000), 1 + Math.floor(rand() * 3 * MiB), 50 * MiB]);
    const a = await RawConnection.open(zc.port);
    const b = await RawConnection.open(copy.port);
    const before = zeroCopyStats.regions;
    const segmentDir = join(zc.dataDir, 'r-0');
    const segments = readdirSync(segmentDir).filter((f) => f.endsWith('.log')).length;
    assert.ok(segments >= 4, `several segments (${segments})`);
    let nonEmpty = 0;
    for (let i = 0; i < 150; i++) {
      const keys = pick([['r:0'], ['r:1'], ['r:0', 'r:1'], ['r:1', 'r:0', 's:0'], ['s:0', 'r:0']]);
      const spec: FetchSpec = {
        version: 4 + Math.floor(rand() * 9),
        maxBytes: size(),
        isolationLevel: rand() < 0.5 ? 0 : 1,
        partitions: keys.map((k) => {
          const [topic, p] = k.split(':');
          const end = leo.get(k)!;
          return { topic: topic!, partition: Number(p), offset: rand() < 0.1 ? end : Math.floor(rand() * end), partitionMaxBytes: size() };
        }),
      };
      const frame = fetchFrame(1000 + i, spec);
      a.send(frame);
      b.send(frame);
      const [x, y] = await Promise.all([a.frame(), b.frame()]);
      assert.ok(x && y, 'both answered');
      if (!x.equals(y)) assert.fail(`fetch ${i} ${JSON.stringify(spec)}: ${x.length} bytes from zero-copy, ${y.length} from the copy path`);
      if (y.length > 400) nonEmpty++;
    }
    assert.ok(nonEmpty > 50, `most fetches returned records (${nonEmpty})`);
    assert.ok(zeroCopyStats.regions > before + 50, `records went through sendfile (${zeroCopyStats.regions - before} regions)`);
    a.close();
    b.close();
  });

  describe('while a send waits for a client that does not read', () => {
    const bigBatches = makeBatches(prng(SEED + 2), 0);
    for (let i = 0; i < 24; i++) {
      const value = Buffer.alloc(900_000, i);
      bigBatches.push(
        encodeRecordBatchSync({
          records: [{ key: `big${i}`, value, timestamp: 1_700_000_000_000 + i }],
          compression: CompressionType.None,
        }),
      );
    }
    const bigFetch = (topic: string, id: number) =>
      fetchFrame(id, {
        version: 12,
        maxBytes: 50 * MiB,
        isolationLevel: 0,
        partitions: [{ topic, partition: 0, offset: 0, partitionMaxBytes: 50 * MiB }],
      });

    /** A ~21 MB fetch the client does not read: resolves once the broker's sendfile waits for the socket. */
    async function stalledFetch(topic: string): Promise<RawConnection> {
      const c = await RawConnection.open(zc.port);
      c.socket.pause();
      const waiting = zeroCopyStats.waiting;
      c.send(bigFetch(topic, 7));
      await until(() => zeroCopyStats.waiting > waiting, 20_000, 'the sendfile to wait for the socket');
      return c;
    }

    async function bigTopic(name: string): Promise<Buffer> {
      for (const b of [zc, copy]) {
        await topicsOf(b.broker).createTopic({ name, numPartitions: 1, configs: { 'segment.bytes': String(100 * MiB) } });
        await produceAll(b, name, 0, bigBatches);
      }
      const c = await RawConnection.open(copy.port);
      c.send(bigFetch(name, 7));
      const expected = (await c.frame())!;
      c.close();
      assert.ok(expected.length > 20 * MiB);
      return expected;
    }

    it('a topic deleted mid-send: the whole response arrives, and the deleted segment is closed after', async () => {
      const expected = await bigTopic('del');
      const c = await stalledFetch('del');
      const r = await topicsOf(zc.broker).deleteTopic('del');
      assert.equal(r.errorCode, 0);
      await until(() => !readdirSync(zc.dataDir).some((d) => d.startsWith('del-0')), 10_000, 'the partition directory to go');
      assert.ok(deletedFilesOpenUnder(zc.dataDir).length > 0, 'the segment stays open while it is sent');
      c.socket.resume();
      const got = await c.frame();
      assert.ok(got, 'answered');
      assert.ok(got.equals(expected), `${got.length} bytes, the copy path's ${expected.length}`);
      await until(() => deletedFilesOpenUnder(zc.dataDir).length === 0, 5000, 'the deleted segment to be closed');
      c.close();
    });

    it('a client disconnecting mid-send: the send is cancelled and the next client gets the same bytes', async () => {
      const expected = await bigTopic('gone');
      const waitingBefore = zeroCopyStats.waiting;
      const c = await stalledFetch('gone');
      c.close();
      await until(() => zeroCopyStats.waiting === waitingBefore, 10_000, 'the send to end');
      const d = await RawConnection.open(zc.port);
      d.send(bigFetch('gone', 7));
      const got = await d.frame();
      assert.ok(got?.equals(expected), 'the same response');
      d.close();
    });

    it('a segment truncated mid-send: the connection is closed, no byte past the file is made up', async () => {
      const expected = await bigTopic('cut');
      const c = await stalledFetch('cut');
      const log = join(zc.dataDir, 'cut-0', '00000000000000000000.log');
      assert.ok(existsSync(log));
      truncateSync(log, 5 * MiB);
      c.socket.resume();
      const got = await c.frame();
      assert.equal(got, null, 'closed before a whole response');
      assert.ok(c.received < expected.length, `${c.received} of ${expected.length} bytes`);
      assert.ok(c.received > 0);
      assert.ok(c.pending.equals(expected.subarray(0, c.pending.length)), 'what arrived is the response prefix');
    });

    it('a consumer that never reads does not hold up another connection', async () => {
      await bigTopic('slow');
      const stalled = await stalledFetch('slow');
      const other = await kafkaClient(zc.port);
      for (let i = 0; i < 20; i++) {
        const r = await other.request(ApiKey.Fetch, 12, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: MiB,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: 'r',
              topicId: '00000000-0000-0000-0000-000000000000',
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: BigInt(i),
                  lastFetchedEpoch: -1,
                  logStartOffset: -1n,
                  partitionMaxBytes: MiB,
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        });
        assert.equal(r.responses[0]!.partitions[0]!.errorCode, 0);
        assert.ok((r.responses[0]!.partitions[0]!.records?.length ?? 0) > 0);
      }
      assert.ok(zeroCopyStats.waiting >= 1, 'the stalled send is still waiting');
      assert.equal(stalled.closed, false);
      other.close();
      stalled.socket.resume();
      assert.ok(await stalled.frame(), 'the stalled client gets its answer once it reads');
      stalled.close();
    });
  });
});
