// The ReplicaManager's, its partitions' and their logs' metrics, as Kafka registers them and the
// Prometheus JMX exporter's Kafka config names them (gauges computed at scrape time from the
// hosted partitions; the ISR change counts kept by IsrChangeStats (isr-change-stats.ts) as they happen):
//
//   kafka.server:type=ReplicaManager,name=...                  -> kafka_server_replicamanager_<name lower-cased>
//     PartitionCount                 hosted partitions (leader or follower)
//     LeaderCount                    partitions led here
//     UnderReplicatedPartitions      led here with an ISR smaller than the replica set
//     UnderMinIsrPartitionCount      led here with an ISR below min(min.insync.replicas, replicas)
//     AtMinIsrPartitionCount         led here with an ISR of exactly that size
//     OfflineReplicaCount            hosted partitions whose log is offline (an I/O error)
//     IsrShrinksPerSec / IsrExpandsPerSec / FailedIsrUpdatesPerSec (meters: their Count)
//                                    -> _isrshrinks_total, _isrexpands_total, _failedisrupdates_total
//   kafka.cluster:type=Partition,name=...,topic,partition      -> kafka_cluster_partition_<name>{topic,partition}
//     UnderReplicated (1/0), InSyncReplicasCount, ReplicasCount (0 where this broker does not lead, as Kafka)
//   kafka.log:type=Log,name=...,topic,partition                -> kafka_log_log_<name>{topic,partition}
//     Size (bytes of all segments), LogStartOffset, LogEndOffset, NumLogSegments
//   kafka.log:type=LogManager,name=...                         -> kafka_log_logmanager_<name lower-cased>
//     OfflineLogDirectoryCount       log dirs taken offline by an I/O error (JBOD)
//     LogDirectoryOffline{logDirectory}  1 for a dir offline, 0 for a live one
//
// A shrink or expansion counts when the controller accepts it (Kafka counts on the AlterPartition
// answer too); a refused or unsent one counts as failed.
import type { Partition } from '../replica/partition.ts';
import type { ReplicaManager } from '../replica/replica-manager.ts';
import type { MetricFamily, Sample } from './exposition.ts';

function gauge(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: 'gauge', samples };
}

function counter(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: 'counter', samples: [{ value }] };
}

function byTopicPartition(a: Partition, b: Partition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** The ReplicaManager's, partitions' and logs' families, from the partitions hosted now. */
export function replicaManagerFamilies(replicas: ReplicaManager): MetricFamily[] {
  const partitions = [...replicas.allPartitions()].sort(byTopicPartition);
  let leaders = 0;
  let underReplicated = 0;
  let underMinIsr = 0;
  let atMinIsr = 0;
  let offline = 0;
  const perPartition = { underReplicated: [] as Sample[], isr: [] as Sample[], replicas: [] as Sample[] };
  const log = { size: [] as Sample[], start: [] as Sample[], end: [] as Sample[], segments: [] as Sample[] };
  for (const p of partitions) {
    const labels = { topic: p.topic, partition: String(p.partition) };
    const leads = p.isLeader;
    const under = leads && p.isr.length < p.replicas.length;
    if (leads) {
      leaders++;
      if (under) underReplicated++;
      const minIsr = p.effectiveMinIsr;
      if (p.isr.length < minIsr) underMinIsr++;
      else if (p.isr.length === minIsr) atMinIsr++;
    }
    if (replicas.isReplicaOffline(p.topic, p.partition)) offline++;
    perPartition.underReplicated.push({ labels, value: under ? 1 : 0 });
    perPartition.isr.push({ labels, value: leads ? p.isr.length : 0 });
    perPartition.replicas.push({ labels, value: leads ? p.replicas.length : 0 });
    log.size.push({ labels, value: p.log.size });
    log.start.push({ labels, value: p.logStartOffset });
    log.end.push({ labels, value: p.logEndOffset });
    log.segments.push({ labels, value: p.log.segments.length });
  }
  offline += replicas.offlinePartitionCount; // hosted offline without a log (its dir failed before a restart)
  const offlineDirs = replicas.logs.offlineLogDirs();
  const dirs = replicas.logs.options.logDirs.map((d) => ({ labels: { logDirectory: d }, value: offlineDirs.includes(d) ? 1 : 0 }));
  const isr = replicas.isrChangeStats;
  const rm = 'kafka_server_replicamanager_';
  return [
    gauge(`${rm}partitioncount`, 'Partitions hosted by this broker (PartitionCount).', [{ value: partitions.length }]),
    gauge(`${rm}leadercount`, 'Partitions this broker leads (LeaderCount).', [{ value: leaders }]),
    gauge(`${rm}underreplicatedpartitions`, 'Partitions led here whose ISR is smaller than their replicas (UnderReplicatedPartitions).', [
      { value: underReplicated },
    ]),
    gauge(`${rm}underminisrpartitioncount`, 'Partitions led here whose ISR is below min.insync.replicas (UnderMinIsrPartitionCount).', [
      { value: underMinIsr },
    ]),
    gauge(`${rm}atminisrpartitioncount`, 'Partitions led here whose ISR is exactly min.insync.replicas (AtMinIsrPartitionCount).', [
      { value: atMinIsr },
    ]),
    gauge(`${rm}offlinereplicacount`, 'Hosted partitions whose log is offline (OfflineReplicaCount).', [{ value: offline }]),
    counter(`${rm}isrshrinks_total`, 'ISR shrinks of partitions led here, accepted by the controller (IsrShrinksPerSec).', isr.shrinks),
    counter(`${rm}isrexpands_total`, 'ISR expansions of partitions led here, accepted by the controller (IsrExpandsPerSec).', isr.expands),
    counter(`${rm}failedisrupdates_total`, 'ISR changes refused by the controller or not sent (FailedIsrUpdatesPerSec).', isr.failed),
    gauge('kafka_cluster_partition_underreplicated', '1 when this broker leads the partition and its ISR is smaller than its replicas.', [
      ...perPartition.underReplicated,
    ]),
    gauge('kafka_cluster_partition_insyncreplicascount', 'ISR size of a partition led here (0 elsewhere).', perPartition.isr),
    gauge('kafka_cluster_partition_replicascount', 'Replica count of a partition led here (0 elsewhere).', perPartition.replicas),
    gauge('kafka_log_log_size', 'Bytes in all segments of the partition log (Size).', log.size),
    gauge('kafka_log_log_logstartoffset', 'Log start offset of the partition log (LogStartOffset).', log.start),
    gauge('kafka_log_log_logendoffset', 'Log end offset of the partition log (LogEndOffset).', log.end),
    gauge('kafka_log_log_numlogsegments', 'Segments of the partition log (NumLogSegments).', log.segments),
    gauge('kafka_log_logmanager_offlinelogdirectorycount', 'Log dirs taken offline by an I/O error (OfflineLogDirectoryCount).', [
      { value: offlineDirs.length },
    ]),
    gauge('kafka_log_logmanager_logdirectoryoffline', '1 when the log dir is offline, else 0 (LogDirectoryOffline).', dirs),
  ];
}
