// Controller and quorum state, and the broker's own state, as metrics (gauges computed at scrape
// time), named as the Prometheus JMX exporter's Kafka configs name Kafka's:
//
//   kafka.controller:type=KafkaController,name=...   -> kafka_controller_kafkacontroller_<name lower-cased>
//     ActiveControllerCount            1 on the node whose controller is the active one, else 0
//     OfflinePartitionsCount           partitions with no leader
//     GlobalTopicCount, GlobalPartitionCount
//     PreferredReplicaImbalanceCount   partitions not led by their first replica
//     ActiveBrokerCount, FencedBrokerCount
//   kafka.server:type=raft-metrics   -> kafka_server_raftmetrics_* (raft-metrics.ts)
//   kafka.server:type=KafkaServer,name=BrokerState -> kafka_server_kafkaserver_brokerstate (a broker's only)
//     Kafka's BrokerState values: 1 STARTING, 2 RECOVERY (registered, fenced, catching up),
//     3 RUNNING, 6 PENDING_CONTROLLED_SHUTDOWN, 7 SHUTTING_DOWN
//
// In KRaft Kafka only controller nodes report the KafkaController gauges; every Tributary broker
// reports them from its own metadata image (the same values once its image has caught up), so
// one scrape of any broker shows the cluster's state, and so does a dedicated controller
// (controller-node-metrics.ts). A node that only follows the quorum is in current-state
// "observer", as Kafka's brokers are.
import type { MetadataImage } from '@tributary/metadata';
import type { LifecycleState } from '../controller/broker-lifecycle-manager.ts';
import type { MetricFamily } from './exposition.ts';
import type { LatencyHistogram } from './latency-histogram.ts';
import { raftFamilies, type QuorumState } from './raft-metrics.ts';

export type { QuorumState } from './raft-metrics.ts';

/** Kafka's BrokerState value for the broker lifecycle's state. */
export function brokerStateValue(state: LifecycleState): number {
  switch (state) {
    case 'starting':
      return 1;
    case 'fenced':
      return 2;
    case 'running':
      return 3;
    case 'pending-controlled-shutdown':
      return 6;
    case 'shut-down':
    case 'closed':
      return 7;
  }
}

/**
 * The KafkaController gauges of `image`, the raft-metrics of `quorum` (with the commit latency when
 * this node keeps it) and, on a broker, its BrokerState; `now` is performance.now().
 */
export function controllerFamilies(
  image: MetadataImage,
  quorum: QuorumState,
  o: { brokerState?: number; commitLatency?: LatencyHistogram | null; now?: number } = {},
): MetricFamily[] {
  let partitions = 0;
  let offline = 0;
  let imbalance = 0;
  for (const t of image.topics.byId.values()) {
    for (const reg of t.partitions.values()) {
      partitions++;
      if (reg.leader === -1) offline++;
      if (reg.leader !== reg.replicas[0]) imbalance++;
    }
  }
  const brokers = [...image.cluster.brokers.values()];
  const fenced = brokers.filter((b) => b.fenced).length;
  const kc = 'kafka_controller_kafkacontroller_';
  const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });
  return [
    gauge(
      `${kc}activecontrollercount`,
      "1 when this node's controller is the active controller (ActiveControllerCount).",
      quorum.activeController ? 1 : 0,
    ),
    gauge(`${kc}offlinepartitionscount`, 'Partitions without a leader (OfflinePartitionsCount).', offline),
    gauge(`${kc}globaltopiccount`, 'Topics in the cluster (GlobalTopicCount).', image.topics.byId.size),
    gauge(`${kc}globalpartitioncount`, 'Partitions in the cluster (GlobalPartitionCount).', partitions),
    gauge(
      `${kc}preferredreplicaimbalancecount`,
      'Partitions not led by their preferred replica (PreferredReplicaImbalanceCount).',
      imbalance,
    ),
    gauge(`${kc}activebrokercount`, 'Registered brokers not fenced (ActiveBrokerCount).', brokers.length - fenced),
    gauge(`${kc}fencedbrokercount`, 'Registered brokers fenced (FencedBrokerCount).', fenced),
    ...raftFamilies(quorum, o.commitLatency ?? null, o.now ?? performance.now()),
    {
      name: 'kafka_server_kafkaserver_brokerstate',
      help: "The broker's state (Kafka's BrokerState: 1 starting, 2 recovery, 3 running, 6 pending controlled shutdown, 7 shutting down).",
      type: 'gauge',
      samples: o.brokerState === undefined ? [] : [{ value: o.brokerState }],
    },
  ];
}
