// ControllerStats: what a LocalController counts about itself for Kafka's controller metrics
// (QuorumControllerMetrics, the broker's metrics/quorum-controller-metrics.ts names them): plain
// numbers it bumps as it goes, and the timings of its operations handed to whoever listens
// (the histograms live with the metrics endpoint). Nothing here allocates per operation.
//
//   lastAppliedRecordTimestamp    append time of the last batch replayed into the image (LastAppliedRecordTimestamp; -1 none)
//   metadataErrors                committed records that could not be replayed (MetadataErrorCount)
//   timedOutBrokerHeartbeats      broker sessions that expired here, so the broker was fenced (TimedOutBrokerHeartbeatCount)
//   operationsStarted             operations taken off the queue (EventQueueOperationsStartedCount)
//   onOperation(queueMs, processingMs)   per operation: its wait in the queue (EventQueueTimeMs) and
//                                 its run, the write and commit included (EventQueueProcessingTimeMs)

/** Receives the timing of one operation, in milliseconds. */
export type OperationTimingListener = (queueMs: number, processingMs: number) => void;

export class ControllerStats {
  lastAppliedRecordTimestamp = -1;
  metadataErrors = 0;
  timedOutBrokerHeartbeats = 0;
  operationsStarted = 0;
  private readonly timingListeners = new Set<OperationTimingListener>();

  /** Subscribes to operation timings; returns the unsubscribe. */
  onOperation(listener: OperationTimingListener): () => void {
    this.timingListeners.add(listener);
    return () => {
      this.timingListeners.delete(listener);
    };
  }

  /** One operation ran: `queueMs` waiting for the ones before it, then `processingMs`. */
  operationDone(queueMs: number, processingMs: number): void {
    for (const l of this.timingListeners) l(queueMs, processingMs);
  }
}
