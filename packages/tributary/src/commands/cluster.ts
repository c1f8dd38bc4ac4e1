// `tributary cluster describe` (also `cluster info`): the cluster at a glance, as an operator
// checks it — the cluster id; the brokers (id, host, port, rack, and how many partition replicas
// and leaderships each holds, with `*` on the controller Metadata names); and the KRaft quorum
// (leader, epoch, high watermark, voters, observers), from DescribeCluster-style Metadata,
// Metadata of every topic and DescribeQuorum. Laid out as rpk's `cluster info`: titled sections,
// left-aligned columns.
// `cluster decommission <id>`: plans the fewest moves that empty the broker (reassign-planner.ts),
// runs them as a reassignment (optionally throttled), shows progress until every partition has
// moved, checks the broker holds no replica, then unregisters it (UnregisterBroker) unless
// --keep-registered; `--dry-run` prints the plan only. `cluster unregister --id <id>`:
// kafka-cluster.sh unregister.
import type { Admin, ClusterDescription, QuorumInfo, TopicDescription } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, table, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';
import { formatPlan } from './reassign-plan.ts';
import { decommissionPlan } from './reassign-planner.ts';
import { currentReplicas, waitForReassignments } from './reassign-progress.ts';
import { clearThrottles, setThrottles } from './reassign-throttles.ts';

const USAGE = `Usage: tributary cluster <describe|info|decommission|unregister>

  cluster describe   the cluster id, the brokers (host, port, rack, replicas and leaders each holds;
                     * marks the controller) and the metadata quorum (leader, epoch, voters, observers)
  cluster info       the same
  cluster decommission <id> [--throttle <bytes/s>] [--dry-run] [--keep-registered]
                     moves every replica off broker <id> (rack-aware, fewest moves), waits for the
                     moves, then unregisters the broker: stop its process afterwards
  cluster unregister --id <id>
                     removes a broker's registration (a stopped broker that will not come back)
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = { values: ['id', 'throttle', OUTPUT_OPTION], flags: ['dry-run', 'keep-registered'] } as const;

/** The text of `cluster describe` (quorum: undefined when DescribeQuorum is not answered). */
export function clusterText(cluster: ClusterDescription, topics: readonly TopicDescription[], quorum: QuorumInfo | undefined): string {
  const replicas = new Map<number, number>();
  const leaders = new Map<number, number>();
  for (const t of topics) {
    for (const p of t.partitions) {
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
      if (p.leader >= 0) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    }
  }
  const section = (title: string) => `${title}\n${'='.repeat(title.length)}\n`;
  let out = section('CLUSTER') + `${cluster.clusterId ?? '(none)'}\n\n`;
  out += section('BROKERS');
  out += table(
    ['ID', 'HOST', 'PORT', 'RACK', 'REPLICAS', 'LEADERS'],
    cluster.brokers.map((b) => [
      `${b.nodeId}${b.nodeId === cluster.controllerId ? '*' : ''}`,
      b.host,
      String(b.port),
      b.rack ?? '',
      String(replicas.get(b.nodeId) ?? 0),
      String(leaders.get(b.nodeId) ?? 0),
    ]),
  );
  if (quorum) {
    const ids = (rs: QuorumInfo['voters']) => rs.map((r) => r.replicaId).join(',') || '(none)';
    out += '\n' + section('QUORUM');
    out += `LeaderId:       ${quorum.leaderId}\nLeaderEpoch:    ${quorum.leaderEpoch}\nHighWatermark:  ${quorum.highWatermark}\n`;
    out += `Voters:         ${ids(quorum.voters)}\nObservers:      ${ids(quorum.observers)}\n`;
  }
  return out;
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  const cluster = await admin.describeCluster();
  const topics = await admin.describeTopics(await admin.listTopics({ includeInternal: true }));
  let quorum: QuorumInfo | undefined;
  try {
    quorum = await admin.describeMetadataQuorum();
  } catch {
    // a broker that does not answer DescribeQuorum: the cluster without its quorum
  }
  if (json) await writeJson({ cluster, topics, quorum: quorum ?? null });
  else await writeOut(clusterText(cluster, topics, quorum));
  return 0;
}

function brokerId(p: ParsedArgs, sub: string): number {
  const raw = p.positional[1] ?? p.values.get('id');
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`cluster ${sub} needs a broker id`);
  return Number(raw);
}

async function decommission(admin: Admin, p: ParsedArgs): Promise<number> {
  const id = brokerId(p, 'decommission');
  const throttle = intOption(p, 'throttle');
  // a live broker, or a dead one whose replicas must go elsewhere
  const cluster = await admin.describeCluster();
  const brokers = cluster.brokers.map((b) => ({ id: b.nodeId, rack: b.rack }));
  const names = await admin.listTopics({ includeInternal: true });
  const topics = await admin.describeTopics(names);
  const plan = decommissionPlan(topics, brokers, id);
  await writeOut(`Moving ${plan.length} partition replica(s) off broker ${id}:\n${formatPlan(plan)}\n`);
  if (p.flags.has('dry-run')) return 0;
  if (plan.length > 0) {
    if (throttle !== undefined) await writeOut(await setThrottles(admin, await currentReplicas(admin, names), plan, throttle));
    await admin.alterPartitionReassignments(plan);
    await waitForReassignments(admin, plan, `partitions moved off broker ${id}`);
    if (throttle !== undefined) await writeOut(await clearThrottles(admin, plan));
  }
  const left = (await admin.describeTopics(names)).flatMap((t) =>
    t.partitions.filter((x) => x.replicas.includes(id)).map((x) => `${t.name}-${x.partition}`),
  );
  if (left.length > 0) throw new Error(`broker ${id} still holds replicas of ${left.join(',')}`);
  if (p.flags.has('keep-registered')) {
    await writeOut(`Broker ${id} holds no replicas.\n`);
    return 0;
  }
  await admin.unregisterBroker(id);
  await writeOut(`Broker ${id} holds no replicas and is unregistered: stop its process now.\n`);
  return 0;
}

async function unregister(admin: Admin, p: ParsedArgs): Promise<number> {
  const id = brokerId(p, 'unregister');
  await admin.unregisterBroker(id);
  await writeOut(`Broker ${id} is no longer registered.\n`);
  return 0;
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'describe the cluster (brokers, racks, replicas and leaders per broker, controller, quorum), decommission a broker',
  usage: USAGE,
  run: adminSubcommands('cluster', USAGE, SPEC, { describe, info: describe, decommission, unregister }),
};
