// The JSON files of kafka-reassign-partitions.sh and what the tool derives from them (Kafka's
// ReassignPartitionsCommand), as pure functions:
//   reassignment plan   {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3],
//                        "log_dirs":["any","/data/b"]}]}; log_dirs is optional; an absolute path
//                        moves that replica to that log dir of its broker (AlterReplicaLogDirs,
//                        see reassign-log-dirs.ts), "any" leaves it where the broker puts it
//   topics to move      {"version":1,"topics":[{"topic":"t"}]}
//   throttles           while partitions move, every current replica of a moving partition is a
//                       throttled leader replica ("partition:broker" in the topic's
//                       leader.replication.throttled.replicas) and every replica being added a
//                       throttled follower replica (follower.replication.throttled.replicas);
//                       the rate is set on every broker the moves touch
//   verify              per partition: completed (no reassignment in progress, the replicas are the
//                       target), still in progress, or done with other replicas than the plan's
import { UsageError } from './command.ts';

export interface PlannedPartition {
  topic: string;
  partition: number;
  replicas: number[];
  /** The plan's log_dirs, one per replica ("any" or an absolute path); absent when the plan had none or only "any". */
  logDirs?: string[];
}

/** The replicas a plan sends to a named log dir (log_dirs entries other than "any"), as Kafka's replicaAssignment. */
export function replicaLogDirMoves(
  plan: readonly PlannedPartition[],
): Array<{ topic: string; partition: number; brokerId: number; logDir: string }> {
  return plan.flatMap((p) =>
    (p.logDirs ?? []).flatMap((logDir, i) =>
      logDir === ANY_LOG_DIR ? [] : [{ topic: p.topic, partition: p.partition, brokerId: p.replicas[i]!, logDir }],
    ),
  );
}

export const ANY_LOG_DIR = 'any';

const name = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

/** The plan file's JSON (Kafka's formatting: compact, version 1, log_dirs all "any"). */
export function formatPlan(partitions: readonly PlannedPartition[]): string {
  return JSON.stringify({
    version: 1,
    partitions: partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      replicas: p.replicas,
      log_dirs: p.replicas.map(() => 'any'),
    })),
  });
}

function isIntList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((n) => Number.isInteger(n));
}

/** Parses and checks a reassignment plan (Kafka's parsePartitionReassignmentData and its checks). */
export function parsePlan(text: string): PlannedPartition[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the reassignment file is not JSON: ${(err as Error).message}`);
  }
  const d = doc as { version?: unknown; partitions?: unknown };
  if (d.version !== undefined && d.version !== 1) throw new UsageError(`Not supported version field value ${String(d.version)}`);
  if (!Array.isArray(d.partitions)) throw new UsageError('the reassignment file has no "partitions" list');
  const seen = new Set<string>();
  const out: PlannedPartition[] = [];
  for (const raw of d.partitions as Array<Record<string, unknown>>) {
    const { topic, partition, replicas } = raw;
    if (typeof topic !== 'string' || !Number.isInteger(partition) || !isIntList(replicas))
      throw new UsageError(`a partition needs "topic", "partition" and "replicas": ${JSON.stringify(raw)}`);
    const p = { topic, partition: partition as number, replicas };
    if (seen.has(name(p))) throw new UsageError(`Duplicate reassignment of partition ${name(p)}`);
    seen.add(name(p));
    if (replicas.length === 0) throw new UsageError(`Partition replica list cannot be empty: ${name(p)}`);
    if (new Set(replicas).size !== replicas.length)
      throw new UsageError(`Partition replica lists may not contain duplicate entries: ${name(p)} contains ${replicas.join(',')}`);
    const dirs = raw.log_dirs;
    if (dirs !== undefined) {
      if (!Array.isArray(dirs) || dirs.length !== replicas.length)
        throw new UsageError(
          `Size of replicas list ${JSON.stringify(replicas)} is different from size of log dirs list ${JSON.stringify(dirs)} for partition ${name(p)}`,
        );
      if (dirs.some((x) => typeof x !== 'string' || (x !== ANY_LOG_DIR && !x.startsWith('/'))))
        throw new UsageError(`log_dirs of ${name(p)} must be "any" or absolute paths: ${JSON.stringify(dirs)}`);
      if (dirs.some((x) => x !== ANY_LOG_DIR)) {
        out.push({ ...p, logDirs: dirs as string[] });
        continue;
      }
    }
    out.push(p);
  }
  return out;
}

/** The topics of a --topics-to-move-json-file. */
export function parseTopicsToMove(text: string): string[] {
  let doc: { topics?: Array<{ topic?: unknown }> };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new UsageError(`the topics file is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc.topics)) throw new UsageError('the topics file has no "topics" list');
  return doc.topics.map((t) => {
    if (typeof t.topic !== 'string') throw new UsageError(`a topic entry needs "topic": ${JSON.stringify(t)}`);
    return t.topic;
  });
}

export interface ReplicaThrottles {
  /** Topic -> "partition:broker,..." for leader.replication.throttled.replicas. */
  leader: Map<string, string>;
  /** Topic -> "partition:broker,..." for follower.replication.throttled.replicas. */
  follower: Map<string, string>;
  /** Every broker a move touches, ascending: the throttle rates are set on each. */
  brokers: number[];
}

/** Kafka's calculateLeaderThrottles / calculateFollowerThrottles / calculateReassigningBrokers. */
export function replicaThrottles(current: ReadonlyMap<string, readonly number[]>, plan: readonly PlannedPartition[]): ReplicaThrottles {
  const leader = new Map<string, string[]>();
  const follower = new Map<string, string[]>();
  const brokers = new Set<number>();
  const add = (m: Map<string, string[]>, topic: string, entry: string) => {
    let l = m.get(topic);
    if (!l) m.set(topic, (l = []));
    l.push(entry);
  };
  for (const p of plan) {
    const cur = current.get(name(p)) ?? [];
    if (sameSet(cur, p.replicas)) continue;
    for (const b of cur) add(leader, p.topic, `${p.partition}:${b}`);
    for (const b of p.replicas) if (!cur.includes(b)) add(follower, p.topic, `${p.partition}:${b}`);
    for (const b of [...cur, ...p.replicas]) brokers.add(b);
  }
  const join = (m: Map<string, string[]>) => new Map([...m].map(([t, l]) => [t, l.join(',')]));
  return { leader: join(leader), follower: join(follower), brokers: [...brokers].sort((a, b) => a - b) };
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export type ReassignmentState = 'completed' | 'in-progress' | 'other-replicas';

/** Kafka's PartitionReassignmentState per planned partition. */
export function reassignmentState(p: PlannedPartition, currentReplicas: readonly number[], inProgress: boolean): ReassignmentState {
  if (inProgress) return 'in-progress';
  return currentReplicas.length === p.replicas.length && currentReplicas.every((r, i) => r === p.replicas[i])
    ? 'completed'
    : 'other-replicas';
}

/** The verify line of a partition, as kafka-reassign-partitions.sh prints it. */
export function stateLine(p: PlannedPartition, state: ReassignmentState, currentReplicas: readonly number[]): string {
  switch (state) {
    case 'completed':
      return `Reassignment of partition ${name(p)} is completed.`;
    case 'in-progress':
      return `Reassignment of partition ${name(p)} is still in progress.`;
    case 'other-replicas':
      return `There is no active reassignment of partition ${name(p)}, but replica set is ${currentReplicas.join(',')} rather than ${p.replicas.join(',')}.`;
  }
}
