// A failed log dir that heals without a restart (LogManager.recoverOfflineLogDirs): the fault
// matrix. Every filesystem step of an append, a roll, a durable (fsync) append, a flush with its
// checkpoints (segments, indexes, producer snapshot, leader-epoch-checkpoint, recovery points) and
// the log-start-offset and high-watermark checkpoints is failed in turn with EIO, ENOSPC and EROFS
// (a refused write landing half its bytes): the dir goes offline, the other dir keeps serving,
// the dir stays offline while the fault lasts, and once it clears the next probe re-opens it with
// every acknowledged batch at its offset, byte for byte, and says so in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Off, batchesIn } from '@tributary/protocol';
import { buildBatch } from './helpers/batches.ts';
import { pbatch } from './helpers/producer-batches.ts';
import { FaultyFileSystem, type FaultCode } from '../src/faulty-fs.ts';
import { LogManager, type LogManagerOptions } from '../src/log-manager.ts';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import { MockTime } from '../src/mock-time.ts';
import { writeMetaProperties, readMetaProperties } from '../src/meta-properties.ts';
import type { PartitionLog } from '../src/partition-log.ts';
import type { LogConfig } from '../src/config.ts';
import { LOG_DIR_PROBE_BYTES, LOG_DIR_PROBE_FILE, probeLogDir } from '../src/log-dir-health.ts';

const A = '/d/a';
const B = '/d/b';
const CODES: FaultCode[] = ['EIO', 'ENOSPC', 'EROFS'];

function env(config: Partial<LogConfig> = {}, extra: Partial<LogManagerOptions> = {}) {
  const time = new MockTime(1_700_000_000_000);
  const mem = new MemoryFileSystem(time);
  const fs = new FaultyFileSystem(mem);
  const lines: string[] = [];
  const line = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
  const online: Array<[string, string[]]> = [];
  const open = () =>
    new LogManager({
      logDirs: [A, B],
      fs,
      time,
      backgroundTasks: false,
      clusterId: 'c1',
      brokerId: 1,
      defaultConfig: config,
      logger: { info: line('INFO'), warn: line('WARN'), error: line('ERROR') },
      onLogDirOnline: (dir, logs) => online.push([dir, logs.map((l) => `${l.topic}-${l.partition}`)]),
      ...extra,
    }).startup();
  return { time, mem, fs, lines, online, open };
}

/** What a case does: appends and checkpoints; `ack` records a batch whose append was acknowledged. */
type Action = (lm: LogManager, log: PartitionLog, ack: (batch: Buffer) => void) => Promise<void>;

const appendAck = (log: PartitionLog, ack: (b: Buffer) => void, batch: Buffer, epoch = 1) => {
  log.appendSync(batch, { leaderEpoch: epoch });
  ack(Buffer.from(batch)); // rewritten in place: the bytes as stored
};
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Per case: the topic config, and the action whose every step fails in turn. */
const ACTIONS: Record<string, { config?: Partial<LogConfig>; run: Action }> = {
  append: { run: async (_lm, log, ack) => appendAck(log, ack, buildBatch({ count: 3, valueSize: 40 })) },
  'append of an idempotent producer, new leader epoch': {
    run: async (_lm, log, ack) => appendAck(log, ack, pbatch(7n, 0, 2, { count: 2 }), 2),
  },
  'segment roll (index trim, new segment files, producer snapshot, background flush)': {
    config: { segmentBytes: 600 },
    run: async (_lm, log, ack) => {
      appendAck(log, ack, pbatch(8n, 0, 0, { count: 2 }));
      appendAck(log, ack, buildBatch({ count: 2, valueSize: 200 }));
      appendAck(log, ack, buildBatch({ count: 2, valueSize: 200 }));
      await settle();
    },
  },
  'durable append (tributary.durability=fsync: group commit)': {
    config: { durableAppend: true },
    run: async (_lm, log, ack) => {
      const batch = buildBatch({ count: 2 });
      await log.append(batch, { leaderEpoch: 3 });
      ack(Buffer.from(batch));
    },
  },
  'flush and checkpoint (segments, indexes, producer snapshot, leader-epoch-checkpoint, recovery points)': {
    run: async (lm, log, ack) => {
      appendAck(log, ack, pbatch(9n, 0, 0, { count: 2 }), 4);
      await lm.flushAndCheckpointRecoveryPoints();
    },
  },
  'log-start-offset and high-watermark checkpoints': {
    run: async (lm, log) => {
      log.deleteRecordsBefore(1);
      lm.checkpointLogStartOffsets();
      lm.writeHighWatermarks([{ topic: 't', partition: 0, offset: log.logEndOffset }]);
    },
  },
};

/** Every batch of a log (a read returns one segment's). */
function readAll(log: PartitionLog): Buffer[] {
  const out: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const records = log.read(offset, 1 << 20, log.logEndOffset).records;
    for (const b of batchesIn(records)) {
      const batch = records.subarray(b.pos, b.pos + b.size);
      out.push(batch);
      offset = Number(batch.readBigInt64BE(Off.BaseOffset)) + batch.readInt32BE(Off.LastOffsetDelta) + 1;
    }
  }
  return out;
}

/** A log in A with flushed and unflushed acknowledged batches, a log in B; then `action`, with faults armed at `step`. */
async function runCase(name: string, code: FaultCode, step: number | 'record') {
  const { config, run } = ACTIONS[name]!;
  const e = env(config);
  const lm = e.open();
  const log = lm.getOrCreateLog('t', 0);
  const other = lm.getOrCreateLog('u', 0);
  assert.deepEqual([lm.logDirOf('t', 0), lm.logDirOf('u', 0)], [A, B]);
  const acked: Buffer[] = [];
  const ack = (b: Buffer) => acked.push(b);
  appendAck(log, ack, buildBatch({ count: 2 }), 0);
  appendAck(log, ack, pbatch(7n, 0, 0, { count: 2 }), 0);
  await lm.flushAndCheckpointRecoveryPoints();
  appendAck(log, ack, buildBatch({ count: 1, valueSize: 30 }), 0); // acknowledged, not flushed
  e.fs.tornWrites = true;
  e.lines.length = 0; // the startup's lines
  if (step === 'record') e.fs.record(A, code);
  else e.fs.failAtStep(A, code, step);
  let thrown: unknown = null;
  try {
    await run(lm, log, ack);
  } catch (err) {
    thrown = err;
  }
  await settle();
  return { e, lm, log, other, acked, thrown };
}

for (const [name] of Object.entries(ACTIONS)) {
  for (const code of CODES) {
    test(`${name}: ${code} at each step takes the dir offline; once it clears the dir comes back with every acknowledged batch`, async () => {
      const rec = await runCase(name, code, 'record');
      const steps = rec.e.fs.stopRecording();
      assert.equal(rec.thrown, null);
      assert.ok(steps.length > 0, 'the action touches the dir');
      for (let i = 0; i < steps.length; i++) {
        const at = `step ${i} (${steps[i]})`;
        const { e, lm, log, other, acked, thrown } = await runCase(name, code, i);
        assert.equal(e.fs.faultsRaised > 0, true, `${at}: the fault was hit`);
        assert.deepEqual([log.isOffline, lm.offlineLogDirs()], [true, [A]], `${at}: the dir is offline`);
        if (thrown) assert.match(String((thrown as Error).message), new RegExp(code), at);
        // the other dir keeps serving
        other.appendSync(buildBatch(), { leaderEpoch: 0 });
        assert.equal(other.isOffline, false);
        // still failing: the probe keeps it offline, without a word more
        const quiet = e.lines.length;
        assert.deepEqual(lm.recoverOfflineLogDirs(), [], at);
        assert.equal(e.lines.length, quiet, at);
        e.fs.heal(A);
        assert.deepEqual(lm.recoverOfflineLogDirs(), [A], at);
        assert.deepEqual(e.online, [[A, ['t-0']]], at);
        assert.deepEqual(lm.offlineLogDirs(), [], at);
        const back = lm.getLog('t', 0)!;
        assert.notEqual(back, log);
        assert.equal(back.isOffline, false);
        // every acknowledged batch at its offset, byte for byte (an unacknowledged one may follow)
        const batches = readAll(back);
        assert.ok(batches.length >= acked.length, `${at}: ${batches.length} batches read, ${acked.length} acknowledged`);
        for (let j = 0; j < acked.length; j++) {
          const want = acked[j]!;
          assert.deepEqual(batches[j]!.subarray(0, want.length), want, `${at}: batch ${j}`);
        }
        const end = back.logEndOffset;
        assert.equal(back.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 5 }).firstOffset, end, at);
        const lastAcked = acked[acked.length - 1]!;
        assert.ok(end >= Number(lastAcked.readBigInt64BE(Off.BaseOffset)) + lastAcked.readInt32BE(Off.LastOffsetDelta) + 1, at);
        // the log says so
        const said = e.lines.filter((l) => !l.startsWith('INFO Recovering unflushed') && !l.startsWith('INFO Recovering 1 logs'));
        assert.equal(said[0], `WARN Logs for partitions t-0 are offline due to failure on log directory ${A}`, at);
        assert.match(
          said[1]!,
          new RegExp(
            `^WARN Log directory ${A} passed its health check after failing with ${code}.*: re-opening its 1 logs as after an unclean shutdown$`,
          ),
          at,
        );
        assert.ok(
          said.some((l) =>
            /^INFO Completed load of t-0 in dir \/d\/a with \d+ segments, .* recovered from recovery point \d+, \d+ segments \(\d+ bytes\) scanned/.test(
              l,
            ),
          ),
          at,
        );
        assert.match(said[said.length - 1]!, new RegExp(`^INFO Log directory ${A} is back online with 1 logs, re-opened in \\d+ms$`), at);
        lm.shutdown();
      }
    });
  }
}

test('the recovery task probes an offline dir every logDirFailureRecoveryIntervalMs and brings it back', async () => {
  const e = env({}, { backgroundTasks: true, logDirFailureRecoveryIntervalMs: 5000 });
  const lm = e.open();
  const log = lm.getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 4 }), { leaderEpoch: 0 });
  e.fs.fail(A, 'ENOSPC');
  assert.throws(() => log.appendSync(buildBatch(), { leaderEpoch: 0 }), /ENOSPC/);
  await e.time.advance(5000);
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  e.fs.heal(A);
  await e.time.advance(4999);
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  await e.time.advance(1);
  assert.deepEqual(lm.offlineLogDirs(), []);
  assert.deepEqual(e.online, [[A, ['t-0']]]);
  assert.equal(lm.getLog('t', 0)!.logEndOffset, 4);
  assert.equal(e.mem.statSync(`${A}/.tributary-log-dir-probe`), null); // the probe cleans up
  lm.shutdown();
});

test('with logDirFailureRecoveryIntervalMs 0 a failed dir stays offline until a restart (Kafka)', async () => {
  const e = env({}, { backgroundTasks: true, logDirFailureRecoveryIntervalMs: 0 });
  const lm = e.open();
  lm.getOrCreateLog('t', 0).appendSync(buildBatch(), { leaderEpoch: 0 });
  e.fs.fail(A, 'EIO');
  assert.throws(() => lm.getLog('t', 0)!.appendSync(buildBatch(), { leaderEpoch: 0 }));
  e.fs.heal(A);
  await e.time.advance(60_000);
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  lm.shutdown();
});

test('a dir failing again while being re-opened goes back offline cleanly, and comes back at a later probe', () => {
  const e = env();
  const lm = e.open();
  const t0 = lm.getOrCreateLog('t', 0, { config: { segmentBytes: 12345 } });
  lm.getOrCreateLog('u', 0);
  const t2 = lm.getOrCreateLog('t', 2);
  t0.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  t2.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 });
  e.fs.fail(A, 'EIO');
  assert.throws(() => t0.appendSync(buildBatch(), { leaderEpoch: 0 }));
  e.fs.heal(A);
  e.fs.fail(`${A}/t-2`, 'EIO'); // the probe passes, the second log cannot be read
  assert.deepEqual(lm.recoverOfflineLogDirs(), []);
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  assert.deepEqual([lm.getLog('t', 0)!.isOffline, lm.getLog('t', 2)!.isOffline], [true, true]);
  assert.deepEqual(e.online, []);
  const failed = e.lines.filter((l) => l.startsWith('ERROR'));
  assert.equal(failed.length, 1);
  assert.match(
    failed[0]!,
    /^ERROR Log directory \/d\/a failed again while being re-opened, it stays offline: EIO: i\/o error, stat '\/d\/a\/t-2'$/,
  );
  assert.equal(lm.recoverOfflineLogDirs().length, 0);
  assert.equal(e.lines.filter((l) => l.startsWith('ERROR')).length, 1); // said once
  assert.equal(e.lines.filter((l) => l.includes('passed its health check')).length, 1);
  e.fs.heal(`${A}/t-2`);
  assert.deepEqual(lm.recoverOfflineLogDirs(), [A]);
  assert.deepEqual(e.online, [[A, ['t-0', 't-2']]]);
  assert.deepEqual([lm.getLog('t', 0)!.logEndOffset, lm.getLog('t', 2)!.logEndOffset], [2, 3]);
  assert.equal(lm.getLog('t', 0)!.config.segmentBytes, 12345); // the topic's own config, not the default
  // and it can fail (and be told) again
  const failures: string[] = [];
  assert.equal(lm.getLog('t', 0)!.listenerCount('offline') > 0, true);
  e.fs.fail(A, 'EROFS');
  lm.getLog('t', 0)!.on('offline', (err: Error) => failures.push(err.message));
  assert.throws(() => lm.getLog('t', 0)!.appendSync(buildBatch(), { leaderEpoch: 0 }), /EROFS/);
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  assert.equal(failures.length, 1);
  lm.shutdown();
});

test('a dir whose meta.properties changed while offline (another disk) is not brought back', () => {
  const e = env();
  const lm = e.open();
  lm.getOrCreateLog('t', 0).appendSync(buildBatch(), { leaderEpoch: 0 });
  const meta = readMetaProperties(e.mem, A)!;
  e.fs.fail(A, 'EIO');
  assert.throws(() => lm.getLog('t', 0)!.appendSync(buildBatch(), { leaderEpoch: 0 }));
  e.fs.heal(A);
  writeMetaProperties(e.mem, A, { ...meta, directoryId: 'AAAAAAAAAAAAAAAAAAAAAQ' });
  assert.deepEqual(lm.recoverOfflineLogDirs(), []);
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  assert.match(
    e.lines.filter((l) => l.startsWith('ERROR'))[0]!,
    /^ERROR Log directory \/d\/a stays offline: \/d\/a\/meta.properties changed \(directory.id /,
  );
  writeMetaProperties(e.mem, A, meta);
  assert.deepEqual(lm.recoverOfflineLogDirs(), [A]);
  lm.shutdown();
});

test('a dir offline since startup comes back with its logs and takes new ones again', () => {
  const e = env();
  let lm = e.open();
  lm.getOrCreateLog('t', 0).appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  lm.getOrCreateLog('u', 0).appendSync(buildBatch({ count: 5 }), { leaderEpoch: 0 });
  lm.shutdown();
  e.fs.fail(A, 'EIO');
  lm = e.open();
  assert.deepEqual(lm.offlineLogDirs(), [A]);
  assert.equal(lm.getLog('t', 0), undefined);
  e.fs.heal(A);
  assert.deepEqual(lm.recoverOfflineLogDirs(), [A]);
  assert.deepEqual(e.online, [[A, ['t-0']]]);
  assert.deepEqual([lm.getLog('t', 0)!.logEndOffset, lm.logDirOf('t', 0), lm.nextLogDirs()], [2, A, [A, B]]);
  lm.shutdown();
});

test('the probe needs 1 MiB of room and leaves nothing behind, passed or not', () => {
  const mem = new MemoryFileSystem();
  mem.mkdirSync('/d');
  mem.faults.diskCapacityBytes = LOG_DIR_PROBE_BYTES - 1; // a disk with less room than the probe
  assert.throws(() => probeLogDir(mem, '/d'), /ENOSPC/);
  assert.equal(mem.statSync(`/d/${LOG_DIR_PROBE_FILE}`), null);
  mem.faults.diskCapacityBytes = LOG_DIR_PROBE_BYTES;
  probeLogDir(mem, '/d');
  assert.deepEqual(mem.readdirSync('/d'), []);
  const fs = new FaultyFileSystem(mem);
  fs.fail('/d', 'EROFS');
  assert.throws(() => probeLogDir(fs, '/d'), /EROFS/);
});
