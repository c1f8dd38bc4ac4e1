// Bad input against a broker running as a child process (`tributary start`): garbage bytes,
// truncated frames, 2 GiB and negative length prefixes, unknown API keys and versions, and a few
// thousand randomly mutated valid requests (built with the generated codec, seeded PRNG). After
// each, the broker is still up, answers a valid request on a new connection, and its resident
// memory stays bounded. Kafka closes a connection on a malformed request; that is what we expect
// (or a well-formed error response), never a crash or a hang of other connections.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  API_SPECS,
  ApiKey,
  CompressionType,
  Reader,
  decodeRequestHeader,
  ErrorCode,
  encodeRecordBatchSync,
  encodeRequestFrame,
  decodeResponseFrame,
  type ApiVersionsResponse,
} from '@tributary/protocol';
import { startBrokerProcess, type BrokerProcess } from './harness.ts';
import { WireClient, createTopic, withWire } from './wire-client.ts';

const MiB = 1024 * 1024;
/** How long the fuzz test waits for the probe behind each mutated request. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Why a mutated request may hold its connection past PROBE_TIMEOUT_MS: only a well-formed Fetch whose
 * mutation raised maxWaitMs to at least the probe timeout with minBytes > 0 (more than the fuzz topic
 * holds). The broker parks it until maxWaitMs, as Kafka does, and responses on a connection go out in
 * request order, so the probe behind it waits too. Returns null for such a Fetch, else a description
 * of the request (an unexplained hang).
 */
function unexplainedHang(frame: Buffer): string | null {
  const body = frame.subarray(4);
  const what = `key ${body.readInt16BE(0)} v${body.readInt16BE(2)} ${body.toString('hex')}`;
  try {
    const r = new Reader(body);
    const h = decodeRequestHeader(r);
    const req = API_SPECS[h.apiKey]!.decodeRequest(r, h.apiVersion) as { maxWaitMs?: number; minBytes?: number };
    if (h.apiKey === ApiKey.Fetch && req.maxWaitMs! >= PROBE_TIMEOUT_MS && req.minBytes! > 0) return null;
    return `${what} decoded: ${JSON.stringify(req, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`;
  } catch (e) {
    return `${what} does not decode: ${(e as Error).message}`;
  }
}

/** mulberry32: small seeded PRNG so a failing mutation run can be replayed (seed in the message). */
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

/** Asserts the broker answers ApiVersions v3 and Metadata-free probes on a fresh connection. */
async function assertServing(port: number): Promise<void> {
  const res = await withWire(port, (c) =>
    c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'interop', clientSoftwareVersion: '1' }, 5_000),
  );
  assert.equal(res.errorCode, ErrorCode.NONE);
  assert.ok(res.apiKeys.some((k) => k.apiKey === ApiKey.ApiVersions));
}

async function rawConnection(port: number): Promise<WireClient> {
  return WireClient.connect(port);
}

function sizePrefixed(body: Buffer): Buffer {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(body.length, 0);
  body.copy(b, 4);
  return b;
}

/** Valid request frames (data path, group coordinator, admin reads, ApiVersions): the seeds of the mutations. */
function corpus(topic: string): Buffer[] {
  const batch = encodeRecordBatchSync({
    records: [
      { key: 'k', value: 'v'.repeat(40), headers: [{ key: 'h', value: 'x' }] },
      { key: null, value: 'w' },
    ],
    compression: CompressionType.None,
    baseTimestamp: 1_700_000_000_000n,
  });
  const frames: Buffer[] = [];
  let cid = 1;
  const add = <K extends ApiKey>(apiKey: K, apiVersion: number, body: Parameters<typeof encodeRequestFrame<K>>[1]) =>
    frames.push(encodeRequestFrame({ apiKey, apiVersion, correlationId: cid++, clientId: 'fuzz' }, body));
  for (const v of [0, 1, 2, 3]) add(ApiKey.ApiVersions, v, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' });
  for (const v of [0, 1, 4, 9, 12])
    add(ApiKey.Metadata, v, { topics: [{ name: topic }], ...(v >= 4 ? { allowAutoTopicCreation: false } : {}) });
  for (const v of [3, 7, 9]) {
    for (const acks of [1, -1, 0]) {
      add(ApiKey.Produce, v, {
        acks,
        timeoutMs: 1000,
        transactionalId: null,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
      });
    }
  }
  for (const v of [4, 11, 12]) {
    add(ApiKey.Fetch, v, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [
        { topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, logStartOffset: -1n, currentLeaderEpoch: -1 }] },
      ],
    });
  }
  for (const v of [1, 5, 7]) {
    add(ApiKey.ListOffsets, v, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1 }] }],
    });
  }
  // Group coordinator and admin reads (JoinGroup / SyncGroup are left out: they park by design).
  for (const v of [0, 3]) add(ApiKey.FindCoordinator, v, { key: 'fuzz-group', keyType: 0 });
  add(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['fuzz-group', 'other'] });
  for (const v of [2, 8]) {
    add(ApiKey.OffsetCommit, v, {
      groupId: 'fuzz-group',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: 'm' }] }],
    });
  }
  for (const v of [1, 7]) add(ApiKey.OffsetFetch, v, { groupId: 'fuzz-group', topics: [{ name: topic, partitionIndexes: [0] }] });
  add(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'fuzz-group', topics: [{ name: topic, partitionIndexes: [0] }] }] });
  for (const v of [1, 4]) add(ApiKey.Heartbeat, v, { groupId: 'fuzz-group', generationId: 1, memberId: 'nobody' });
  for (const v of [0, 4]) add(ApiKey.ListGroups, v, {});
  for (const v of [0, 5]) add(ApiKey.DescribeGroups, v, { groups: ['fuzz-group'] });
  for (const v of [0, 4])
    add(ApiKey.DescribeConfigs, v, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }] });
  for (const v of [0, 4]) add(ApiKey.InitProducerId, v, { transactionalId: null, transactionTimeoutMs: 60_000 });
  return frames;
}

const EXTREME32 = [0x7fffffff, -1, -0x80000000, 0x10000000, 0];
const EXTREME16 = [0x7fff, -1, -2, 0x100];

/** One to three mutations of a valid frame; the size prefix is kept consistent with the body. */
function mutate(frame: Buffer, rnd: () => number): Buffer {
  let body: Buffer = Buffer.from(frame.subarray(4));
  const ops = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < ops; k++) {
    // mostly leave the routing fields (api key, version) alone so the body reaches the decoders
    const lo = rnd() < 0.85 ? Math.min(8, body.length) : 0;
    const at = () => lo + Math.floor(rnd() * Math.max(1, body.length - lo));
    switch (Math.floor(rnd() * 6)) {
      case 0: {
        // flip bits in 1-4 bytes
        const n = 1 + Math.floor(rnd() * 4);
        for (let i = 0; i < n && body.length; i++) {
          const p = at();
          if (p < body.length) body[p]! ^= 1 << Math.floor(rnd() * 8);
        }
        break;
      }
      case 1:
        body = body.subarray(0, at());
        break; // truncate
      case 2:
        body = Buffer.concat([body, Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)))]);
        break;
      case 3: {
        const p = at();
        if (p + 4 <= body.length) body.writeInt32BE(EXTREME32[Math.floor(rnd() * EXTREME32.length)]!, p);
        break;
      }
      case 4: {
        const p = at();
        if (p + 2 <= body.length) body.writeInt16BE(EXTREME16[Math.floor(rnd() * EXTREME16.length)]!, p);
        break;
      }
      case 5: {
        // duplicate a slice in place
        const p = at();
        const len = Math.floor(rnd() * 32);
        body = Buffer.concat([body.subarray(0, p), body.subarray(p, p + len), body.subarray(p)]);
        break;
      }
    }
  }
  return sizePrefixed(body);
}

describe('bad input: the broker stays up', { timeout: 90_000 }, () => {
  let dir: string;
  let broker: BrokerProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-badinput-'));
    broker = await startBrokerProcess(dir, { 'auto.create.topics.enable': 'false' });
  });
  after(async () => {
    await broker?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a connection that sends garbage bytes', async () => {
    const rnd = prng(7);
    // A plausible size prefix followed by random bytes (the header's API key is garbage).
    const body = Buffer.from(Array.from({ length: 1000 }, () => Math.floor(rnd() * 256)));
    body.writeInt16BE(0x7abc, 0); // no such API key
    const c = await rawConnection(broker.port);
    c.write(sizePrefixed(body));
    assert.equal(await c.closesWithin(5_000), true, 'connection closed after a garbage frame');
    // Entirely random bytes (size prefix included) on another connection.
    const c2 = await rawConnection(broker.port);
    c2.write(Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(rnd() * 256))));
    await c2.closesWithin(1_000);
    c2.close();
    await assertServing(broker.port);
  });

  it('handles truncated frames: short header, body cut short, and a peer that leaves mid-frame', async () => {
    // A frame of 5 bytes cannot hold a request header.
    const c1 = await rawConnection(broker.port);
    c1.write(sizePrefixed(Buffer.from([0, 18, 0, 0, 0])));
    assert.equal(await c1.closesWithin(5_000), true, 'a frame shorter than a header closes the connection');
    // A complete frame whose Metadata v1 body ends inside the topics array.
    const full = encodeRequestFrame(
      { apiKey: ApiKey.Metadata, apiVersion: 1, correlationId: 9, clientId: 'x' },
      { topics: [{ name: 'some-topic' }] },
    );
    const cut = sizePrefixed(full.subarray(4, full.length - 5));
    const c2 = await rawConnection(broker.port);
    c2.write(cut);
    assert.equal(await c2.closesWithin(5_000), true, 'a request body that does not decode closes the connection');
    // The size prefix promises 100 bytes, 10 arrive, then the peer half-closes.
    const c3 = await rawConnection(broker.port);
    const partial = Buffer.alloc(14);
    partial.writeInt32BE(100, 0);
    c3.socket.end(partial);
    assert.equal(await c3.closesWithin(5_000), true, 'the broker closes its side after the peer half-closed mid-frame');
    // Only 2 bytes of a size prefix, then silence: the other connections are unaffected.
    const c4 = await rawConnection(broker.port);
    c4.write(Buffer.from([0, 0]));
    await assertServing(broker.port);
    c4.close();
  });

  it('refuses a 2 GiB length prefix (and a negative one) without allocating it', async () => {
    const rss0 = broker.rss();
    for (const size of [0x7fffffff, 0x80000000, 0xffffffff, 100 * MiB + 1]) {
      const c = await rawConnection(broker.port);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(size, 0);
      c.write(Buffer.concat([head, Buffer.alloc(64 * 1024, 0x41)]));
      assert.equal(await c.closesWithin(5_000), true, `size prefix 0x${size.toString(16)} closes the connection`);
    }
    await assertServing(broker.port);
    const grew = broker.rss() - rss0;
    assert.ok(grew < 100 * MiB, `RSS grew by ${(grew / MiB).toFixed(1)} MiB after huge length prefixes`);
  });

  it('closes on unknown API keys and versions; ApiVersions of an unknown version gets UNSUPPORTED_VERSION', async () => {
    for (const apiKey of [999, 0x7fff, -1, 10_000]) {
      const c = await rawConnection(broker.port);
      const f = Buffer.alloc(14);
      f.writeInt32BE(10, 0);
      f.writeInt16BE(apiKey, 4);
      f.writeInt16BE(0, 6);
      f.writeInt32BE(1, 8);
      f.writeInt16BE(-1, 12); // null client id
      c.write(f);
      assert.equal(await c.closesWithin(5_000), true, `unknown API key ${apiKey} closes the connection`);
    }
    // Metadata at a version no Kafka has: closed (as Kafka does) or answered, never a crash.
    const meta = encodeRequestFrame({ apiKey: ApiKey.Metadata, apiVersion: 1, correlationId: 5, clientId: 'x' }, { topics: null });
    meta.writeInt16BE(300, 6);
    const c = await rawConnection(broker.port);
    c.write(meta);
    await c.closesWithin(2_000);
    c.close();
    // ApiVersions v99: v0 body, UNSUPPORTED_VERSION, ApiVersions' own range listed (KIP-511).
    const av = encodeRequestFrame(
      { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 77, clientId: 'x' },
      { clientSoftwareName: 'a', clientSoftwareVersion: 'b' },
    );
    av.writeInt16BE(99, 6);
    const res = await withWire(broker.port, async (w) =>
      decodeResponseFrame(ApiKey.ApiVersions, 0, await w.roundTrip(77, ApiKey.ApiVersions, 99, av, 5_000)),
    );
    assert.equal(res.correlationId, 77);
    const body: ApiVersionsResponse = res.body;
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    const own = body.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
    assert.ok(own && own.minVersion === 0 && own.maxVersion >= 3, 'ApiVersions range is listed');
    await assertServing(broker.port);
  });

  it('survives thousands of randomly mutated valid requests, with bounded memory', async (t) => {
    const topic = 'fuzz-topic';
    await createTopic(broker.port, topic, 1);
    const seeds = corpus(topic);
    const SEED = Number(process.env.FUZZ_SEED ?? 20261124); // FUZZ_SEED=n replays another run
    const rnd = prng(SEED);
    const stats = { answered: 0, closed: 0, parkedFetch: 0 };
    const hangs: string[] = [];
    let conn = await WireClient.connect(broker.port);
    const runRound = async (n: number, base: number) => {
      for (let i = 0; i < n; i++) {
        if (conn.isClosed) conn = await WireClient.connect(broker.port);
        const seed = seeds[Math.floor(rnd() * seeds.length)]!;
        const mutated = mutate(seed, rnd);
        conn.write(mutated);
        // A valid ApiVersions right behind it: answered => the connection survived the mutation.
        const probeId = 0x40000000 + base + i;
        const probe = encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId: probeId, clientId: 'probe' }, {});
        try {
          await conn.roundTrip(probeId, ApiKey.ApiVersions, 0, probe, PROBE_TIMEOUT_MS);
          stats.answered++;
        } catch {
          if (conn.isClosed) stats.closed++;
          else {
            const hang = unexplainedHang(mutated);
            if (hang === null) stats.parkedFetch++;
            else hangs.push(hang);
          }
          conn.close();
          await conn.closed;
        }
      }
    };
    try {
      await runRound(400, 0);
      const rssWarm = broker.rss();
      await runRound(1300, 10_000);
      const rssMid = broker.rss();
      await runRound(1300, 20_000);
      const rssEnd = broker.rss();
      const info = `seed ${SEED}; ${JSON.stringify(stats)}; RSS warm ${(rssWarm / MiB).toFixed(1)} mid ${(rssMid / MiB).toFixed(1)} end ${(rssEnd / MiB).toFixed(1)} MiB`;
      t.diagnostic(info);
      assert.equal(broker.child.exitCode, null, `broker exited: ${info}\n${broker.output().slice(-3000)}`);
      // Seeds 1..40 hang only on parked Fetches (seeds 6, 18, 27: maxWaitMs 8192, 2^30, 2^21, minBytes > 0).
      assert.deepEqual(hangs, [], `mutated requests left the connection hanging: ${info}`);
      assert.ok(rssEnd - rssMid < 64 * MiB && rssEnd - rssWarm < 128 * MiB, `memory grew: ${info}`);
    } finally {
      conn.close();
    }
    await assertServing(broker.port);
  });
});
