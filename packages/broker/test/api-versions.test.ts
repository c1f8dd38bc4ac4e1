// ApiVersions over a real socket, every version, compared byte for byte with Kafka's encoding
// (v3+ with the features: what kafka-features.sh describe reads).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey as Keys, decodeResponseFrame, type ApiKey } from '@tributary/protocol';
import { HandlerRegistry, type AnyApiHandler } from '../src/server/handler-registry.ts';
import { apiVersionsHandler } from '../src/handlers/api-versions.ts';
import { connect, requestFrame } from './helpers/wire-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';

const fake = (apiKey: ApiKey, minVersion: number, maxVersion: number): AnyApiHandler => ({
  apiKey,
  name: `Fake${apiKey}`,
  minVersion,
  maxVersion,
  handle: () => ({}),
});

/** ApiVersions v3+ request body: ClientSoftwareName, ClientSoftwareVersion (compact strings), no tags. */
function v3Body(name: string, version: string): Buffer {
  const n = Buffer.from(name);
  const v = Buffer.from(version);
  return Buffer.concat([Buffer.from([n.length + 1]), n, Buffer.from([v.length + 1]), v, Buffer.from([0])]);
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('ApiVersions', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  before(async () => {
    // Registered out of order, with a handler serving 3-12 (advertised from 0) to check sorting and MinVersion 0.
    const registry = new HandlerRegistry()
      .register(fake(3, 3, 12))
      .register(apiVersionsHandler)
      .register(fake(0, 0, 11));
    kafka = await startTestBroker({}, { registry });
  });
  after(() => kafka.stop());

  async function roundTrip(frame: Buffer): Promise<Buffer> {
    const c = await connect(kafka.port);
    c.send(frame);
    const [res] = await c.frames(1);
    c.end();
    return res!;
  }

  // Response header v0 (correlation id only) for every version, then the body.
  const keysV0 = '00000003' + '0000 0000 000b' + '0003 0000 000c' + '0012 0000 0004';
  const expected: Record<number, string> = {
    0: '0000002a' + '0000' + keysV0,
    1: '0000002a' + '0000' + keysV0 + '00000000',
    2: '0000002a' + '0000' + keysV0 + '00000000',
    3: '0000002a' + '0000' + '04' + '0000 0000 000b 00' + '0003 0000 000c 00' + '0012 0000 0004 00' + '00000000',
    4: '0000002a' + '0000' + '04' + '0000 0000 000b 00' + '0003 0000 000c 00' + '0012 0000 0004 00' + '00000000',
  };
  // v3+ tagged fields: SupportedFeatures (tag 0: metadata.version 14-17), FinalizedFeaturesEpoch
  // (tag 1: the image's offset), FinalizedFeatures (tag 2: metadata.version 17-17); ZkMigrationReady
  // (tag 3) is false, its default, so it is left out, as Kafka's encoder does.
  const name = Buffer.from('metadata.version').toString('hex');
  const featureTags = (epoch: bigint) =>
    '03' +
    ('00 17' + '02' + '11' + name + '000e 0011 00') +
    ('01 08' + epoch.toString(16).padStart(16, '0')) +
    ('02 17' + '02' + '11' + name + '0011 0011 00');

  for (const version of [0, 1, 2, 3, 4]) {
    it(`v${version} lists every registered API with MinVersion 0${version >= 3 ? ' and the features' : ''}, byte-exact`, async () => {
      const flexible = version >= 3;
      const frame = requestFrame(18, version, 42, flexible ? v3Body('kcat', '1.7.0') : Buffer.alloc(0), { flexible, clientId: 'rdkafka' });
      const res = await roundTrip(frame);
      let want = expected[version]!;
      if (flexible) {
        const epoch = decodeResponseFrame(Keys.ApiVersions, version, res).body.finalizedFeaturesEpoch;
        assert.ok(epoch >= 0n);
        want += featureTags(epoch);
      }
      assert.deepEqual(res, hex(want));
    });
  }

  it('decodes with the generated codec at every version', async () => {
    for (const version of [0, 1, 2, 3, 4]) {
      const flexible = version >= 3;
      const frame = requestFrame(18, version, 10 + version, flexible ? v3Body('tributary', '0.1.0') : Buffer.alloc(0), { flexible });
      const { correlationId, body } = decodeResponseFrame(Keys.ApiVersions, version, await roundTrip(frame));
      assert.equal(correlationId, 10 + version);
      assert.equal(body.errorCode, 0);
      assert.deepEqual(body.apiKeys, [
        { apiKey: 0, minVersion: 0, maxVersion: 11 },
        { apiKey: 3, minVersion: 0, maxVersion: 12 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ]);
    }
  });

  it('answers an unsupported version with a v0 body, UNSUPPORTED_VERSION and its own range (KIP-511)', async () => {
    const frame = requestFrame(18, 7, 99, v3Body('future-client', '9.9'), { flexible: true });
    assert.deepEqual(await roundTrip(frame), hex('00000063' + '0023' + '00000001' + '0012 0000 0004'));
  });

  it('answers INVALID_REQUEST (42) for an invalid ClientSoftwareName in v3+', async () => {
    const res = await roundTrip(requestFrame(18, 3, 5, v3Body('bad name!', '1.0'), { flexible: true }));
    assert.equal(res.readInt16BE(4), 42);
  });

  it('answers requests pipelined on one connection in order (kafka-python probe style)', async () => {
    const c = await connect(kafka.port);
    c.send(Buffer.concat([requestFrame(18, 0, 1), requestFrame(18, 2, 2), requestFrame(18, 3, 3, v3Body('a', 'b'), { flexible: true })]));
    const frames = await c.frames(3);
    assert.deepEqual(
      frames.map((f) => f.readInt32BE(0)),
      [1, 2, 3],
    );
    c.end();
  });

  it('closes the connection on a malformed v3 body', async () => {
    const c = await connect(kafka.port);
    c.send(requestFrame(18, 3, 1, Buffer.from([0x10, 0x41]), { flexible: true }));
    await c.closed;
  });
});
