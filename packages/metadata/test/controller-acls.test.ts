// ACLs in the controller and the image (acl-control.ts, acls-image.ts): CreateAcls validation with
// Kafka's messages, duplicates written once, DeleteAcls filters (ANY, MATCH, LITERAL, PREFIXED;
// principal, host, operation, permission), the records' wire form, and ACLs surviving a restart
// of the LocalController (replayed from `__cluster_metadata`).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { MockTime } from '@tributary/storage';
import {
  AclPermissionType,
  Controller,
  LocalController,
  MetadataImage,
  PatternType,
  decodeMetadataRecord,
  encodeMetadataRecord,
  type AclBinding,
  type AclBindingFilter,
} from '../src/index.ts';
import { commit, options, sequentialTopicIds } from './helpers/fixtures.ts';

const TOPIC = 2;
const GROUP = 3;
const CLUSTER = 4;
const READ = 3;
const WRITE = 4;
const { LITERAL, PREFIXED, ANY, MATCH } = PatternType;
const { ALLOW, DENY } = AclPermissionType;

const binding = (over: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: TOPIC,
  resourceName: 'orders',
  patternType: LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: READ,
  permissionType: ALLOW,
  ...over,
});
const anyFilter = (over: Partial<AclBindingFilter> = {}): AclBindingFilter => ({
  resourceType: 1,
  resourceName: null,
  patternType: ANY,
  principal: null,
  host: null,
  operation: 1,
  permissionType: AclPermissionType.ANY,
  ...over,
});
const strip = (acls: Iterable<{ id: string } & AclBinding>) => [...acls].map(({ id: _id, ...b }) => b);

describe('controller ACLs', () => {
  const c = new Controller(options({ newTopicId: sequentialTopicIds() }));

  it('creates valid bindings as AccessControlEntryRecords and refuses invalid ones with INVALID_REQUEST and Kafka messages', () => {
    const r = c.createAcls(MetadataImage.EMPTY, [
      binding(),
      binding({ patternType: ANY }),
      binding({ patternType: MATCH }),
      binding({ operation: 1 }),
      binding({ permissionType: AclPermissionType.ANY }),
      binding({ resourceType: 1 }),
      binding({ resourceName: '' }),
      binding({ resourceType: CLUSTER, resourceName: 'other' }),
      binding({ principal: 'alice' }),
      binding({ resourceType: CLUSTER, resourceName: 'kafka-cluster', operation: 7 }),
    ]);
    assert.deepEqual(
      r.response.map((e) => [e.errorCode, e.errorMessage]),
      [
        [0, null],
        [ErrorCode.INVALID_REQUEST, 'Invalid patternType 1'],
        [ErrorCode.INVALID_REQUEST, 'Invalid patternType 2'],
        [ErrorCode.INVALID_REQUEST, 'Invalid operation 1'],
        [ErrorCode.INVALID_REQUEST, 'Invalid permissionType 1'],
        [ErrorCode.INVALID_REQUEST, 'Invalid resourceType 1'],
        [ErrorCode.INVALID_REQUEST, 'Invalid empty resource name specified'],
        [ErrorCode.INVALID_REQUEST, 'The only valid name for the CLUSTER resource is kafka-cluster'],
        [
          ErrorCode.INVALID_REQUEST,
          'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)',
        ],
        [0, null],
      ],
    );
    assert.deepEqual(
      r.records.map((x) => x.type),
      ['AccessControlEntryRecord', 'AccessControlEntryRecord'],
    );
    const image = commit(MetadataImage.EMPTY, r.records);
    assert.deepEqual(strip(image.acls.acls.values()), [
      binding(),
      binding({ resourceType: CLUSTER, resourceName: 'kafka-cluster', operation: 7 }),
    ]);
  });

  it('writes a binding that exists, or repeats in the request, only once', () => {
    const first = c.createAcls(MetadataImage.EMPTY, [binding(), binding()]);
    assert.deepEqual(
      first.response.map((e) => e.errorCode),
      [0, 0],
    );
    assert.equal(first.records.length, 1);
    const image = commit(MetadataImage.EMPTY, first.records);
    const again = c.createAcls(image, [binding(), binding({ host: '10.0.0.1' })]);
    assert.deepEqual(
      again.response.map((e) => e.errorCode),
      [0, 0],
    );
    assert.equal(again.records.length, 1);
    assert.equal(commit(image, again.records).acls.acls.size, 2);
  });

  it('deletes what each filter matches: exact fields, ANY, MATCH (literal, wildcard and prefixes), reported per filter, removed once', () => {
    const all = [
      binding(), // 0 literal orders
      binding({ resourceName: '*' }), // 1 literal wildcard
      binding({ resourceName: 'ord', patternType: PREFIXED }), // 2 prefixed ord
      binding({ resourceName: 'pay', patternType: PREFIXED }), // 3 prefixed pay
      binding({ principal: 'User:bob', operation: WRITE, permissionType: DENY }), // 4
      binding({ resourceType: GROUP, resourceName: 'orders' }), // 5
    ];
    const image = commit(MetadataImage.EMPTY, c.createAcls(MetadataImage.EMPTY, all).records);
    const match = (f: AclBindingFilter) => strip(c.deleteAcls(image, [f]).response[0]!.matchingAcls);
    assert.deepEqual(match(anyFilter()), all);
    assert.deepEqual(match(anyFilter({ resourceType: TOPIC, resourceName: 'orders', patternType: MATCH })), [
      all[0],
      all[1],
      all[2],
      all[4],
    ]);
    assert.deepEqual(match(anyFilter({ resourceType: TOPIC, resourceName: 'orders', patternType: ANY })), [all[0], all[4]]);
    assert.deepEqual(match(anyFilter({ resourceName: 'orders', patternType: LITERAL })), [all[0], all[4], all[5]]);
    assert.deepEqual(match(anyFilter({ patternType: PREFIXED })), [all[2], all[3]]);
    assert.deepEqual(match(anyFilter({ resourceName: 'ord', patternType: PREFIXED })), [all[2]]);
    assert.deepEqual(match(anyFilter({ principal: 'User:bob' })), [all[4]]);
    assert.deepEqual(match(anyFilter({ permissionType: DENY })), [all[4]]);
    assert.deepEqual(match(anyFilter({ operation: WRITE })), [all[4]]);
    assert.deepEqual(match(anyFilter({ host: '10.0.0.1' })), []);
    assert.deepEqual(match(anyFilter({ resourceType: GROUP })), [all[5]]);

    const both = c.deleteAcls(image, [
      anyFilter({ resourceType: TOPIC }),
      anyFilter({ principal: 'User:bob' }),
      anyFilter({ patternType: 0 }),
    ]);
    assert.deepEqual(
      both.response.map((r) => [r.errorCode, r.errorMessage, r.matchingAcls.length]),
      [
        [0, null, 5],
        [0, null, 1],
        [ErrorCode.INVALID_REQUEST, 'Unknown patternFilter.', 0],
      ],
    );
    assert.equal(both.records.length, 5); // bob's ACL removed once
    assert.deepEqual(strip(commit(image, both.records).acls.acls.values()), [all[5]]);
  });

  it('the records round trip through their wire form (apiKey 18 and 19, version 0)', () => {
    const [rec] = c.createAcls(MetadataImage.EMPTY, [binding({ principal: 'User:*', host: '127.0.0.1' })]).records;
    const bytes = encodeMetadataRecord(rec!);
    assert.deepEqual(bytes.subarray(0, 3), Buffer.from([1, 18, 0]));
    assert.deepEqual(decodeMetadataRecord(bytes), rec);
    const image = commit(MetadataImage.EMPTY, [rec!]);
    const [remove] = c.deleteAcls(image, [anyFilter()]).records;
    assert.deepEqual(encodeMetadataRecord(remove!).subarray(0, 3), Buffer.from([1, 19, 0]));
    assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(remove!)), remove);
  });
});

describe('LocalController ACLs', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('ACLs created and deleted are replayed from the metadata log on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-acls-'));
    dirs.push(dir);
    const time = new MockTime(1_700_000_000_000);
    const open = () => LocalController.open({ logDir: dir, controller: options(), time });
    const m = await open();
    const created = await m.createAcls([binding(), binding({ principal: 'User:bob' }), binding({ patternType: ANY })]);
    assert.deepEqual(
      created.map((r) => r.errorCode),
      [0, 0, ErrorCode.INVALID_REQUEST],
    );
    const [deleted] = await m.deleteAcls([anyFilter({ principal: 'User:bob' })]);
    assert.deepEqual(strip(deleted!.matchingAcls), [binding({ principal: 'User:bob' })]);
    const ids = [...m.image.acls.acls.keys()];
    await m.close();

    const again = await open();
    assert.deepEqual([...again.image.acls.acls.keys()], ids);
    assert.deepEqual(strip(again.image.acls.acls.values()), [binding()]);
    await again.close();
  });
});
