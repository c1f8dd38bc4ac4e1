// kafka-topics.sh's partition reports for `topics describe` (Kafka's TopicCommand.DescribeOptions
// and PartitionDescription): at most one of
//   --under-replicated-partitions  fewer ISR members than the replication factor (the replicas,
//                                  minus those a reassignment is adding)
//   --under-min-isr-partitions     no leader, or fewer ISR members than min.insync.replicas
//   --at-min-isr-partitions        exactly min.insync.replicas ISR members
//   --unavailable-partitions       no leader, or a leader that is not a live broker
// lists only the partitions it matches, without the topic's header line; and
//   --topics-with-overrides        lists only the header line of topics that override a config.
import { UsageError } from './command.ts';
import type { ParsedArgs } from './args.ts';

export const PARTITION_REPORTS = [
  'under-replicated-partitions',
  'under-min-isr-partitions',
  'at-min-isr-partitions',
  'unavailable-partitions',
] as const;
export type PartitionReport = (typeof PARTITION_REPORTS)[number];

export const REPORT_FLAGS = [...PARTITION_REPORTS, 'topics-with-overrides'] as const;

export interface ReportedPartition {
  leader: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** Replicas an ongoing reassignment is adding (not yet counted in the replication factor). */
  addingReplicas?: readonly number[];
}

/** The report asked for, if any; Kafka refuses combining them ("Option ... can't be used with ..."). */
export function reportOf(p: ParsedArgs): PartitionReport | 'topics-with-overrides' | undefined {
  const asked = REPORT_FLAGS.filter((f) => p.flags.has(f));
  if (asked.length > 1) throw new UsageError(`--${asked[0]} can't be used with --${asked[1]}`);
  return asked[0];
}

/** Kafka's PartitionDescription.getReplicationFactor: replicas a reassignment is adding do not count yet. */
function replicationFactor(p: ReportedPartition): number {
  return p.replicas.length - (p.addingReplicas?.length ?? 0);
}

/** Whether `report` lists partition `p` (minIsr: the topic's min.insync.replicas; live: live broker ids). */
export function partitionReported(
  report: PartitionReport,
  p: ReportedPartition,
  minIsr: number | undefined,
  live: ReadonlySet<number>,
): boolean {
  const hasLeader = p.leader >= 0;
  switch (report) {
    case 'under-replicated-partitions':
      return replicationFactor(p) - p.isr.length > 0;
    case 'under-min-isr-partitions':
      return !hasLeader || (minIsr !== undefined && p.isr.length < minIsr);
    case 'at-min-isr-partitions':
      return minIsr !== undefined && p.isr.length === minIsr;
    case 'unavailable-partitions':
      return !hasLeader || !live.has(p.leader);
  }
}
