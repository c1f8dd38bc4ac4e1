// Consumer group offsets and lag per partition. Kafka's brokers have no such metric (operators
// run kafka_exporter, or Burrow, beside them); the names are kafka_exporter's, so its dashboards
// and alerts apply:
//
//   kafka_consumergroup_current_offset{consumergroup,topic,partition}   the committed offset
//   kafka_consumergroup_lag{consumergroup,topic,partition}              high watermark - committed offset
//   kafka_consumergroup_lag_sum{consumergroup,topic}                    the lags of the topic's partitions, summed
//
// computed at scrape time from the groups this broker coordinates (their committed offsets, as the
// group coordinator has them) and the high watermark of the partitions this broker hosts (the
// "log end offset" kafka-consumer-groups.sh shows: what a read_uncommitted consumer can reach).
// A committed partition this broker hosts no replica of has a current_offset but no lag here:
// scrape every broker to see every lag. The lag may be negative, as kafka_exporter's, while a
// follower's high watermark trails the leader's.
import type { MetricFamily, Sample } from './exposition.ts';

export interface CommittedOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

function order(a: CommittedOffset, b: CommittedOffset): number {
  if (a.groupId !== b.groupId) return a.groupId < b.groupId ? -1 : 1;
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** The families for `offsets`; `highWatermark` is undefined for partitions not hosted here. */
export function groupLagFamilies(
  offsets: Iterable<CommittedOffset>,
  highWatermark: (topic: string, partition: number) => number | undefined,
): MetricFamily[] {
  const current: Sample[] = [];
  const lag: Sample[] = [];
  const sums: Sample[] = [];
  let sum: { consumergroup: string; topic: string; value: number; known: boolean } | null = null;
  const flush = () => {
    if (sum?.known) sums.push({ labels: { consumergroup: sum.consumergroup, topic: sum.topic }, value: sum.value });
  };
  for (const o of [...offsets].sort(order)) {
    const labels = { consumergroup: o.groupId, topic: o.topic, partition: String(o.partition) };
    current.push({ labels, value: o.offset });
    if (!sum || sum.consumergroup !== o.groupId || sum.topic !== o.topic) {
      flush();
      sum = { consumergroup: o.groupId, topic: o.topic, value: 0, known: false };
    }
    const hw = highWatermark(o.topic, o.partition);
    if (hw === undefined) continue;
    lag.push({ labels, value: hw - o.offset });
    sum.value += hw - o.offset;
    sum.known = true;
  }
  flush();
  return [
    {
      name: 'kafka_consumergroup_current_offset',
      help: 'Committed offset of a consumer group in a partition.',
      type: 'gauge',
      samples: current,
    },
    {
      name: 'kafka_consumergroup_lag',
      help: "A consumer group's lag in a partition hosted here: high watermark - committed offset.",
      type: 'gauge',
      samples: lag,
    },
    {
      name: 'kafka_consumergroup_lag_sum',
      help: "A consumer group's lag summed over the partitions of a topic hosted here.",
      type: 'gauge',
      samples: sums,
    },
  ];
}
