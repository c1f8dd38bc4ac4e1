// BrokerMetrics: what one scrape of a broker's /metrics answers, gathered from the broker's parts
// at scrape time. Every name is the one the Prometheus JMX exporter's Kafka config gives the Kafka
// MBean it stands for (lower-cased `kafka_<domain>_<type>_<name>`, a meter's Count as `_total`,
// percentiles as `quantile` labels), so Kafka dashboards and alerts apply unchanged; consumer
// group lag, which Kafka's brokers do not report, takes kafka_exporter's names. The families and
// where they come from:
//
//   request-metrics.ts         kafka_network_requestmetrics_*       requests and their time, per API (the dispatcher)
//   broker-topic-stats.ts      kafka_server_brokertopicmetrics_*    bytes and records in and out, per topic (the ReplicaManager)
//   replica-manager-metrics.ts kafka_server_replicamanager_*        partitions, leaders, under-replicated, ISR changes
//                              kafka_cluster_partition_*            per partition led here
//                              kafka_log_log_*                      log size and offsets per partition
//   controller-metrics.ts      kafka_controller_kafkacontroller_*   the cluster as the metadata image has it
//                              kafka_server_raftmetrics_*           this node in the metadata quorum (raft-metrics.ts)
//                              kafka_server_kafkaserver_brokerstate
//   quorum-controller-metrics.ts  kafka_controller_kafkacontroller_lastapplied*, ..., kafka_controller_controllereventmanager_*
//                              the controller's own work (a combined broker+controller node only)
//   group-lag-metrics.ts       kafka_consumergroup_*                committed offsets and lag of the groups coordinated here
import type { LocalController, MetadataImage } from '@tributary/metadata';
import type { ReplicaManager } from '../replica/replica-manager.ts';
import { controllerFamilies, type QuorumState } from './controller-metrics.ts';
import { formatExposition } from './exposition.ts';
import { groupLagFamilies, type CommittedOffset } from './group-lag-metrics.ts';
import type { QuorumControllerMetrics } from './quorum-controller-metrics.ts';
import { replicaManagerFamilies } from './replica-manager-metrics.ts';
import type { RequestMetrics } from './request-metrics.ts';

export interface BrokerMetricsSources {
  replicas: ReplicaManager;
  requests: RequestMetrics;
  image(): MetadataImage;
  quorum(): QuorumState;
  /** Kafka's BrokerState value (controller-metrics.ts). */
  brokerState(): number;
  /** The committed offsets of the groups this broker coordinates. */
  committedOffsets(): Iterable<CommittedOffset>;
  /** The controller this node runs (a combined node), with its metrics. */
  controller?: { local: LocalController; metrics: QuorumControllerMetrics };
}

/** The exposition text of a scrape; `now` is performance.now() (the request metrics' clock). */
export function collectBrokerMetrics(s: BrokerMetricsSources, now = performance.now()): string {
  const replicas = s.replicas;
  return formatExposition([
    ...s.requests.families(now),
    ...replicas.brokerTopicStats.families(),
    ...replicaManagerFamilies(replicas),
    ...controllerFamilies(s.image(), s.quorum(), { brokerState: s.brokerState(), commitLatency: s.controller?.metrics.commitLatency, now }),
    ...(s.controller ? s.controller.metrics.families(s.controller.local, now) : []),
    ...groupLagFamilies(s.committedOffsets(), (topic, partition) => replicas.getPartition(topic, partition)?.highWatermark),
  ]);
}
