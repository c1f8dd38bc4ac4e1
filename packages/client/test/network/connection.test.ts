// BrokerConnection against a codec-based fake broker: ApiVersions negotiation (highest common
// version, fallback when the broker refuses our ApiVersions version), typed requests, acks=0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '@tributary/protocol';
import { BrokerConnection } from '../../src/network/connection.ts';
import { UnsupportedVersionError } from '../../src/cluster/api-versions.ts';
import { startFakeBroker, defaultApiVersions } from '../helpers/fake-broker.ts';

test('negotiates the highest common version and sends typed requests', async () => {
  const broker = await startFakeBroker(
    (h) => {
      if (h.apiKey === ApiKey.Metadata) {
        return {
          body: { brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }], clusterId: 'c1', controllerId: 1, topics: [] },
        };
      }
      return undefined;
    },
    defaultApiVersions({ [ApiKey.Metadata]: [0, 9], [ApiKey.Produce]: [0, 7] }),
  );
  const c = new BrokerConnection({ host: '127.0.0.1', port: broker.port, clientId: 'test-client' });
  try {
    await c.connect();
    assert.equal(c.versionFor(ApiKey.Metadata), 9);
    assert.equal(c.versionFor(ApiKey.Produce), 7);
    assert.equal(c.versionFor(ApiKey.Fetch), 12); // client max
    const md = await c.request(ApiKey.Metadata, { topics: null, allowAutoTopicCreation: false });
    assert.equal(md.clusterId, 'c1');
    assert.deepEqual(
      md.brokers.map((b) => [b.nodeId, b.host, b.port]),
      [[1, 'localhost', 9092]],
    );
    const [apiv, meta] = broker.requests;
    assert.equal(apiv.header.apiKey, ApiKey.ApiVersions);
    assert.equal(apiv.header.apiVersion, 4);
    assert.equal(apiv.body.clientSoftwareName, 'tributary');
    assert.equal(meta.header.apiVersion, 9);
    assert.equal(meta.header.clientId, 'test-client');
    assert.equal(meta.header.correlationId, apiv.header.correlationId + 1);
  } finally {
    c.close();
    await broker.close();
  }
});

test('falls back when the broker refuses our ApiVersions version (v0 error answer with its range)', async () => {
  const broker = await startFakeBroker(() => undefined, defaultApiVersions({ [ApiKey.ApiVersions]: [0, 2] }));
  const c = new BrokerConnection({ host: '127.0.0.1', port: broker.port, clientId: 'x' });
  try {
    await c.connect();
    assert.deepEqual(
      broker.requests.map((r) => [r.header.apiKey, r.header.apiVersion]),
      [
        [18, 4],
        [18, 2],
      ],
    );
    assert.equal(c.apiVersions.range(ApiKey.ApiVersions)!.maxVersion, 2);
  } finally {
    c.close();
    await broker.close();
  }
});

test('an API the broker lacks is a non-retriable UNSUPPORTED_VERSION; acks=0 resolves null', async () => {
  const keys = defaultApiVersions().filter((k) => k.apiKey !== ApiKey.InitProducerId);
  const broker = await startFakeBroker((h) => (h.apiKey === ApiKey.Produce ? null : undefined), keys);
  const c = new BrokerConnection({ host: '127.0.0.1', port: broker.port, clientId: 'x' });
  try {
    await c.connect();
    await assert.rejects(c.request(ApiKey.InitProducerId, { transactionalId: null, transactionTimeoutMs: 1000 }), UnsupportedVersionError);
    const r = await c.request(ApiKey.Produce, { acks: 0, timeoutMs: 1000, topicData: [] }, { expectResponse: false });
    assert.equal(r, null);
  } finally {
    c.close();
    await broker.close();
  }
});
