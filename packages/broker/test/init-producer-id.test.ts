// InitProducerId over a real socket: ids for idempotent producers (every version), blocks of 1000
// from the controller (in the metadata log) so ids never repeat after a restart or a crash, KIP-360 epoch bumps and what produce
// then accepts, transactional ids (the transaction coordinator), and the advertised range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { BrokerConfig } from '../src/config/broker-config.ts';
import { ProducerIdManager } from '../src/coordinator/transaction/producer-id-manager.ts';
import { controllerOptions } from '../src/metadata/controller-options.ts';
import { LocalController } from '@tributary/metadata';
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
    // the block is the controller's, recorded in the metadata log
    assert.equal(b.broker.services.metadata.image.producerIds.nextProducerId, 1000n);
    c.close();
    await b.stop();
    const b2 = await startTestBroker({ 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(b2.port);
    try {
      assert.deepEqual(await init(c2, 4), [0, 1000n, 0]);
      assert.deepEqual(await init(c2, 4), [0, 1001n, 0]);
      assert.equal(b2.broker.services.metadata.image.producerIds.nextProducerId, 2000n);
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

  it('transactional ids go to the transaction coordinator (checked first; __transaction_state created on first use)', async () => {
    const b = await startTestBroker({ 'transaction.state.log.num.partitions': 2 });
    const c = await kafkaClient(b.port);
    try {
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
      assert.equal(b.broker.services.metadata.topic('__transaction_state'), undefined, 'not created for a request refused anyway');
      let r = await init(c, 0, { transactionalId: 'tx-1' });
      while (r[0] === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) r = await init(c, 0, { transactionalId: 'tx-1' });
      assert.deepEqual(r, [0, 0n, 0]);
      assert.deepEqual(await init(c, 4, { transactionalId: 'tx-1' }), [0, 0n, 1]);
      assert.equal(b.broker.services.metadata.topic('__transaction_state')?.partitions.length, 2);
      // an idempotent producer gets the next id
      assert.deepEqual(await init(c, 4), [0, 1n, 0]);
    } finally {
      c.close();
      await b.stop();
    }
  });
});

describe('ProducerIdManager', () => {
  /** A LocalController over `fs` with broker 1 registered, and a ProducerIdManager asking it for blocks. */
  async function setup(fs: MemoryFileSystem) {
    const config = BrokerConfig.load({ settings: { 'log.dirs': '/data', 'node.id': 1 } });
    const controller = await LocalController.open({ logDir: '/data', controller: controllerOptions(config), fs, time: new MockTime() });
    await controller.registerBroker({ brokerId: 1, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ', endpoints: [] });
    const ids = new ProducerIdManager({
      allocate: async () => {
        const r = await controller.allocateProducerIds(1);
        if (r.errorCode !== ErrorCode.NONE) throw new Error(r.errorMessage ?? String(r.errorCode));
        return r;
      },
      nextUnallocated: () => controller.image.producerIds.nextProducerId,
    });
    return { controller, ids };
  }

  it('takes blocks of 1000 from the controller, recorded before any id is issued: a crash never leads to a repeated id', async () => {
    const fs = new MemoryFileSystem();
    fs.mkdirSync('/data');
    const a = await setup(fs);
    const first: number[] = [];
    for (let i = 0; i < 1001; i++) first.push(await a.ids.generate());
    assert.deepEqual([first[0], first[999], first[1000]], [0, 999, 1000]);
    assert.equal(typeof a.ids.generate(), 'number', 'within a block ids come at once');
    // two callers at a block boundary share one allocation
    const b = await setup(new MemoryFileSystem());
    const both = await Promise.all([b.ids.generate(), b.ids.generate()]);
    assert.deepEqual(both, [0, 1]);
    assert.equal(b.controller.image.producerIds.nextProducerId, 1000n);
    await b.controller.close();

    fs.crash();
    const again = await setup(fs);
    assert.equal(await again.ids.generate(), 2000);
    assert.equal(again.ids.wasIssued(1999), true);
    assert.equal(again.ids.wasIssued(3000), false);
    assert.equal(again.ids.wasIssued(-1), false);
    await again.controller.close();
  });

  it('a data dir from before the metadata log keeps its block: ids continue past it', async () => {
    const fs = new MemoryFileSystem();
    fs.mkdirSync('/data/tributary-metadata');
    const file = '/data/tributary-metadata/producer-id-block.json';
    const fd = fs.openSync(file, true);
    const body = Buffer.from('{"version":1,"brokerId":1,"blockStart":2000,"blockEnd":2999}\n');
    fs.writeSync(fd, body, 0, body.length, 0);
    fs.closeSync(fd);
    const { controller, ids } = await setup(fs);
    assert.equal(ids.wasIssued(2999), true);
    assert.equal(await ids.generate(), 3000);
    await controller.close();
  });

  it('a controller that cannot allocate fails the call; the next call asks again', async () => {
    let fail = true;
    const ids = new ProducerIdManager({
      allocate: async () => {
        if (fail) throw new Error('no controller');
        return { firstProducerId: 5000n, size: 1000 };
      },
      nextUnallocated: () => 6000n,
    });
    await assert.rejects(Promise.resolve(ids.generate()), /no controller/);
    fail = false;
    assert.equal(await ids.generate(), 5000);
    assert.equal(ids.generate(), 5001);
  });
});
