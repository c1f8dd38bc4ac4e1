// QuorumControllerMetrics: what a controller reports of its own work (Kafka's
// QuorumControllerMetrics), from its LocalController's stats (metadata's controller-stats.ts), named
// as the Prometheus JMX exporter's Kafka config names the MBeans:
//
//   kafka.controller:type=KafkaController,name=...   -> kafka_controller_kafkacontroller_<name lower-cased>
//     LastAppliedRecordOffset          the last record replayed into the controller's image
//     LastCommittedRecordOffset        the last committed record of the metadata log
//     LastAppliedRecordTimestamp       append time of the last batch replayed (ms since the epoch; -1: none)
//     LastAppliedRecordLagMs           now - that (0 on the active controller, as Kafka's)
//     MetadataErrorCount               committed records that could not be replayed
//     TimedOutBrokerHeartbeatCount     broker sessions that expired here
//     EventQueueOperationsStartedCount operations taken off the controller's queue
//   kafka.controller:type=ControllerEventManager,name=EventQueueTimeMs|EventQueueProcessingTimeMs (histograms)
//     -> kafka_controller_controllereventmanager_eventqueuetimems{quantile="0.50".."0.999"} and _count
//        (as the request metrics' TotalTimeMs: request-metrics.ts), plus _sum
//
// It also keeps the Raft commit latency of the controller's appends (raft-metrics.ts reports it).
// `attach` subscribes to the controller (and its quorum log) once it is open.
import type { LocalController, RaftMetadataLog } from '@tributary/metadata';
import type { MetricFamily, Sample } from './exposition.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { QUANTILES } from './request-metrics.ts';

export class QuorumControllerMetrics {
  readonly eventQueueTime = new LatencyHistogram();
  readonly eventQueueProcessingTime = new LatencyHistogram();
  /** Proposal-to-commit times of the appends this node led (a voter of several only). */
  readonly commitLatency = new LatencyHistogram();
  private readonly detach: Array<() => void> = [];

  /** Observes `controller`'s operations and, for a voter of several, its log's commits. */
  attach(controller: LocalController, quorumLog: RaftMetadataLog | null): void {
    this.detach.push(
      controller.stats.onOperation((queueMs, processingMs) => {
        const now = performance.now();
        this.eventQueueTime.observe(queueMs, now);
        this.eventQueueProcessingTime.observe(processingMs, now);
      }),
    );
    if (quorumLog) this.detach.push(quorumLog.onCommit((ms) => this.commitLatency.observe(ms, performance.now())));
  }

  close(): void {
    for (const d of this.detach.splice(0)) d();
  }

  /** The families at `now` (performance.now()); `wallClockMs` is Date.now() (for the applied record's lag). */
  families(controller: LocalController, now: number, wallClockMs = Date.now()): MetricFamily[] {
    const kc = 'kafka_controller_kafkacontroller_';
    const stats = controller.stats;
    const gauge = (name: string, help: string, value: number): MetricFamily => ({
      name: `${kc}${name}`,
      help,
      type: 'gauge',
      samples: [{ value }],
    });
    const applied = stats.lastAppliedRecordTimestamp;
    const lag = controller.isActive || applied < 0 ? 0 : Math.max(0, wallClockMs - applied);
    return [
      gauge(
        'lastappliedrecordoffset',
        'The last record replayed into the controller (LastAppliedRecordOffset).',
        controller.image.provenance.lastOffset,
      ),
      gauge(
        'lastcommittedrecordoffset',
        'The last committed record of the metadata log (LastCommittedRecordOffset).',
        controller.lastCommittedRecordOffset,
      ),
      gauge(
        'lastappliedrecordtimestamp',
        'Append time of the last batch replayed, ms since the epoch (LastAppliedRecordTimestamp; -1: none).',
        applied,
      ),
      gauge('lastappliedrecordlagms', 'Now minus the last applied record time; 0 on the active controller (LastAppliedRecordLagMs).', lag),
      gauge('metadataerrorcount', 'Committed metadata records that could not be replayed (MetadataErrorCount).', stats.metadataErrors),
      gauge(
        'timedoutbrokerheartbeatcount',
        'Broker sessions that expired on this controller (TimedOutBrokerHeartbeatCount).',
        stats.timedOutBrokerHeartbeats,
      ),
      gauge(
        'eventqueueoperationsstartedcount',
        "Operations taken off the controller's queue (EventQueueOperationsStartedCount).",
        stats.operationsStarted,
      ),
      ...histogramFamilies(
        'eventqueuetimems',
        'Time operations waited in the controller queue, in ms (EventQueueTimeMs)',
        this.eventQueueTime,
        now,
      ),
      ...histogramFamilies(
        'eventqueueprocessingtimems',
        'Time operations ran, their write and commit included, in ms (EventQueueProcessingTimeMs)',
        this.eventQueueProcessingTime,
        now,
      ),
    ];
  }
}

/** A ControllerEventManager histogram as the exporter shows it: percentiles, _count, and _sum. */
function histogramFamilies(name: string, help: string, h: LatencyHistogram, now: number): MetricFamily[] {
  const full = `kafka_controller_controllereventmanager_${name}`;
  const quantiles: Sample[] = QUANTILES.map(([quantile, q]) => ({ labels: { quantile }, value: h.quantile(q, now) }));
  return [
    { name: full, help: `Percentiles over the last 4-5 minutes: ${help}.`, type: 'gauge', samples: quantiles },
    { name: `${full}_count`, help: `Operations timed: ${help}.`, type: 'counter', samples: [{ value: h.count }] },
    { name: `${full}_sum`, help: `Sum of the times: ${help}.`, type: 'counter', samples: [{ value: h.sum }] },
  ];
}
