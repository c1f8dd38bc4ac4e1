// @platformatic/kafka's own protocol calls for features: ApiVersions v4's SupportedFeatures,
// FinalizedFeatures and FinalizedFeaturesEpoch as it decodes them, and UpdateFeatures v0 and v1
// (updateFeaturesV0/V1) against a broker whose metadata log started at 3.6-IV2
// (inter.broker.protocol.version): a level no node runs refused with INVALID_UPDATE_VERSION and
// Kafka's message, validateOnly changing nothing, the upgrade to 3.7-IV2 (17) seen in the next
// ApiVersions, and the downgrade back refused. (KafkaJS, kafka-python 2.0.2 and confluent-kafka
// 1.7 have no feature calls.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as platformatic from '@platformatic/kafka';
import { ErrorCode } from '@tributary/protocol';
import { startTestBroker, waitFor } from './harness.ts';
import './js-clients.ts'; // Promise.withResolvers for @platformatic/kafka on Node 20

const { Connection, apiVersionsV4, updateFeaturesV0, updateFeaturesV1, FeatureUpgradeTypes } = platformatic;
const PREFIX = 'The update failed for all features since the following feature had an error: ';

describe('@platformatic/kafka: ApiVersions features and UpdateFeatures', { timeout: 60_000 }, () => {
  it('reads metadata.version 3.6-IV2, refuses 18, validates 17, upgrades to 17, refuses going back', async (t) => {
    const kafka = await startTestBroker({ settings: { 'inter.broker.protocol.version': '3.6-IV2' } });
    const connection = new Connection('interop-platformatic');
    t.after(async () => {
      await connection.close();
      await kafka.stop();
    });
    await connection.connect('127.0.0.1', kafka.port);
    const features = async () => {
      const r = await apiVersionsV4.api.async(connection, 'interop', '1.0');
      assert.equal(r.errorCode, 0);
      assert.deepEqual(r.supportedFeatures, [{ name: 'metadata.version', minVersion: 14, maxVersion: 17 }]);
      assert.ok((r.finalizedFeaturesEpoch ?? -1n) >= 0n, `epoch ${r.finalizedFeaturesEpoch}`);
      return (r.finalizedFeatures ?? []).map((f) => [f.name, f.minVersionLevel, f.maxVersionLevel]);
    };
    assert.deepEqual(await features(), [['metadata.version', 14, 14]]);
    const mv = (level: number, upgradeType: number = FeatureUpgradeTypes.UPGRADE) => [
      { feature: 'metadata.version', maxVersionLevel: level, upgradeType: upgradeType as 1 },
    ];

    const tooHigh = await updateFeaturesV1.api.async(connection, 60_000, mv(18), false).catch((e) => e.response);
    assert.equal(tooHigh.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
    assert.equal(
      tooHigh.errorMessage,
      `${PREFIX}Invalid update version 18 for feature metadata.version. Local controller 1 only supports versions 14-17`,
    );
    assert.deepEqual(tooHigh.results, []);

    const dry = await updateFeaturesV1.api.async(connection, 60_000, mv(17), true);
    assert.equal(dry.errorCode, 0);
    assert.deepEqual(dry.results, [{ feature: 'metadata.version', errorCode: 0, errorMessage: null }]);
    assert.deepEqual(await features(), [['metadata.version', 14, 14]]);

    const up = await updateFeaturesV0.api.async(connection, 60_000, mv(17), false);
    assert.equal(up.errorCode, 0);
    assert.deepEqual(up.results, [{ feature: 'metadata.version', errorCode: 0, errorMessage: null }]);
    await waitFor('ApiVersions to show 17', async () => (await features())[0]![2] === 17, 10_000);

    // v0's AllowDowngrade is a safe downgrade: across 3.7-IV2 it would lose the directories
    const down = await updateFeaturesV0.api
      .async(connection, 60_000, mv(14, FeatureUpgradeTypes.SAFE_DOWNGRADE), false)
      .catch((e) => e.response);
    assert.equal(down.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
    assert.equal(
      down.errorMessage,
      `${PREFIX}Invalid metadata.version 14. Refusing to perform the requested downgrade because it might delete metadata information.`,
    );
    assert.deepEqual(await features(), [['metadata.version', 17, 17]]);
  });
});
