// `tributary cluster describe` (also `cluster info`): the cluster at a glance, as an operator
// checks it — the cluster id; the brokers (id, host, port, rack, and how many partition replicas
// and leaderships each holds, with `*` on the controller Metadata names); and the KRaft quorum
// (leader, epoch, high watermark, voters, observers), from DescribeCluster-style Metadata,
// Metadata of every topic and DescribeQuorum. Laid out as rpk's `cluster info`: titled sections,
// left-aligned columns.
import type { Admin, ClusterDescription, QuorumInfo, TopicDescription } from '@tributary/client';
import type { Command } from './command.ts';
import { COMMON_USAGE, adminSubcommands, table, writeOut } from './client.ts';

const USAGE = `Usage: tributary cluster <describe|info>

  cluster describe   the cluster id, the brokers (host, port, rack, replicas and leaders each holds;
                     * marks the controller) and the metadata quorum (leader, epoch, voters, observers)
  cluster info       the same
${COMMON_USAGE}`;

const SPEC = {} as const;

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

async function describe(admin: Admin): Promise<number> {
  const cluster = await admin.describeCluster();
  const topics = await admin.describeTopics(await admin.listTopics({ includeInternal: true }));
  let quorum: QuorumInfo | undefined;
  try {
    quorum = await admin.describeMetadataQuorum();
  } catch {
    // a broker that does not answer DescribeQuorum: the cluster without its quorum
  }
  await writeOut(clusterText(cluster, topics, quorum));
  return 0;
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'describe the cluster: brokers, racks, replicas and leaders per broker, controller, quorum',
  usage: USAGE,
  run: adminSubcommands('cluster', USAGE, SPEC, { describe, info: describe }),
};
