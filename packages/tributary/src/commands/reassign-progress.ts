// Where a reassignment stands (kafka-reassign-partitions.sh --verify): per planned partition,
// completed, in progress or done with other replicas (reassign-plan.ts's lines), from the topics'
// current replicas and the reassignments the controller still runs; and waiting for a plan to
// finish, with a progress line on stderr (a terminal sees it rewritten in place).
import type { Admin } from '@tributary/client';
import { reassignmentState, stateLine, type PlannedPartition } from './reassign-plan.ts';

const key = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

/** Current replicas of every partition of `topics`, by "topic-partition". */
export async function currentReplicas(admin: Admin, topics: readonly string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const t of await admin.describeTopics([...new Set(topics)]))
    for (const p of t.partitions) out.set(`${t.name}-${p.partition}`, p.replicas);
  return out;
}

export interface VerifyResult {
  /** One status line per planned partition, in plan order. */
  lines: string[];
  /** How many partitions no longer move. */
  done: number;
}

export async function verifyOnce(admin: Admin, plan: readonly PlannedPartition[]): Promise<VerifyResult> {
  const current = await currentReplicas(
    admin,
    plan.map((x) => x.topic),
  );
  const running = new Set((await admin.listPartitionReassignments(plan)).map(key));
  let done = 0;
  const lines = plan.map((x) => {
    const replicas = current.get(key(x)) ?? [];
    const state = reassignmentState(x, replicas, running.has(key(x)));
    if (state !== 'in-progress') done++;
    return stateLine(x, state, replicas);
  });
  return { lines, done };
}

/** Re-checks every `intervalMs` until no planned partition moves, writing "<done>/<total> <what>" to stderr. */
export async function waitForReassignments(
  admin: Admin,
  plan: readonly PlannedPartition[],
  what: string,
  intervalMs = 1000,
): Promise<VerifyResult> {
  let r = await verifyOnce(admin, plan);
  while (r.done < plan.length) {
    process.stderr.write(`\r${r.done}/${plan.length} ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    r = await verifyOnce(admin, plan);
  }
  process.stderr.write(`\r${r.done}/${plan.length} ${what}\n`);
  return r;
}
