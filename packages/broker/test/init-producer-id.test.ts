// InitProducerId over a real socket: ids for idempotent producers (every version), blocks of 1000
// persisted so ids never repeat after a restart or a crash, KIP-360 epoch bumps and what produce
// then accepts, transactional ids (no transaction coordinator), and the advertised range.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { MemoryFileSystem } from '@tributary/storage';
import { ProducerIdManager, PRODUCER_ID_BLOCK_FILE } from '../src/coordinator/transaction/producer-id-manager.ts';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const init = (
  c: KafkaTestClient,
  version: number,
  body: { transactionalId?: string | null; transactionTimeoutMs?: number; producerId?: bigint; producerEpoch?: number } = {},
) =>
  c
    .request(ApiKey.InitProducerId, version, { transactionalId: null, transactionTimeoutMs: 60_000, ...body })
    .then((r) => [r.errorCode, r.producerId, r.producerEpoch]);

describe('InitProducerId', () => {
  it('is advertised as 0-5', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    try {
      const r = await c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
      const api = r.apiKeys.find((k) => k.apiKey === 22);
      assert.deepEqual([api?.minVersion, api?.maxVersion], [0, 5]);
    } finally {
      c.close();
      await b.stop();
    }
  });

  it('hands out consecutive ids with epoch 0 at every version, and never repeats them after a restart', async () => {
    const b = await startTestBroker({}, {}, { keep: true });
    const c = await kafkaClient(b.port);
    const got = [];
    for (let v = 0; v <= 5; v++) got.push(await init(c, v));
    assert.deepEqual(
      got,
      [0n, 1n, 2n, 3n, 4n, 5n].map((id) => [0, id, 0]),
    );
    const file = join(b.dataDir, PRODUCER_ID_BLOCK_FILE);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, brokerId: 1, blockStart: 0, blockEnd: 999 });
    c.close();
    await b.stop();
    const b2 = await startTestBroker({ 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(b2.port);
    try {
      assert.deepEqual(await init(c2, 4), [0, 1000n, 0]);
      assert.deepEqual(await init(c2, 4), [0, 1001n, 0]);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, brokerId: 1, blockStart: 1000, blockEnd: 1999 });
    } finally {
      c2.close();
      await b2.stop();
    }
  });

  it('bumps the epoch of a current producer id (KIP-360), rotates an exhausted one, replaces unknown ones', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    try {
      assert.deepEqual(await init(c, 5), [0, 0n, 0]);
      assert.deepEqual(await init(c, 5, { producerId: 0n, producerEpoch: 0 }), [0, 0n, 1]);
      assert.deepEqual(await init(c, 3, { producerId: 0n, producerEpoch: 1 }), [0, 0n, 2]);
      assert.deepEqual(await init(c, 5, { producerId: 0n, producerEpoch: 32765 }), [0, 0n, 32766]);
      assert.deepEqual(await init(c, 5, { producerId: 0n, producerEpoch: 32766 }), [0, 1n, 0]);
      assert.deepEqual(await init(c, 5, { producerId: 5000n, producerEpoch: 3 }), [0, 2n, 0]);
      assert.deepEqual(await init(c, 5, { producerId: 0n, producerEpoch: -1 }), [ErrorCode.INVALID_REQUEST, -1n, -1]);
      assert.deepEqual(await init(c, 5, { producerId: -1n, producerEpoch: 0 }), [ErrorCode.INVALID_REQUEST, -1n, -1]);
    } finally {
      c.close();
      await b.stop();
    }
  });

  it('after a bump, partitions fence the old epoch and take the new one from sequence 0', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    await topicsOf(b.broker).createTopic({ name: 'idem', numPartitions: 1 });
    const produce = async (producerId: bigint, producerEpoch: number, baseSequence: number) => {
      const records = await encodeRecordBatch({
        producerId,
        producerEpoch,
        baseSequence,
        records: [{ value: 'x', timestamp: Date.now() }],
      });
      const r = await c.request(ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'idem', partitionData: [{ index: 0, records }] }],
      });
      const p = r.responses[0]!.partitionResponses[0]!;
      return [p.errorCode, p.baseOffset];
    };
    try {
      const [, pid] = await init(c, 4);
      assert.deepEqual(await produce(pid as bigint, 0, 0), [0, 0n]);
      assert.deepEqual(await produce(pid as bigint, 0, 1), [0, 1n]);
      assert.deepEqual(await init(c, 4, { producerId: pid as bigint, producerEpoch: 0 }), [0, pid, 1]);
      assert.deepEqual(await produce(pid as bigint, 1, 5), [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n]);
      assert.deepEqual(await produce(pid as bigint, 1, 0), [0, 2n]);
      assert.deepEqual(await produce(pid as bigint, 0, 2), [ErrorCode.INVALID_PRODUCER_EPOCH, -1n]);
    } finally {
      c.close();
      await b.stop();
    }
  });

  it('transactional ids: no transaction coordinator', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    try {
      assert.deepEqual(await init(c, 4, { transactionalId: 'tx-1' }), [ErrorCode.COORDINATOR_NOT_AVAILABLE, -1n, -1]);
      assert.deepEqual(await init(c, 0, { transactionalId: 'tx-1' }), [ErrorCode.COORDINATOR_NOT_AVAILABLE, -1n, -1]);
      assert.deepEqual(await init(c, 4, { transactionalId: '' }), [ErrorCode.INVALID_REQUEST, -1n, -1]);
      assert.deepEqual(await init(c, 4, { transactionalId: 'tx-1', transactionTimeoutMs: 0 }), [
        ErrorCode.INVALID_TRANSACTION_TIMEOUT,
        -1n,
        -1,
      ]);
      assert.deepEqual(await init(c, 4, { transactionalId: 'tx-1', transactionTimeoutMs: 900_001 }), [
        ErrorCode.INVALID_TRANSACTION_TIMEOUT,
        -1n,
        -1,
      ]);
      // an idempotent producer still gets the first id
      assert.deepEqual(await init(c, 4), [0, 0n, 0]);
    } finally {
      c.close();
      await b.stop();
    }
  });
});

describe('ProducerIdManager', () => {
  it('claims the block on disk before issuing from it: a crash never leads to a repeated id', () => {
    const fs = new MemoryFileSystem();
    fs.mkdirSync('/data');
    const m = new ProducerIdManager(fs, '/data', 1);
    m.load();
    const first = Array.from({ length: 1001 }, () => m.generate());
    assert.deepEqual([first[0], first[999], first[1000]], [0, 999, 1000]);
    fs.crash();
    const m2 = new ProducerIdManager(fs, '/data', 1);
    m2.load();
    assert.equal(m2.generate(), 2000);
    assert.equal(m2.wasIssued(1999), true);
    assert.equal(m2.wasIssued(3000), false);
    assert.equal(m2.wasIssued(-1), false);
  });

  it('a failed block write issues nothing; an unreadable block file refuses to load', () => {
    const fs = new MemoryFileSystem();
    fs.mkdirSync('/data');
    const m = new ProducerIdManager(fs, '/data', 1);
    m.load();
    fs.faults.failFsync = true;
    assert.throws(() => m.generate(), /EIO/);
    fs.faults.failFsync = false;
    assert.equal(m.generate(), 0);
    const bad = new MemoryFileSystem();
    bad.mkdirSync('/d/tributary-metadata');
    const fd = bad.openSync(`/d/${PRODUCER_ID_BLOCK_FILE}`, true);
    bad.writeSync(fd, Buffer.from('{"version":1}'), 0, 13, 0);
    bad.closeSync(fd);
    assert.throws(() => new ProducerIdManager(bad, '/d', 1).load(), /not a producer id block file/);
  });
});
