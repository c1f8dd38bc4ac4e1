// The controller's GROUP config resources (type 32: validated by the injected GroupConfigPolicy,
// stored as ConfigRecords, APPEND / SUBTRACT refused, the default group refused, refused as an
// unknown type without a policy) and the unclean-election default taken from dynamic BROKER
// configs (this controller's node, then the cluster default "", then the static setting), as
// Kafka's ConfigurationControlManager resolves it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { Controller, type GroupConfigPolicy, type MetadataImage, type MetadataRecord } from '../src/index.ts';
import { clusterImage, commit, options } from './helpers/fixtures.ts';

const GROUP = 32;

/** Knows one name, an int of at least 10. */
const groupPolicy: GroupConfigPolicy = {
  validate(configs) {
    for (const [k, v] of Object.entries(configs)) {
      if (k !== 'consumer.session.timeout.ms')
        return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown group config name: ${k}` };
      if (v === null || Number(v) < 10) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `bad ${k}=${v}` };
    }
    return { configs: configs as Record<string, string> };
  },
};

const brief = (records: MetadataRecord[]) =>
  records.map((r) =>
    r.type === 'ConfigRecord' ? `config ${r.data.resourceType}:${r.data.resourceName} ${r.data.name}=${r.data.value}` : r.type,
  );

describe('controller: GROUP configs', () => {
  const c = new Controller(options({ groupConfigs: groupPolicy }));
  const image = clusterImage([1]);

  it('stores a valid whole set as ConfigRecords of type 32 (the group needs not exist); replaces and deletes', () => {
    const set = c.incrementalAlterConfigs(image, [
      { resourceType: GROUP, resourceName: 'g', ops: [{ name: 'consumer.session.timeout.ms', op: 'SET', value: '50' }] },
    ]);
    assert.deepEqual(set.response, [{ resourceType: GROUP, resourceName: 'g', errorCode: 0, errorMessage: null }]);
    assert.deepEqual(brief(set.records), ['config 32:g consumer.session.timeout.ms=50']);
    const after = commit(image, set.records);
    assert.deepEqual(Object.fromEntries(after.configs.configs(GROUP, 'g')), { 'consumer.session.timeout.ms': '50' });
    assert.deepEqual(brief(c.alterConfigs(after, [{ resourceType: GROUP, resourceName: 'g', configs: {} }]).records), [
      'config 32:g consumer.session.timeout.ms=null',
    ]);
    const del = c.incrementalAlterConfigs(after, [
      { resourceType: GROUP, resourceName: 'g', ops: [{ name: 'consumer.session.timeout.ms', op: 'DELETE', value: null }] },
    ]);
    assert.deepEqual(brief(del.records), ['config 32:g consumer.session.timeout.ms=null']);
    assert.deepEqual(
      c.incrementalAlterConfigs(
        after,
        [{ resourceType: GROUP, resourceName: 'g', ops: [{ name: 'consumer.session.timeout.ms', op: 'SET', value: '60' }] }],
        { validateOnly: true },
      ).records,
      [],
    );
  });

  it("answers the policy's errors, APPEND / SUBTRACT, the default group and a controller without a policy", () => {
    const errs = c.incrementalAlterConfigs(image, [
      { resourceType: GROUP, resourceName: 'g', ops: [{ name: 'x', op: 'SET', value: '1' }] },
      { resourceType: GROUP, resourceName: 'g', ops: [{ name: 'consumer.session.timeout.ms', op: 'SET', value: '5' }] },
      { resourceType: GROUP, resourceName: 'g', ops: [{ name: 'consumer.session.timeout.ms', op: 'APPEND', value: '5' }] },
      { resourceType: GROUP, resourceName: '', ops: [{ name: 'x', op: 'SUBTRACT', value: '5' }] },
      { resourceType: GROUP, resourceName: '', ops: [{ name: 'consumer.session.timeout.ms', op: 'SET', value: '50' }] },
    ]);
    assert.deepEqual(errs.records, []);
    assert.deepEqual(
      errs.response.map((e) => [e.errorCode, e.errorMessage]),
      [
        [ErrorCode.INVALID_CONFIG, 'Unknown group config name: x'],
        [ErrorCode.INVALID_CONFIG, 'bad consumer.session.timeout.ms=5'],
        [ErrorCode.INVALID_CONFIG, "Can't APPEND to key consumer.session.timeout.ms because its type is not LIST."],
        [ErrorCode.INVALID_CONFIG, "Can't SUBTRACT to key x because its type is not LIST."],
        [ErrorCode.INVALID_REQUEST, 'Default group resources are not allowed.'],
      ],
    );
    const none = new Controller(options()).alterConfigs(image, [{ resourceType: GROUP, resourceName: 'g', configs: {} }]);
    assert.deepEqual(
      none.response.map((e) => [e.errorCode, e.errorMessage]),
      [[ErrorCode.INVALID_REQUEST, 'The controller only alters TOPIC and BROKER configs, not resource type 32.']],
    );
  });
});

describe('controller: unclean.leader.election.enable from dynamic broker configs', () => {
  const setBroker = (c: Controller, image: MetadataImage, name: string, value: string | null): MetadataImage =>
    commit(
      image,
      c.incrementalAlterConfigs(image, [
        {
          resourceType: 4,
          resourceName: name,
          ops: [{ name: 'unclean.leader.election.enable', op: value === null ? 'DELETE' : 'SET', value }],
        },
      ]).records,
    );

  it("resolves this controller's node, then the cluster default, then the static setting", () => {
    const c = new Controller(options({ nodeId: 1, uncleanLeaderElectionEnable: false }));
    let image = clusterImage([1]);
    assert.equal(c.uncleanLeaderElectionDefault(image), false);
    image = setBroker(c, image, '', 'true');
    assert.equal(c.uncleanLeaderElectionDefault(image), true, 'the cluster-wide default');
    image = setBroker(c, image, '2', 'false');
    assert.equal(c.uncleanLeaderElectionDefault(image), true, "another node's config does not count");
    image = setBroker(c, image, '1', 'FALSE');
    assert.equal(c.uncleanLeaderElectionDefault(image), false, "this node's own wins");
    image = setBroker(c, image, '1', null);
    image = setBroker(c, image, '', null);
    assert.equal(c.uncleanLeaderElectionDefault(image), false);
    assert.equal(new Controller(options({ nodeId: 1, uncleanLeaderElectionEnable: true })).uncleanLeaderElectionDefault(image), true);
  });

  it('elects an out-of-sync replica once the cluster default allows it, without a restart', () => {
    const c = new Controller(options({ nodeId: 1 }));
    let image = clusterImage([1, 2, 3]);
    image = commit(image, c.createTopics(image, [{ name: 't', numPartitions: 1, replicationFactor: 3 }]).records);
    for (const b of [1, 2, 3]) image = commit(image, c.fenceBroker(image, b).records);
    const leaderAfterUnfencing = (img: MetadataImage) => {
      const r = c.unfenceBroker(img, 2).records.find((x) => x.type === 'PartitionChangeRecord');
      return r?.type === 'PartitionChangeRecord' ? r.data.leader : null;
    };
    assert.equal(leaderAfterUnfencing(image), null, 'broker 2 is out of sync: nobody is elected');
    assert.equal(leaderAfterUnfencing(setBroker(c, image, '', 'true')), 2);
  });
});
