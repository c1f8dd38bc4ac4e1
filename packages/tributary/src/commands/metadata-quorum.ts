// `tributary metadata-quorum describe --status|--replication`: the KRaft metadata quorum through
// @tributary/client's admin (describeMetadataQuorum: DescribeQuorum, which any broker forwards to
// the active controller), printed as Kafka's kafka-metadata-quorum.sh prints it.
//   --status       ClusterId, LeaderId, LeaderEpoch, HighWatermark, MaxFollowerLag (the leader's
//                  log end minus the furthest-behind voter's), MaxFollowerLagTimeMs (0 when that
//                  voter is the leader; the difference of their caught-up times; -1 unknown),
//                  CurrentVoters and CurrentObservers ({"id": n} with "endpoints" when known).
//   --replication  one row per replica — the leader, the other voters (Follower), the observers —
//                  NodeId, DirectoryId, LogEndOffset, Lag (behind the leader's log end),
//                  LastFetchTimestamp, LastCaughtUpTimestamp (-1 unknown; "<n> ms ago" with
//                  --human-readable), Status; columns padded and tab-separated, as Kafka's tools.
// Not implemented: --bootstrap-controller (a controller listener serves no Metadata or
// DescribeCluster here), add-controller and remove-controller.
import type { Admin, QuorumInfo, QuorumReplicaState } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, prettyTable, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary metadata-quorum describe (--status | --replication [--human-readable])

  --status           a short summary of the quorum: leader, epoch, high watermark, follower lag, voters, observers
  --replication      each replica's log end offset, lag and fetch times
  --human-readable   with --replication: times as "<n> ms ago"
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = { values: [OUTPUT_OPTION], flags: ['status', 'replication', 'human-readable'] } as const;

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function leaderOf(q: QuorumInfo): QuorumReplicaState {
  const leader = q.voters.find((v) => v.replicaId === q.leaderId);
  if (!leader) throw new Error(`the leader ${q.leaderId} is not among the voters`);
  return leader;
}

/** `[{"id": 1, "endpoints": ["CONTROLLER://host:9093"]}, ...]` as Kafka prints CurrentVoters / CurrentObservers. */
export function replicaList(q: QuorumInfo, replicas: readonly QuorumReplicaState[]): string {
  const items = replicas.map((r) => {
    let s = `{"id": ${r.replicaId}`;
    if (r.replicaDirectoryId !== ZERO_UUID) s += `, "directoryId": "${r.replicaDirectoryId}"`;
    const endpoints = q.nodes.get(r.replicaId)?.endpoints ?? [];
    if (endpoints.length > 0) s += `, "endpoints": [${endpoints.map((e) => `"${e.name}://${e.host}:${e.port}"`).join(', ')}]`;
    return s + '}';
  });
  return `[${items.join(', ')}]`;
}

export function statusText(clusterId: string | null, q: QuorumInfo): string {
  const leader = leaderOf(q);
  let lagging = q.voters[0]!;
  for (const v of q.voters) if (v.logEndOffset < lagging.logEndOffset) lagging = v;
  let lagTimeMs = -1;
  if (lagging === leader) lagTimeMs = 0;
  else if (leader.lastCaughtUpTimestamp !== null && lagging.lastCaughtUpTimestamp !== null)
    lagTimeMs = leader.lastCaughtUpTimestamp - lagging.lastCaughtUpTimestamp;
  const line = (name: string, value: string | number | null) => `${`${name}:`.padEnd(24)}${value}\n`;
  return (
    line('ClusterId', clusterId) +
    line('LeaderId', q.leaderId) +
    line('LeaderEpoch', q.leaderEpoch) +
    line('HighWatermark', q.highWatermark) +
    line('MaxFollowerLag', leader.logEndOffset - lagging.logEndOffset) +
    line('MaxFollowerLagTimeMs', lagTimeMs) +
    line('CurrentVoters', replicaList(q, q.voters)) +
    line('CurrentObservers', replicaList(q, q.observers))
  );
}

export function replicationText(q: QuorumInfo, humanReadable: boolean, now = Date.now()): string {
  const leader = leaderOf(q);
  const time = (t: number | null) => (t === null ? '-1' : humanReadable ? `${now - t} ms ago` : String(t));
  const rows = (replicas: readonly QuorumReplicaState[], status: string) =>
    replicas.map((r) => [
      String(r.replicaId),
      r.replicaDirectoryId,
      String(r.logEndOffset),
      String(leader.logEndOffset - r.logEndOffset),
      time(r.lastFetchTimestamp),
      time(r.lastCaughtUpTimestamp),
      status,
    ]);
  return prettyTable(
    ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'],
    [
      ...rows([leader], 'Leader'),
      ...rows(
        q.voters.filter((v) => v.replicaId !== q.leaderId),
        'Follower',
      ),
      ...rows(q.observers, 'Observer'),
    ],
  );
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const status = p.flags.has('status');
  const replication = p.flags.has('replication');
  if (status && replication) throw new UsageError('Only one of --status or --replication should be specified with describe sub-command');
  if (!status && !replication) throw new UsageError('One of --status or --replication must be specified with describe sub-command');
  if (status && p.flags.has('human-readable'))
    throw new UsageError('The option --human-readable is only supported along with --replication');
  if (isJsonOutput(p)) {
    const { clusterId } = await admin.describeCluster();
    await writeJson({ clusterId, ...(await admin.describeMetadataQuorum()) });
  } else if (status) {
    const { clusterId } = await admin.describeCluster();
    await writeOut(statusText(clusterId, await admin.describeMetadataQuorum()));
  } else {
    await writeOut(replicationText(await admin.describeMetadataQuorum(), p.flags.has('human-readable')));
  }
  return 0;
}

export const metadataQuorumCommand: Command = {
  name: 'metadata-quorum',
  summary: 'describe the KRaft metadata quorum (leader, high watermark, voters, observers)',
  usage: USAGE,
  run: adminSubcommands('metadata-quorum', USAGE, SPEC, { describe }),
};
