// QuorumStateFile: Kafka's quorum-state JSON exactly, round trips, atomic replacement through a
// temp file (fsynced before the rename, the directory after it), corrupt files named in errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryFileSystem } from '@tributary/storage';
import { QuorumStateFile, parseQuorumState } from '../src/quorum-state-file.ts';
import { LOG_DIR, logEnv } from './helpers/disk-log.ts';

const PATH = `${LOG_DIR}/__cluster_metadata-0/quorum-state`;

describe('QuorumStateFile', () => {
  it('reads null before the first write, then what was written', async () => {
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs: new MemoryFileSystem(), voters: [1, 2, 3] });
    assert.equal(store.path, PATH);
    assert.equal(store.read(), null);
    await store.write({ epoch: 2, leaderId: -1, votedId: 3 });
    assert.deepEqual(store.read(), { epoch: 2, leaderId: -1, votedId: 3 });
    await store.write({ epoch: 2, leaderId: 1, votedId: 3 });
    assert.deepEqual(store.read(), { epoch: 2, leaderId: 1, votedId: 3 });
  });

  it("writes Kafka's JSON: QuorumStateData v0 in spec order plus data_version, one line", async () => {
    const fs = new MemoryFileSystem();
    await new QuorumStateFile({ logDir: LOG_DIR, fs, voters: [1, 2, 3] }).write({ epoch: 2, leaderId: 1, votedId: -1 });
    assert.equal(
      fs.bytes(PATH).toString(),
      '{"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1},{"voterId":2},{"voterId":3}],"data_version":0}',
    );
  });

  it("reads Kafka's files, version 0 and 1", () => {
    assert.deepEqual(
      parseQuorumState(
        '{"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,"currentVoters":[],"data_version":0}',
        PATH,
      ),
      { epoch: 2, leaderId: 1, votedId: -1 },
    );
    assert.deepEqual(
      parseQuorumState('{"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","data_version":1}\n', PATH),
      { epoch: 2, leaderId: -1, votedId: 1 },
    );
  });

  it('is durable once write resolves: temp file fsynced, renamed, directory fsynced', async () => {
    const fs = new MemoryFileSystem();
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs, voters: [1] });
    await store.write({ epoch: 1, leaderId: -1, votedId: 1 });
    const dirFsyncs = fs.stats.dirFsyncs;
    await store.write({ epoch: 2, leaderId: -1, votedId: 1 });
    assert.ok(fs.stats.dirFsyncs > dirFsyncs);
    assert.deepEqual(fs.readdirSync(`${LOG_DIR}/__cluster_metadata-0`), ['quorum-state']);
    fs.crash();
    assert.deepEqual(new QuorumStateFile({ logDir: LOG_DIR, fs }).read(), { epoch: 2, leaderId: -1, votedId: 1 });
  });

  it('writes run one at a time in call order', async () => {
    const fs = new MemoryFileSystem();
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs });
    const writes = [1, 2, 3].map((epoch) => store.write({ epoch, leaderId: -1, votedId: -1 }));
    await Promise.all(writes);
    assert.equal(store.read()!.epoch, 3);
  });

  it('ignores a leftover temp file, and replaces it at the next write', async () => {
    const fs = new MemoryFileSystem();
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs });
    await store.write({ epoch: 4, leaderId: 2, votedId: 2 });
    fs.put(`${PATH}.tmp`, '{"leaderId":9,"leaderEpoch":9,"votedId":9,"data_version":0} and the rest was never writ');
    assert.deepEqual(store.read(), { epoch: 4, leaderId: 2, votedId: 2 });
    await store.write({ epoch: 5, leaderId: -1, votedId: -1 });
    assert.deepEqual(store.read(), { epoch: 5, leaderId: -1, votedId: -1 });
    assert.equal(fs.statSync(`${PATH}.tmp`), null);
  });

  it('a failed fsync fails the write and leaves the old state', async () => {
    const fs = new MemoryFileSystem();
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs });
    await store.write({ epoch: 1, leaderId: 1, votedId: 1 });
    fs.faults.failFsync = true;
    await assert.rejects(store.write({ epoch: 2, leaderId: -1, votedId: -1 }), /cannot write quorum state file .*quorum-state: EIO/);
    fs.faults.failFsync = false;
    assert.deepEqual(store.read(), { epoch: 1, leaderId: 1, votedId: 1 });
    await store.write({ epoch: 3, leaderId: -1, votedId: -1 });
    assert.equal(store.read()!.epoch, 3);
  });

  it('a corrupt file is an error naming it', () => {
    const fs = new MemoryFileSystem();
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs });
    fs.mkdirSync(`${LOG_DIR}/__cluster_metadata-0`);
    for (const [content, why] of [
      ['{"leaderId":1,"lead', /not JSON/],
      ['[1]', /not a JSON object/],
      ['{"leaderId":1,"leaderEpoch":2,"votedId":-1}', /data_version is undefined/],
      ['{"leaderId":1,"leaderEpoch":"2","votedId":-1,"data_version":0}', /leaderEpoch is "2", not an integer/],
      ['{"leaderId":1,"leaderEpoch":2,"votedId":-1,"data_version":7}', /data_version 7 is not between 0 and 1/],
      ['', /not JSON/],
    ] as const) {
      fs.put(PATH, content);
      assert.throws(
        () => store.read(),
        (err: Error) => err.message.includes(`quorum state file ${PATH} is corrupt`) && why.test(err.message),
        content,
      );
    }
  });

  it('shares the directory with the log: opening the log keeps quorum-state', async () => {
    const env = logEnv();
    const store = new QuorumStateFile({ logDir: LOG_DIR, fs: env.fs, voters: [1] });
    await store.write({ epoch: 3, leaderId: 1, votedId: 1 });
    const log = env.open();
    log.appendLeaderChange(3, 1, [1]);
    await log.flush();
    log.close();
    env.open();
    assert.deepEqual(store.read(), { epoch: 3, leaderId: 1, votedId: 1 });
  });
});
