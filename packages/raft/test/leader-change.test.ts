// The LEADER_CHANGE control batch as DiskRaftLog writes it: Kafka's header fields, the control
// record key, the LeaderChangeMessage v0 value byte for byte, and readLeaderChange back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Attr, decodeRecordBatchSync } from '@tributary/protocol';
import { readLeaderChange } from '../src/leader-change.ts';
import { logEnv } from './helpers/disk-log.ts';

describe('LEADER_CHANGE control batch', () => {
  it('is a control batch in the epoch, whose record is key (0, 2) and a LeaderChangeMessage v0', async () => {
    const env = logEnv();
    const log = env.open();
    log.appendAsLeader(['a'], 2);
    assert.deepEqual(log.appendLeaderChange(4, 1, [1, 2, 3], [1, 2]), { baseOffset: 1, lastOffset: 1 });
    const bytes = log.read(1, 2, 1 << 20)!;
    const batch = decodeRecordBatchSync(bytes);
    assert.equal(batch.baseOffset, 1n);
    assert.equal(batch.partitionLeaderEpoch, 4);
    assert.equal(batch.attributes, Attr.Control);
    assert.equal(batch.isControl, true);
    assert.equal(batch.isTransactional, false);
    assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [-1n, -1, -1]);
    assert.equal(batch.maxTimestamp, BigInt(env.time.now()));
    assert.equal(batch.records.length, 1);
    const record = batch.records[0]!;
    assert.deepEqual(record.key, Buffer.from([0, 0, 0, 2]));
    // Version int16, LeaderId int32, Voters and GrantingVoters (compact arrays of VoterId int32 +
    // tagged fields), tagged fields
    const voter = (id: number) => [0, 0, 0, id, 0];
    assert.deepEqual(
      record.value,
      Buffer.from([0, 0, 0, 0, 0, 1, 4, ...voter(1), ...voter(2), ...voter(3), 3, ...voter(1), ...voter(2), 0]),
    );
    assert.deepEqual(readLeaderChange(bytes), { leaderId: 1, voters: [1, 2, 3], grantingVoters: [1, 2] });
    assert.equal(log.lastFetchedEpoch, 4);
    assert.deepEqual(log.endOffsetForEpoch(3), { epoch: 2, offset: 1 });
  });

  it('grantingVoters defaults to none; a data batch is not a leader change', () => {
    const log = logEnv().open();
    log.appendLeaderChange(1, 3, [3]);
    log.appendAsLeader(['a'], 1);
    assert.deepEqual(readLeaderChange(log.read(0, 1, 1000)!), { leaderId: 3, voters: [3], grantingVoters: [] });
    assert.equal(readLeaderChange(log.read(1, 2, 1000)!), null);
  });
});
