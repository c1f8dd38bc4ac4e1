// SCRAM credentials in the cluster metadata: AlterUserScramCredentials through the controller
// (Kafka's ScramControlManager checks and messages, StoredKey/ServerKey derived from the salted
// password), the records' wire form, the ScramImage (replay, removal, image records, snapshot
// deltas), and credentials surviving a LocalController restart.
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import {
  Controller,
  LocalController,
  MetadataImage,
  applyRecords,
  decodeMetadataRecord,
  encodeMetadataRecord,
  imageRecords,
  snapshotDelta,
} from '../src/index.ts';
import { options } from './helpers/fixtures.ts';

const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
const upsert = (name: string, mechanism = 1, iterations = 4096) => ({ name, mechanism, iterations, salt, saltedPassword: salted });

describe('controller SCRAM credentials', () => {
  const c = new Controller(options());

  it('stores salt, StoredKey, ServerKey and iterations (never the salted password), one result per user', () => {
    const r = c.alterUserScramCredentials(MetadataImage.EMPTY, { deletions: [], upsertions: [upsert('user'), upsert('user', 2, 8192)] });
    assert.deepEqual(r.response, [{ user: 'user', errorCode: ErrorCode.NONE, errorMessage: null }]);
    assert.equal(r.records.length, 2);
    const rec = r.records[0]!;
    assert.equal(rec.type, 'UserScramCredentialRecord');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    assert.deepEqual(rec.data, {
      name: 'user',
      mechanism: 1,
      salt,
      storedKey: createHash('sha256').update(clientKey).digest(),
      serverKey: createHmac('sha256', salted).update('Server Key').digest(),
      iterations: 4096,
    });
    const image = applyRecords(MetadataImage.EMPTY, r.records).image;
    assert.equal(image.scram.credential('user', 2)!.iterations, 8192);
    assert.deepEqual(
      [...image.scram.users()],
      [
        [
          'user',
          new Map([
            [1, 4096],
            [2, 8192],
          ]),
        ],
      ],
    );
  });

  it("refuses with Kafka's codes and messages; a user's changes apply all or none", () => {
    const image = applyRecords(
      MetadataImage.EMPTY,
      c.alterUserScramCredentials(MetadataImage.EMPTY, { deletions: [], upsertions: [upsert('a')] }).records,
    ).image;
    const r = c.alterUserScramCredentials(image, {
      deletions: [
        { name: 'ghost', mechanism: 1 },
        { name: 'b', mechanism: 3 },
      ],
      upsertions: [upsert('few', 1, 4095), upsert('many', 2, 16385), upsert('dup'), upsert('dup'), upsert('a', 2), upsert('', 1)],
    });
    assert.deepEqual(r.response, [
      { user: 'ghost', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' },
      { user: 'b', errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism.' },
      { user: 'few', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' },
      { user: 'many', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' },
      {
        user: 'dup',
        errorCode: ErrorCode.DUPLICATE_RESOURCE,
        errorMessage: 'A user credential cannot be altered twice in the same request',
      },
      { user: 'a', errorCode: ErrorCode.NONE, errorMessage: null },
      { user: '', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' },
    ]);
    assert.deepEqual(
      r.records.map((x) => [x.type, (x.data as { name: string }).name]),
      [['UserScramCredentialRecord', 'a']],
    );
    const mixed = c.alterUserScramCredentials(image, { deletions: [{ name: 'a', mechanism: 1 }], upsertions: [upsert('a', 2, 100)] });
    assert.equal(mixed.response[0]!.errorCode, ErrorCode.UNACCEPTABLE_CREDENTIAL);
    assert.deepEqual(mixed.records, []);
  });

  it('records round-trip on the wire; image records rebuild the image; a snapshot without a credential removes it', () => {
    const r = c.alterUserScramCredentials(MetadataImage.EMPTY, { deletions: [], upsertions: [upsert('x'), upsert('y', 2)] });
    for (const rec of r.records) assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(rec)), rec);
    const image = applyRecords(MetadataImage.EMPTY, r.records).image;
    assert.deepEqual(applyRecords(MetadataImage.EMPTY, imageRecords(image)).image.scram, image.scram);
    const onlyY = applyRecords(image, [{ type: 'RemoveUserScramCredentialRecord', data: { name: 'x', mechanism: 1 } }]).image;
    assert.equal(onlyY.scram.credential('x', 1), undefined);
    const { image: loaded } = snapshotDelta(image, onlyY);
    assert.deepEqual([...loaded.scram.users().keys()], ['y']);
  });

  it('credentials survive a controller restart', async () => {
    const fs = new MemoryFileSystem();
    const time = new MockTime();
    const open = () => LocalController.open({ logDir: '/data', controller: options(), time, fs });
    const m = await open();
    assert.deepEqual(await m.alterUserScramCredentials({ deletions: [], upsertions: [upsert('alice')] }), [
      { user: 'alice', errorCode: ErrorCode.NONE, errorMessage: null },
    ]);
    const before = m.image.scram.credential('alice', 1);
    await m.close();
    const again = await open();
    assert.deepEqual(again.image.scram.credential('alice', 1), before);
    await again.close();
  });
});
