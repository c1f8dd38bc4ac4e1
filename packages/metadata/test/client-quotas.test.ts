// Client quotas in the metadata: ClientQuotaRecords replayed into the ClientQuotasImage (set,
// replace, remove, an entity disappearing with its last key), the record's serde, imageRecords and
// snapshotDelta carrying quotas, DescribeClientQuotas' filters (EXACT, DEFAULT, SPECIFIED, strict,
// bad filters) and the controller's AlterClientQuotas (records written only for changes, Kafka's
// INVALID_REQUEST messages, validateOnly).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import {
  Controller,
  MetadataImage,
  applyRecords,
  decodeMetadataRecord,
  encodeMetadataRecord,
  imageRecords,
  snapshotDelta,
  type ClientQuotaAlteration,
  type MetadataRecord,
} from '../src/index.ts';
import { clientQuotaRecord } from '../src/records/metadata-record.ts';

const alice = { user: 'alice' };
const aliceApp = { user: 'alice', 'client-id': 'app' };
const defaultUser = { user: null };
const app = { 'client-id': 'app' };

function imageOf(records: MetadataRecord[]): MetadataImage {
  return applyRecords(MetadataImage.EMPTY, records).image;
}

function quotasOf(image: MetadataImage, entity: Record<string, string | null>): Record<string, number> {
  return Object.fromEntries(image.clientQuotas.quotas(entity));
}

const base = imageOf([
  clientQuotaRecord(alice, 'producer_byte_rate', 1000),
  clientQuotaRecord(alice, 'consumer_byte_rate', 2000),
  clientQuotaRecord(aliceApp, 'producer_byte_rate', 500),
  clientQuotaRecord(defaultUser, 'producer_byte_rate', 100),
  clientQuotaRecord(app, 'request_percentage', 12.5),
  clientQuotaRecord({ 'client-id': null }, 'consumer_byte_rate', 42),
]);

describe('ClientQuotasImage', () => {
  it('replays sets, replacements and removals; an entity without keys disappears', () => {
    assert.deepEqual(quotasOf(base, alice), { producer_byte_rate: 1000, consumer_byte_rate: 2000 });
    assert.deepEqual(quotasOf(base, { 'client-id': 'app', user: 'alice' }), { producer_byte_rate: 500 }); // order of types does not matter
    assert.deepEqual(quotasOf(base, defaultUser), { producer_byte_rate: 100 });
    assert.deepEqual(quotasOf(base, { user: 'bob' }), {});
    const { image, delta } = applyRecords(base, [
      clientQuotaRecord(alice, 'producer_byte_rate', 3000),
      clientQuotaRecord(alice, 'consumer_byte_rate', null),
      clientQuotaRecord(aliceApp, 'producer_byte_rate', null),
    ]);
    assert.deepEqual(quotasOf(image, alice), { producer_byte_rate: 3000 });
    assert.equal(image.clientQuotas.entries.size, 4);
    assert.deepEqual(quotasOf(image, aliceApp), {});
    assert.deepEqual(delta.clientQuotas?.changedEntities(), [alice, aliceApp]);
    assert.equal(base.clientQuotas.entries.size, 5, 'the previous image is unchanged');
  });

  it('a ClientQuotaRecord encodes as apiKey 14 and decodes back', () => {
    const rec = clientQuotaRecord(aliceApp, 'producer_byte_rate', 500);
    const bytes = encodeMetadataRecord(rec);
    assert.deepEqual(decodeMetadataRecord(bytes), rec);
    const removal = clientQuotaRecord(defaultUser, 'producer_byte_rate', null);
    assert.deepEqual(removal.data, {
      entity: [{ entityType: 'user', entityName: null }],
      key: 'producer_byte_rate',
      value: 0,
      remove: true,
    });
  });

  it('imageRecords rebuild the quotas and snapshotDelta removes what the snapshot lacks', () => {
    const rebuilt = imageOf(imageRecords(base));
    assert.deepEqual([...rebuilt.clientQuotas.entries], [...base.clientQuotas.entries]);
    const snapshot = imageOf([clientQuotaRecord(alice, 'producer_byte_rate', 7)]);
    const { image } = snapshotDelta(base, snapshot);
    assert.deepEqual(
      [...image.clientQuotas.entries.values()].map((e) => [e.entity, Object.fromEntries(e.quotas)]),
      [[alice, { producer_byte_rate: 7 }]],
    );
  });
});

describe('DescribeClientQuotas filters', () => {
  const j = (e: object) => JSON.stringify(Object.fromEntries(Object.entries(e).sort()));
  const names = (components: Parameters<typeof base.clientQuotas.describe>[0], strict = false) => {
    const r = base.clientQuotas.describe(components, strict);
    if (!('entries' in r)) throw new Error(`${r.errorCode}: ${r.errorMessage}`);
    return r.entries.map((e) => j(e.entity)).sort();
  };

  it('EXACT, DEFAULT and SPECIFIED, strict or not', () => {
    assert.deepEqual(names([]), [j(alice), j(aliceApp), j(defaultUser), j(app), j({ 'client-id': null })].sort());
    assert.deepEqual(names([], true), []);
    assert.deepEqual(names([{ entityType: 'user', matchType: 0, match: 'alice' }]), [j(alice), j(aliceApp)].sort());
    assert.deepEqual(names([{ entityType: 'user', matchType: 0, match: 'alice' }], true), [j(alice)]);
    assert.deepEqual(names([{ entityType: 'user', matchType: 1, match: null }]), [j(defaultUser)]);
    assert.deepEqual(names([{ entityType: 'user', matchType: 2, match: null }], true), [j(alice), j(defaultUser)].sort());
    assert.deepEqual(
      names([{ entityType: 'client-id', matchType: 2, match: null }]),
      [j(aliceApp), j(app), j({ 'client-id': null })].sort(),
    );
    assert.deepEqual(
      names([
        { entityType: 'user', matchType: 0, match: 'alice' },
        { entityType: 'client-id', matchType: 2, match: null },
      ]),
      [j(aliceApp)],
    );
    assert.deepEqual(names([{ entityType: 'user', matchType: 0, match: 'nobody' }]), []);
  });

  it('bad filters answer Kafka errors', () => {
    const err = (components: Parameters<typeof base.clientQuotas.describe>[0]) => base.clientQuotas.describe(components, false);
    assert.deepEqual(err([{ entityType: '', matchType: 0, match: 'x' }]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid empty entity type.',
    });
    assert.deepEqual(err([{ entityType: 'group', matchType: 0, match: 'x' }]), {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      errorMessage: 'Unsupported entity type group',
    });
    assert.deepEqual(err([{ entityType: 'user', matchType: 0, match: null }]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Request specified MATCH_TYPE_EXACT, but set match string to null.',
    });
    assert.deepEqual(err([{ entityType: 'user', matchType: 1, match: 'a' }]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.',
    });
    assert.deepEqual(err([{ entityType: 'user', matchType: 7, match: null }]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unknown match type 7',
    });
    assert.deepEqual(
      err([
        { entityType: 'user', matchType: 2, match: null },
        { entityType: 'user', matchType: 1, match: null },
      ]),
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Entity type user cannot appear more than once in the filter.' },
    );
    assert.equal(
      (
        err([
          { entityType: 'ip', matchType: 2, match: null },
          { entityType: 'user', matchType: 2, match: null },
        ]) as { errorMessage: string }
      ).errorMessage,
      'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
    );
  });
});

describe('Controller.alterClientQuotas', () => {
  const controller = new Controller({} as ConstructorParameters<typeof Controller>[0]);
  const entity = (e: Record<string, string | null>) => Object.entries(e).map(([entityType, entityName]) => ({ entityType, entityName }));
  const alter = (image: MetadataImage, alterations: ClientQuotaAlteration[], validateOnly = false) =>
    controller.alterClientQuotas(image, alterations, { validateOnly });

  it('writes records only for changes; null removes; validateOnly writes nothing', () => {
    const r = alter(base, [
      {
        entity: entity(alice),
        ops: [
          { key: 'producer_byte_rate', value: 1000 }, // unchanged
          { key: 'consumer_byte_rate', value: null }, // removed
          { key: 'request_percentage', value: 50 }, // new
        ],
      },
      { entity: entity({ user: 'bob' }), ops: [{ key: 'consumer_byte_rate', value: null }] }, // nothing to remove
    ]);
    assert.deepEqual(
      r.response.map((x) => x.errorCode),
      [0, 0],
    );
    assert.deepEqual(r.records, [clientQuotaRecord(alice, 'consumer_byte_rate', null), clientQuotaRecord(alice, 'request_percentage', 50)]);
    const v = alter(base, [{ entity: entity(alice), ops: [{ key: 'producer_byte_rate', value: 1 }] }], true);
    assert.deepEqual(v.records, []);
    assert.equal(v.response[0]!.errorCode, 0);
  });

  it('answers INVALID_REQUEST with Kafka messages and writes nothing for that entry', () => {
    const msg = (alteration: ClientQuotaAlteration) => {
      const r = alter(base, [alteration]);
      assert.deepEqual(r.records, []);
      assert.equal(r.response[0]!.errorCode, ErrorCode.INVALID_REQUEST);
      return r.response[0]!.errorMessage;
    };
    const set = [{ key: 'producer_byte_rate', value: 10 }];
    assert.equal(msg({ entity: [], ops: set }), 'Invalid empty client quota entity');
    assert.equal(msg({ entity: entity({ group: 'g' }), ops: set }), 'Unhandled client quota entity type: group');
    assert.equal(msg({ entity: entity({ user: '' }), ops: set }), 'Empty user not supported');
    assert.equal(
      msg({ entity: [...entity(alice), ...entity({ user: 'bob' })], ops: set }),
      'Invalid empty client quota entity, duplicate entity entry user',
    );
    assert.equal(msg({ entity: entity({ user: 'a', ip: '1.2.3.4' }), ops: set }), 'Invalid empty client quota entity');
    assert.equal(msg({ entity: entity(alice), ops: [{ key: 'bogus', value: 1 }] }), 'Invalid configuration key bogus');
    assert.equal(
      msg({ entity: entity(alice), ops: [{ key: 'producer_byte_rate', value: 1.5 }] }),
      'Configuration producer_byte_rate must be a Long value',
    );
    assert.equal(msg({ entity: entity({ ip: '1.2.3.4' }), ops: set }), 'Invalid configuration key producer_byte_rate');
    assert.equal(msg({ entity: entity({ ip: 'not an ip' }), ops: set }), 'not an ip is not a valid IP or resolvable host.');
    assert.equal(
      msg({ entity: entity(alice), ops: [...set, ...set] }),
      'Duplicate quota key producer_byte_rate not updating quota for this entity ClientQuotaEntity(entries={user=alice})',
    );
    const ip = alter(base, [{ entity: entity({ ip: null }), ops: [{ key: 'connection_creation_rate', value: 5 }] }]);
    assert.equal(ip.response[0]!.errorCode, 0);
    const dup = alter(base, [
      { entity: entity(alice), ops: set },
      { entity: entity(alice), ops: set },
    ]);
    assert.deepEqual(
      dup.response.map((x) => [x.errorCode, x.errorMessage]),
      [
        [0, null],
        [ErrorCode.INVALID_REQUEST, 'Ignoring duplicate entity ClientQuotaEntity(entries={user=alice})'],
      ],
    );
  });
});
