// What one scrape of a dedicated controller's /metrics answers (`process.roles=controller`,
// controller-node.ts), gathered at scrape time, with the names a Kafka controller node's JMX
// exporter gives (broker-metrics.ts tells the naming):
//
//   controller-metrics.ts          kafka_controller_kafkacontroller_* (ActiveControllerCount, OfflinePartitionsCount,
//                                  GlobalTopicCount, GlobalPartitionCount, PreferredReplicaImbalanceCount,
//                                  ActiveBrokerCount, FencedBrokerCount) from the controller's image
//   raft-metrics.ts                kafka_server_raftmetrics_* (leader, state, epoch, vote, high watermark,
//                                  log end offset, commit latency)
//   quorum-controller-metrics.ts   kafka_controller_kafkacontroller_lastapplied*, metadataerrorcount, ...
//                                  kafka_controller_controllereventmanager_eventqueue*
//
// No broker families: a controller hosts no partitions and answers no clients' requests.
import type { LocalController } from '@tributary/metadata';
import { controllerFamilies } from './controller-metrics.ts';
import { formatExposition } from './exposition.ts';
import type { QuorumControllerMetrics } from './quorum-controller-metrics.ts';
import type { QuorumState } from './raft-metrics.ts';

export interface ControllerNodeMetricsSources {
  controller: LocalController;
  quorum(): QuorumState;
  metrics: QuorumControllerMetrics;
}

/** The exposition text of a scrape; `now` is performance.now(). */
export function collectControllerNodeMetrics(s: ControllerNodeMetricsSources, now = performance.now()): string {
  return formatExposition([
    ...controllerFamilies(s.controller.image, s.quorum(), { commitLatency: s.metrics.commitLatency, now }),
    ...s.metrics.families(s.controller, now),
  ]);
}
