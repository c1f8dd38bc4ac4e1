// Partition: appends as leader (offsets, leader epoch, LogAppendTime), the high watermark and
// committedBytes in page-cache and fsync durability, leadership errors, min.insync.replicas,
// DeleteRecords bounds, truncation, and the coordinator origin that skips validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Attr, CompressionType, Off, decodeRecordBatch } from '@tributary/protocol';
import { runtimeConfig, toLogConfig } from '../../src/metadata/topic-config.ts';
import { Partition, type AppendOptions } from '../../src/replica/partition.ts';
import { T0, baseOffsets, batch, harness, type Harness } from './helpers.ts';

const ACKS_1: AppendOptions = { requiredAcks: 1, origin: 'client' };
const FSYNC = { settings: { 'tributary.durability': 'fsync' } };

/** A Partition built by hand, to watch its onHighWatermark calls. */
function watched(h: Harness): { p: Partition; hws: number[] } {
  const log = h.replicas.logs.getOrCreateLog('w', 0, { topicId: 'id-w', config: toLogConfig({}, h.config) });
  const hws: number[] = [];
  const cfg = runtimeConfig({}, h.config);
  const p = new Partition({
    localBrokerId: 1,
    topic: 'w',
    topicId: 'id-w',
    partition: 0,
    leader: 1,
    leaderEpoch: 0,
    replicas: [1],
    isr: [1],
    log,
    config: () => cfg,
    onHighWatermark: (x) => hws.push(x.highWatermark),
    time: h.time,
  });
  return { p, hws };
}

const code = (errorCode: number) => ({ errorCode });

describe('Partition: appends and the high watermark', () => {
  it('page-cache durability: offsets are assigned, the HW follows each append and committedBytes counts its bytes', async () => {
    const h = harness();
    const { p, hws } = watched(h);
    const a = await batch(3);
    const b = await batch(2, { valueBytes: 50 });
    assert.deepEqual(p.appendRecordsToLeader(a, ACKS_1), { firstOffset: 0, lastOffset: 2, logAppendTimeMs: -1, duplicate: false });
    assert.deepEqual([p.highWatermark, p.logEndOffset, p.committedBytes], [3, 3, a.length]);
    assert.deepEqual(p.appendRecordsToLeader(b, ACKS_1), { firstOffset: 3, lastOffset: 4, logAppendTimeMs: -1, duplicate: false });
    assert.deepEqual([p.highWatermark, p.lastStableOffset, p.committedBytes], [5, 5, a.length + b.length]);
    assert.deepEqual(hws, [3, 5]);
    assert.deepEqual(baseOffsets(p.read(0, 1 << 20, true).records), [0, 3]);
    h.replicas.shutdown();
  });

  it('fsync durability: the append answers a promise, and the HW and committedBytes move only once the fsync is done', async () => {
    const h = harness(FSYNC);
    const { p, hws } = watched(h);
    const a = await batch(3);
    const fsyncs = h.fs.stats.fsyncs;
    const pending = p.appendRecordsToLeader(a, ACKS_1);
    assert.ok(pending instanceof Promise);
    assert.deepEqual([p.logEndOffset, p.highWatermark, p.committedBytes, hws.length], [3, 0, 0, 0]);
    assert.equal(p.read(0, 1 << 20, true).records.length, 0); // not visible below the HW yet
    assert.deepEqual(await pending, { firstOffset: 0, lastOffset: 2, logAppendTimeMs: -1, duplicate: false });
    assert.ok(h.fs.stats.fsyncs > fsyncs);
    assert.deepEqual([p.highWatermark, p.committedBytes, hws], [3, a.length, [3]]);
    h.replicas.shutdown();
  });

  it('fsync durability: a failed fsync answers KAFKA_STORAGE_ERROR (56) and the HW stays', async () => {
    const h = harness(FSYNC);
    const p = h.host('t');
    h.fs.faults.failFsync = true;
    await assert.rejects(Promise.resolve(p.appendRecordsToLeader(await batch(1), ACKS_1)), code(56));
    assert.deepEqual([p.logEndOffset, p.highWatermark, p.committedBytes], [1, 0, 0]);
  });

  it("stamps the leader epoch into the stored batch; LogAppendTime topics stamp the broker's time", async () => {
    const h = harness();
    const create = h.host('c', { leaderEpoch: 7 });
    const logAppend = h.host('l', { leaderEpoch: 7, configs: { 'message.timestamp.type': 'LogAppendTime' } });
    await h.time.advance(1234);
    assert.equal((await create.appendRecordsToLeader(await batch(2), ACKS_1)).logAppendTimeMs, -1);
    assert.equal((await logAppend.appendRecordsToLeader(await batch(2), ACKS_1)).logAppendTimeMs, T0 + 1234);
    const c = await decodeRecordBatch(create.read(0, 1 << 20, true).records);
    const l = await decodeRecordBatch(logAppend.read(0, 1 << 20, true).records);
    assert.deepEqual([c.partitionLeaderEpoch, c.timestampType, c.maxTimestamp], [7, 'CreateTime', BigInt(T0)]);
    assert.deepEqual([l.partitionLeaderEpoch, l.timestampType, l.maxTimestamp], [7, 'LogAppendTime', BigInt(T0 + 1234)]);
    assert.equal(l.attributes & Attr.TimestampTypeLogAppend, Attr.TimestampTypeLogAppend);
    h.replicas.shutdown();
  });
});

describe('Partition: leadership and replicas', () => {
  it('leaderError: FENCED_LEADER_EPOCH (74) / UNKNOWN_LEADER_EPOCH (75) before NOT_LEADER_OR_FOLLOWER (6)', () => {
    const p = harness().host('t', { leader: 2, leaderEpoch: 5, replicas: [1, 2], isr: [1, 2] });
    assert.equal(p.leaderError(1, 4), 74);
    assert.equal(p.leaderError(1, 6), 75);
    assert.equal(p.leaderError(1, 5), 6);
    assert.equal(p.leaderError(1), 6);
    assert.equal(p.leaderError(2, 5), 0);
    assert.equal(p.leaderError(2), 0);
    assert.equal(p.leaderError(1, 5, false), 0); // a request any replica may serve
    assert.equal(p.leaderError(1, 4, false), 74);
    assert.equal(p.isLeader, false);
  });

  it('NOT_LEADER_OR_FOLLOWER (6) when another node leads, unless the append is served as that node', async () => {
    const p = harness().host('t', { leader: 2, replicas: [1, 2], isr: [1, 2] });
    const b = await batch(1);
    assert.throws(() => p.appendRecordsToLeader(b, ACKS_1), {
      errorCode: 6,
      message: 'This server is not the leader for partition t-0 (leader 2).',
    });
    assert.throws(() => p.appendRecordsToLeader(b, { ...ACKS_1, origin: 'coordinator' }), code(6));
    assert.equal(p.logEndOffset, 0);
    assert.equal((await p.appendRecordsToLeader(b, { ...ACKS_1, servingNode: 2 })).firstOffset, 0);
  });

  it('leadership moving while a batch is recompressed: NOT_LEADER_OR_FOLLOWER (6), nothing appended', async () => {
    const p = harness().host('t', { configs: { 'compression.type': 'gzip' } });
    const pending = p.appendRecordsToLeader(await batch(2), ACKS_1);
    assert.ok(pending instanceof Promise);
    p.leader = 2;
    await assert.rejects(pending, code(6));
    assert.equal(p.logEndOffset, 0);
  });

  it('acks=-1 with an ISR smaller than min.insync.replicas: NOT_ENOUGH_REPLICAS (19); acks=1 is accepted', async () => {
    const p = harness().host('t', { replicas: [1, 2], isr: [1], configs: { 'min.insync.replicas': '2' } });
    const b = await batch(1);
    assert.throws(() => p.appendRecordsToLeader(b, { ...ACKS_1, requiredAcks: -1 }), {
      errorCode: 19,
      message: 'The size of the current ISR [1] is insufficient to satisfy the min.isr requirement of 2 for partition t-0',
    });
    assert.equal(p.logEndOffset, 0);
    assert.equal((await p.appendRecordsToLeader(b, ACKS_1)).firstOffset, 0);
    p.isr = [1, 2];
    assert.equal((await p.appendRecordsToLeader(await batch(1), { ...ACKS_1, requiredAcks: -1 })).firstOffset, 1);
  });
});

describe('Partition: validation by origin', () => {
  it("client records are validated; a coordinator's are appended as built (no timestamp check, no recompression)", async () => {
    const p = harness().host('t', { configs: { 'compression.type': 'gzip' } });
    const future = await batch(2, { timestamp: T0 + 10 * 3_600_000 });
    assert.throws(() => p.appendRecordsToLeader(Buffer.from(future), ACKS_1), code(32));
    const r = p.appendRecordsToLeader(future, { requiredAcks: 1, origin: 'coordinator' });
    assert.deepEqual(r, { firstOffset: 0, lastOffset: 1, logAppendTimeMs: -1, duplicate: false });
    assert.equal(p.read(0, 1 << 20, true).records.readInt16BE(Off.Attributes) & Attr.CompressionMask, CompressionType.None);
    const client = p.appendRecordsToLeader(await batch(1), ACKS_1);
    assert.ok(client instanceof Promise); // recompressed to gzip
    assert.equal((await client).firstOffset, 2);
    const stored = p.read(2, 1 << 20, true).records;
    assert.equal(stored.readInt16BE(Off.Attributes) & Attr.CompressionMask, CompressionType.Gzip);
  });

  it("the topic's config is read on each append (AlterConfigs takes effect at once)", async () => {
    const h = harness();
    const p = h.host('t');
    const b = await batch(3, { valueBytes: 100 });
    h.alter('t', { 'max.message.bytes': String(b.length - 1) });
    assert.throws(() => p.appendRecordsToLeader(b, ACKS_1), code(10));
    h.alter('t', {});
    assert.equal((await p.appendRecordsToLeader(b, ACKS_1)).lastOffset, 2);
  });
});

describe('Partition: DeleteRecords, reads and truncation', () => {
  /** Ten 1-record batches of ~120 bytes at offsets 0-9. */
  async function filled(configs: Record<string, string> = {}) {
    const h = harness();
    const p = h.host('t', { configs });
    for (let i = 0; i < 10; i++) await p.appendRecordsToLeader(await batch(1, { valueBytes: 50 }), ACKS_1);
    return { h, p };
  }

  it('raises the log start offset up to the HW; -1 means the HW; it never moves back', async () => {
    const { p } = await filled({ 'segment.bytes': '400' }); // three batches a segment
    assert.deepEqual([p.highWatermark, p.log.segments.map((s) => s.baseOffset)], [10, [0, 3, 6, 9]]);
    assert.equal(p.deleteRecords(4), 4);
    assert.deepEqual([p.logStartOffset, p.log.segments.map((s) => s.baseOffset)], [4, [3, 6, 9]]);
    assert.equal(p.deleteRecords(2), 4);
    assert.throws(() => p.read(3, 1000, true), code(1));
    assert.deepEqual(baseOffsets(p.read(4, 1 << 20, true).records), [4, 5]); // to the end of its segment
    assert.equal(p.deleteRecords(-1), 10);
    assert.equal(p.highWatermark, 10);
  });

  it('beyond the HW or below 0: OFFSET_OUT_OF_RANGE (1); compact-only topics: POLICY_VIOLATION (44)', async () => {
    const { p } = await filled();
    assert.throws(() => p.deleteRecords(11), {
      errorCode: 1,
      message: 'Cannot increment the log start offset to 11 of partition t-0 since it is larger than the high watermark 10',
    });
    assert.throws(() => p.deleteRecords(-2), code(1));
    const { p: compact } = await filled({ 'cleanup.policy': 'compact' });
    assert.throws(() => compact.deleteRecords(1), {
      errorCode: 44,
      message: 'Records of partition t-0 can not be deleted due to the configured policy',
    });
    const { p: both } = await filled({ 'cleanup.policy': 'compact,delete' });
    assert.equal(both.deleteRecords(1), 1);
  });

  it('fsync durability: an offset appended but not yet fsynced is above the HW (1)', async () => {
    const h = harness(FSYNC);
    const p = h.host('t');
    await p.appendRecordsToLeader(await batch(2), ACKS_1);
    const pending = p.appendRecordsToLeader(await batch(2), ACKS_1);
    assert.deepEqual([p.highWatermark, p.logEndOffset], [2, 4]);
    assert.throws(() => p.deleteRecords(3), code(1));
    await pending;
    assert.equal(p.deleteRecords(3), 3);
  });

  it('reads whole batches below the HW; out of [logStart, logEnd]: OFFSET_OUT_OF_RANGE (1); KIP-74 minOneBatch', async () => {
    const { p } = await filled();
    const one = p.read(0, 1, true).records; // a first batch larger than maxBytes is still returned
    assert.deepEqual(baseOffsets(one), [0]);
    assert.equal(p.read(0, one.length - 1, false).records.length, 0); // ... unless minOneBatch is off
    assert.deepEqual(baseOffsets(p.read(2, 3 * one.length, false).records), [2, 3, 4]);
    assert.equal(p.read(10, 1000, true).records.length, 0);
    assert.throws(() => p.read(11, 1000, true), code(1));
  });

  it('a truncation of the log resets the HW to the new log end and forgets producer batches past it', async () => {
    const { h, p } = await filled();
    const committed = p.committedBytes;
    p.log.truncateTo(6);
    assert.deepEqual([p.logEndOffset, p.highWatermark, p.committedBytes], [6, 6, committed]);
    const b = await batch(1);
    assert.equal((await p.appendRecordsToLeader(b, ACKS_1)).firstOffset, 6);
    assert.deepEqual([p.highWatermark, p.committedBytes], [7, committed + b.length]);
    h.replicas.shutdown();
  });

  it('a truncation under an append waiting for its fsync: that append fails (56), and committedBytes counts only what is committed', async () => {
    const h = harness(FSYNC);
    const p = h.host('t');
    const lost = p.appendRecordsToLeader(await batch(3, { valueBytes: 100 }), ACKS_1);
    p.log.truncateTo(0);
    assert.deepEqual([p.logEndOffset, p.highWatermark], [0, 0]);
    await assert.rejects(Promise.resolve(lost), code(56)); // storage: truncated before it was durable
    const b = await batch(1);
    await p.appendRecordsToLeader(b, ACKS_1);
    assert.deepEqual([p.highWatermark, p.committedBytes, p.log.durableOffset], [1, b.length, 1]);
  });
});
