// Writing transaction markers on the partitions this broker hosts (Kafka's KafkaApis
// handleWriteTxnMarkersRequest): what WriteTxnMarkers (handler 27) does for a remote transaction
// coordinator, and what the local transaction coordinator calls directly for partitions led here.
//
// For each marker of the request (producer id and epoch, COMMIT or ABORT, coordinator epoch) and
// each of its partitions:
//   - a partition this broker does not host: UNKNOWN_TOPIC_OR_PARTITION (Kafka answers so when the
//     log is not local, even if another broker hosts it);
//   - otherwise a control batch (BaseSequence -1, attributes transactional | control, one
//     COMMIT/ABORT record with the coordinator epoch) is appended as the coordinator's with
//     acks=all and answered once the ISR has it (ReplicaManager.appendTxnMarker), or with the
//     append's error: NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT
//     (after Kafka's default request.timeout.ms), INVALID_PRODUCER_EPOCH (an epoch below the
//     producer's), TRANSACTION_COORDINATOR_FENCED (a coordinator epoch below the one of the
//     producer's last marker), KAFKA_STORAGE_ERROR.
// Once every partition of a marker is answered, the __consumer_offsets partitions that took it
// are handed to the group coordinator (onTransactionCompleted: pending transactional offset
// commits become visible, or are dropped); if that fails they answer UNKNOWN_SERVER_ERROR.
// Markers are written concurrently; the response lists them in request order (Kafka merges the
// markers of one producer id, which a coordinator never sends twice), topics and partitions in
// request order.
import {
  ErrorCode,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersRequestWritableTxnMarker,
  type WriteTxnMarkersResponse,
  type WriteTxnMarkersResponseWritableTxnMarkerResult,
} from '@tributary/protocol';
import type { BrokerServices } from '../../services.ts';
import { GROUP_METADATA_TOPIC_NAME } from '../offsets-topic-host.ts';

/** Kafka's default request.timeout.ms: how long a marker waits for the ISR. */
export const MARKER_APPEND_TIMEOUT_MS = 30_000;

export async function writeTxnMarkers(
  services: BrokerServices,
  request: WriteTxnMarkersRequest,
  servingNode: number,
): Promise<WriteTxnMarkersResponse> {
  const markers = await Promise.all(request.markers.map((m) => writeMarker(services, m, servingNode)));
  return { markers };
}

async function writeMarker(
  services: BrokerServices,
  m: WriteTxnMarkersRequestWritableTxnMarker,
  servingNode: number,
): Promise<WriteTxnMarkersResponseWritableTxnMarkerResult> {
  const marker = {
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    coordinatorEpoch: m.coordinatorEpoch,
    commit: m.transactionResult,
  };
  const replicas = services.replicas;
  const topics = await Promise.all(
    m.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitionIndexes.map(async (partitionIndex) => {
          const p = replicas.getPartition(t.name, partitionIndex);
          if (!p) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          const r = await replicas.appendTxnMarker(p, marker, servingNode, MARKER_APPEND_TIMEOUT_MS);
          return { partitionIndex, errorCode: r.errorCode };
        }),
      ),
    })),
  );
  const offsets = topics
    .filter((t) => t.name === GROUP_METADATA_TOPIC_NAME)
    .flatMap((t) => t.partitions.filter((p) => p.errorCode === ErrorCode.NONE));
  if (offsets.length > 0) {
    try {
      await services.groupCoordinator.onTransactionCompleted(
        m.producerId,
        offsets.map((p) => p.partitionIndex),
        m.transactionResult,
      );
    } catch (err) {
      services.log.error('the group coordinator failed to complete a transaction', { producerId: String(m.producerId), err });
      for (const p of offsets) p.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }
  return { producerId: m.producerId, topics };
}
