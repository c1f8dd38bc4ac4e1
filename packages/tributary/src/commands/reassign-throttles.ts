// The replication throttles of a reassignment, as kafka-reassign-partitions.sh sets and clears
// them (Kafka's ReassignPartitionsCommand.modifyReassignmentThrottle / clearAllThrottles): the
// rate (`leader.replication.throttled.rate`, `follower.replication.throttled.rate`) on every broker
// a move touches, and the throttled replicas (`leader.replication.throttled.replicas`,
// `follower.replication.throttled.replicas`) on each moving topic (which replicas: reassign-plan.ts).
import type { Admin } from '@tributary/client';
import { replicaThrottles, type PlannedPartition } from './reassign-plan.ts';

const THROTTLE_RATES = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] as const;
const THROTTLED_REPLICAS = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] as const;

/** Sets the throttles of `plan` at `rate` bytes/s; returns the tool's lines saying so. */
export async function setThrottles(
  admin: Admin,
  current: ReadonlyMap<string, readonly number[]>,
  plan: readonly PlannedPartition[],
  rate: number,
): Promise<string> {
  const t = replicaThrottles(current, plan);
  for (const topic of new Set([...t.leader.keys(), ...t.follower.keys()])) {
    const changes: Record<string, string> = {};
    const leader = t.leader.get(topic);
    const follower = t.follower.get(topic);
    if (leader) changes[THROTTLED_REPLICAS[0]] = leader;
    if (follower) changes[THROTTLED_REPLICAS[1]] = follower;
    await admin.alterConfigs({ type: 'topic', name: topic }, changes);
  }
  for (const b of t.brokers)
    await admin.alterConfigs({ type: 'broker', name: String(b) }, Object.fromEntries(THROTTLE_RATES.map((r) => [r, String(rate)])));
  return `Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\nThe inter-broker throttle limit was set to ${rate} B/s\n`;
}

/** Removes the throttles: the rates on every broker, the throttled replicas on the plan's topics. */
export async function clearThrottles(admin: Admin, plan: readonly PlannedPartition[]): Promise<string> {
  const brokers = (await admin.describeCluster()).brokers.map((b) => b.nodeId);
  for (const b of brokers)
    await admin.alterConfigs({ type: 'broker', name: String(b) }, Object.fromEntries(THROTTLE_RATES.map((r) => [r, null])));
  const topics = [...new Set(plan.map((x) => x.topic))];
  for (const t of topics)
    await admin.alterConfigs({ type: 'topic', name: t }, Object.fromEntries(THROTTLED_REPLICAS.map((r) => [r, null])));
  return (
    `Clearing broker-level throttles on brokers ${brokers.join(',')}\n` +
    topics.map((t) => `Clearing topic-level throttles on topic ${t}\n`).join('')
  );
}
