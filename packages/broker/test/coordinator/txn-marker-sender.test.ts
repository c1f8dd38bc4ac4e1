// TxnMarkerSender, the real MarkerWriter: a remote leader gets WriteTxnMarkers v1 over a connection
// to its inter-broker listener (here a broker whose WriteTxnMarkers handler is a recording fake),
// kept and reused; a local node not started yet and an unknown broker reject (the channel manager
// retries).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, type WriteTxnMarkersRequest } from '@tributary/protocol';
import { TxnMarkerSender } from '../../src/coordinator/transaction/transaction-marker-sender.ts';
import { defaultHandlers } from '../../src/handlers/index.ts';
import { HandlerRegistry, type ApiHandler } from '../../src/server/handler-registry.ts';
import { startTestBroker } from '../helpers/test-broker.ts';

describe('TxnMarkerSender', () => {
  it('sends WriteTxnMarkers v1 to a remote leader over one kept connection; rejects what it cannot reach', async () => {
    const received: Array<{ version: number; request: WriteTxnMarkersRequest; clientId: string | null }> = [];
    const fake: ApiHandler<typeof ApiKey.WriteTxnMarkers> = {
      apiKey: ApiKey.WriteTxnMarkers,
      name: 'WriteTxnMarkers',
      minVersion: 0,
      maxVersion: 1,
      handle(ctx, request) {
        received.push({ version: ctx.header.apiVersion, request, clientId: ctx.header.clientId });
        return {
          markers: request.markers.map((m) => ({
            producerId: m.producerId,
            topics: m.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode: 6 })),
            })),
          })),
        };
      },
    };
    const registry = new HandlerRegistry();
    for (const h of defaultHandlers) if (h.apiKey !== ApiKey.WriteTxnMarkers) registry.register(h);
    registry.register(fake);
    const b = await startTestBroker({}, { registry });
    const leader = b.broker.config.nodeId;
    const sender = new TxnMarkerSender({
      nodeId: 99,
      config: b.broker.config,
      metadata: b.broker.services.metadata,
      isLocal: (id) => id === 42,
      localServices: () => undefined,
    });
    try {
      const request = {
        markers: [
          {
            producerId: 7n,
            producerEpoch: 2,
            transactionResult: true,
            coordinatorEpoch: 3,
            topics: [{ name: 't', partitionIndexes: [0, 1] }],
          },
        ],
      };
      const r1 = await sender.write(leader, request);
      const r2 = await sender.write(leader, request);
      assert.deepEqual(r1, r2);
      assert.deepEqual(
        r1.markers[0]!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode]),
        [
          [0, 6],
          [1, 6],
        ],
      );
      assert.deepEqual(
        received.map((x) => [x.version, x.clientId]),
        [
          [1, 'broker-99-txn-marker-sender'],
          [1, 'broker-99-txn-marker-sender'],
        ],
      );
      assert.deepEqual(received[0]!.request.markers[0], request.markers[0]);
      assert.equal(b.broker.connectionCount, 1, 'one connection, reused');
      await assert.rejects(sender.write(42, request), /not started/);
      await assert.rejects(sender.write(1234, request), /no endpoint for broker 1234/);
      sender.close();
      await assert.rejects(sender.write(leader, request), /closed/);
    } finally {
      sender.close();
      await b.stop();
    }
  });
});
