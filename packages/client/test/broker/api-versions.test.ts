// Against a real in-process Tributary broker (testkit): the connection negotiates versions from the
// broker's ApiVersions answer. More broker tests follow as the broker's handlers land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '@tributary/protocol';
import { startBroker } from '@tributary/testkit';
import { BrokerConnection } from '../../src/network/connection.ts';
import { parseHostPort } from '../../src/cluster/cluster.ts';

test('ApiVersions negotiation with a Tributary broker', async () => {
  const kafka = await startBroker();
  const { host, port } = parseHostPort(kafka.bootstrap);
  const c = new BrokerConnection({ host, port, clientId: 'client-test' });
  try {
    await c.connect();
    const own = c.apiVersions.range(ApiKey.ApiVersions)!;
    assert.ok(own.maxVersion >= 3, `broker serves ApiVersions up to v${own.maxVersion}`);
    assert.equal(c.versionFor(ApiKey.ApiVersions), Math.min(4, own.maxVersion));
  } finally {
    c.close();
    await kafka.stop();
  }
});
