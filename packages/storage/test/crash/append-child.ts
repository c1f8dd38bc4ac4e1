// Crash-test child: opens a real log directory, appends batches forever (several in flight) and
// prints "ack <firstOffset> <lastOffset> <crc>" for every append once it is acknowledged (in
// durable mode: after its fsync). The parent SIGKILLs it at a random moment.
// Usage: node --import tsx append-child.ts <logDir> <page|fsync>
import { Off } from '@tributary/protocol';
import { LogManager } from '../../src/log-manager.ts';
import { systemTime } from '../../src/time.ts';
import { buildBatch } from '../helpers/batches.ts';

const [dir, mode] = process.argv.slice(2) as [string, string];
const mgr = new LogManager({
  logDirs: [dir],
  time: systemTime, // real background tasks: the checkpoints below run every 40 ms
  recoveryPointCheckpointIntervalMs: 40,
  logStartOffsetCheckpointIntervalMs: 40,
  defaultConfig: { durableAppend: mode === 'fsync', segmentBytes: 256 * 1024, indexIntervalBytes: 1024 },
}).startup();
const log = mgr.getOrCreateLog('crash', 0);
process.stdout.write(`ready ${log.logEndOffset}\n`);

let seq = 0;
async function worker(): Promise<void> {
  for (;;) {
    const n = seq++;
    const count = 1 + (n % 5);
    const valueSize = n % 7 === 0 ? 8000 : 50 + (n % 300);
    const batch = buildBatch({ count, valueSize, baseTimestamp: Date.now() });
    const crc = batch.readUInt32BE(Off.Crc);
    const info = await log.append(batch, { leaderEpoch: 1 });
    process.stdout.write(`ack ${info.firstOffset} ${info.lastOffset} ${crc}\n`);
    if (mode !== 'fsync') await new Promise((r) => setImmediate(r));
  }
}
for (let i = 0; i < 4; i++) void worker();
