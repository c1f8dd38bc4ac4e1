// UpdateFeatures in the controller (controller/feature-control.ts): metadata.version upgrades,
// Kafka's refusals word for word (unsupported levels on this controller or a broker, a downgrade
// without its type, an upgrade typed as a downgrade, a downgrade across a level that changed the
// metadata, unknown features, bad upgrade types), safe downgrades, validateOnly, the bootstrap
// level, and Kafka's version names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import {
  Controller,
  MetadataImage,
  UpgradeType,
  metadataChangedBetween,
  metadataVersionName,
  parseMetadataVersion,
  type FeatureUpdate,
} from '../src/index.ts';
import { featureLevelRecord } from '../src/records/metadata-record.ts';
import { commit, endpoint, incarnationId, options } from './helpers/fixtures.ts';

const c = new Controller(options({ nodeId: 3000 }));

/** Brokers 1 and 2 registered with `features`, at metadata.version `mv`. */
function cluster(mv: number, features: Record<string, readonly [number, number]> = { 'metadata.version': [14, 17] }): MetadataImage {
  let image = commit(MetadataImage.EMPTY, [featureLevelRecord('metadata.version', mv)]);
  for (const id of [1, 2]) {
    const req = { brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9090 + id)], features };
    image = commit(image, c.registerBroker(image, req, image.provenance.lastOffset + 1).records);
  }
  return image;
}

const mv = (level: number, upgradeType: number = UpgradeType.UPGRADE): FeatureUpdate => ({
  feature: 'metadata.version',
  maxVersionLevel: level,
  upgradeType,
});

function refused(image: MetadataImage, update: FeatureUpdate): string {
  const r = c.updateFeatures(image, [update]);
  assert.equal(r.response.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
  assert.deepEqual(r.records, []);
  return r.response.errorMessage!;
}

describe('UpdateFeatures: metadata.version', () => {
  it('upgrades 3.6-IV2 to 3.7-IV2 with one FeatureLevelRecord; the image then holds 17', () => {
    const image = cluster(14);
    const r = c.updateFeatures(image, [mv(17)]);
    assert.equal(r.response.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.records, [featureLevelRecord('metadata.version', 17)]);
    assert.equal(commit(image, r.records).features.metadataVersion, 17);
  });

  it('validateOnly checks and writes nothing; the current level again writes nothing', () => {
    const image = cluster(14);
    const v = c.updateFeatures(image, [mv(17)], { validateOnly: true });
    assert.equal(v.response.errorCode, ErrorCode.NONE);
    assert.deepEqual(v.records, []);
    assert.equal(
      refused(image, mv(18)),
      'Invalid update version 18 for feature metadata.version. Local controller 3000 only supports versions 14-17',
    );
    const same = c.updateFeatures(image, [mv(14)]);
    assert.equal(same.response.errorCode, ErrorCode.NONE);
    assert.deepEqual(same.records, []);
  });

  it('refuses levels a broker does not support, naming the broker', () => {
    const image = cluster(14, { 'metadata.version': [14, 15] });
    assert.equal(refused(image, mv(17)), 'Invalid update version 17 for feature metadata.version. Broker 1 only supports versions 14-15');
    const none = cluster(14, {});
    assert.equal(refused(none, mv(15)), 'Invalid update version 15 for feature metadata.version. Broker 1 does not support this feature.');
  });

  it('refuses a downgrade typed as an upgrade, and an upgrade typed as a downgrade', () => {
    assert.equal(
      refused(cluster(17), mv(16)),
      "Invalid update version 16 for feature metadata.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.",
    );
    assert.equal(
      refused(cluster(14), mv(17, UpgradeType.SAFE_DOWNGRADE)),
      "Invalid update version 17 for feature metadata.version. Can't downgrade to a newer version.",
    );
  });

  it('refuses a downgrade across a level that changed the metadata; allows one across levels that did not', () => {
    assert.equal(
      refused(cluster(17), mv(14, UpgradeType.SAFE_DOWNGRADE)),
      'Invalid metadata.version 14. Refusing to perform the requested downgrade because it might delete metadata information.',
    );
    assert.equal(
      refused(cluster(17), mv(16, UpgradeType.UNSAFE_DOWNGRADE)),
      'Invalid metadata.version 16. Unsafe metadata downgrade is not supported in this version.',
    );
    // 3.7-IV1 (16) changed nothing: 16 -> 15 is safe
    const r = c.updateFeatures(cluster(16), [mv(15, UpgradeType.SAFE_DOWNGRADE)]);
    assert.equal(r.response.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.records, [featureLevelRecord('metadata.version', 15)]);
  });

  it('refuses negative levels, unknown upgrade types and unknown features; one failure fails the request', () => {
    const image = cluster(14);
    assert.equal(
      refused(image, mv(-1)),
      'Invalid update version -1 for feature metadata.version. A feature version cannot be less than 0.',
    );
    assert.equal(
      refused(image, mv(17, 0)),
      'Invalid update version 17 for feature metadata.version. The controller does not support the given upgrade type.',
    );
    assert.equal(
      refused(image, { feature: 'group.version', maxVersionLevel: 1, upgradeType: UpgradeType.UPGRADE }),
      'Invalid update version 1 for feature group.version. Local controller 3000 does not support this feature.',
    );
    assert.equal(
      refused(image, { feature: 'group.version', maxVersionLevel: 0, upgradeType: UpgradeType.UPGRADE }),
      'Invalid update version 0 for feature group.version. Feature group.version not found.',
    );
    const both = c.updateFeatures(image, [mv(17), { feature: 'group.version', maxVersionLevel: 1, upgradeType: UpgradeType.UPGRADE }]);
    assert.equal(both.response.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
    assert.deepEqual(both.records, []);
  });

  it('bootstraps at options.bootstrapMetadataVersion, else 3.7-IV2', () => {
    assert.deepEqual(new Controller(options({ bootstrapMetadataVersion: 14 })).bootstrapRecords(), [
      featureLevelRecord('metadata.version', 14),
    ]);
    assert.deepEqual(c.bootstrapRecords(), [featureLevelRecord('metadata.version', 17)]);
  });
});

describe('metadata.version names', () => {
  it("reads Kafka's names: full, a release alone as its last IV, a longer version cut to its release", () => {
    assert.equal(parseMetadataVersion('3.7-IV2'), 17);
    assert.equal(parseMetadataVersion('3.6-IV2'), 14);
    assert.equal(parseMetadataVersion('3.7'), 19);
    assert.equal(parseMetadataVersion('3.6.1'), 14);
    assert.equal(parseMetadataVersion('3.0-IV1'), 1);
    assert.equal(parseMetadataVersion('2.8'), undefined);
    assert.equal(parseMetadataVersion('3.7-IV9'), undefined);
    assert.equal(metadataVersionName(17), '3.7-IV2');
    assert.equal(metadataVersionName(99), '99');
  });

  it("knows which downgrades could lose metadata (Kafka's checkIfMetadataChanged)", () => {
    assert.equal(metadataChangedBetween(16, 17), true);
    assert.equal(metadataChangedBetween(15, 16), false);
    assert.equal(metadataChangedBetween(14, 16), true);
    assert.equal(metadataChangedBetween(17, 19), false);
  });
});
