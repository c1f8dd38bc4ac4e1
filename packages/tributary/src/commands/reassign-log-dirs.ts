// The log-dir half of kafka-reassign-partitions.sh (Kafka's ReassignPartitionsCommand.executeMoves
// and verifyReplicaMoves): replicas a plan sends to a named log dir (log_dirs other than "any")
// are moved with AlterReplicaLogDirs, and --verify reports each such replica's move.
//   execute   AlterReplicaLogDirs for every replica; one not on its broker yet (a reassignment is
//             adding it: REPLICA_NOT_AVAILABLE) is asked again every 100 ms until --timeout (ms,
//             default 10000); then "Successfully started log directory move(s) for: t-0-2,...",
//             or an error naming the replicas whose move could not be started
//   verify    per replica, from DescribeLogDirs of its broker: completed, still in progress, not
//             being moved, moved elsewhere, or not found
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, LogDirDescription, ReplicaLogDirAssignment } from '@tributary/client';

const replicaName = (m: ReplicaLogDirAssignment) => `${m.topic}-${m.partition}-${m.brokerId}`;
const plural = (n: number) => (n === 1 ? '' : 's');

/** Starts the moves (retrying replicas not created yet until `timeoutMs`); the line to print. */
export async function executeMoves(admin: Admin, moves: readonly ReplicaLogDirAssignment[], timeoutMs: number): Promise<string> {
  let pending = [...moves];
  const started: ReplicaLogDirAssignment[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const results = await admin.alterReplicaLogDirs(pending);
    const failed = results.filter((r) => r.error && r.error.type !== 'REPLICA_NOT_AVAILABLE');
    if (failed.length > 0)
      throw new Error(failed.map((r) => `Error moving ${r.topic}-${r.partition}-${r.brokerId}: ${r.error!.message}`).join('\n'));
    const waiting = new Set(results.filter((r) => r.error).map((r) => `${r.topic}-${r.partition}-${r.brokerId}`));
    started.push(...pending.filter((m) => !waiting.has(replicaName(m))));
    pending = pending.filter((m) => waiting.has(replicaName(m)));
    if (pending.length === 0) break;
    if (Date.now() >= deadline)
      throw new Error(
        `Timed out before log directory move${plural(pending.length)} could be started for: ${pending.map(replicaName).sort().join(',')}`,
      );
    await sleep(100);
  }
  return `Successfully started log directory move${plural(started.length)} for: ${started.map(replicaName).sort().join(',')}\n`;
}

/** Kafka's replica move states, one line per replica, for --verify. */
export async function verifyMoves(admin: Admin, moves: readonly ReplicaLogDirAssignment[]): Promise<{ lines: string[]; done: number }> {
  const brokers = [...new Set(moves.map((m) => m.brokerId))];
  const dirs: LogDirDescription[] = brokers.length ? await admin.describeLogDirs(brokers, moves) : [];
  let done = 0;
  const lines = moves.map((m) => {
    const tp = `${m.topic}-${m.partition}`;
    const here = dirs.filter((d) => d.brokerId === m.brokerId && d.error === null);
    const find = (future: boolean) =>
      here.find((d) => d.replicas.some((r) => r.topic === m.topic && r.partition === m.partition && r.isFuture === future))?.path;
    const current = find(false);
    const future = find(true);
    if (current === undefined) return `Partition ${tp} cannot be found in any live log directory on the broker ${m.brokerId}.`;
    if (current === m.logDir) {
      done++;
      return `Reassignment of replica ${replicaName(m)} completed successfully.`;
    }
    if (future === undefined) return `Partition ${tp} on broker ${m.brokerId} is not being moved from log dir ${current} to ${m.logDir}.`;
    if (future === m.logDir) return `Reassignment of replica ${replicaName(m)} is still in progress.`;
    return `Partition ${tp} on broker ${m.brokerId} is being moved to log dir ${future} instead of ${m.logDir}.`;
  });
  return { lines, done };
}
