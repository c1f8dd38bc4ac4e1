// Fetch (API key 1) of `__cluster_metadata-0`, on the controller listener: how brokers, as
// observers of the metadata log (KRaft), follow the controller's records.
//
// Versions: 4-17 (v13+ name the topic by id: Kafka's METADATA_TOPIC_ID).
//
// Behaviour:
// * Partition 0 of `__cluster_metadata` is answered with the committed log from FetchOffset as
//   stored (whole batches; the first even when larger than the byte limits), HighWatermark =
//   LastStableOffset = the log end (a single voter commits what it has fsynced), LogStartOffset 0,
//   CurrentLeader = this controller and its epoch.
// * Long poll: when nothing is at FetchOffset yet, the answer waits up to MaxWaitMs for the next
//   append (so brokers learn a change as soon as it is written), or until the connection closes.
// * Each fetch of partition 0 by a replica (ReplicaState.ReplicaId, ReplicaId before v15; a broker:
//   an observer) in range is reported to the backend when it arrives and again when it is answered after a
//   long poll (its fetch offset and time: what DescribeQuorum reports, as Kafka's leader does).
// * FetchOffset below 0 or past the log end: OFFSET_OUT_OF_RANGE. Any other partition or topic:
//   UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id, v13+).
//
// Not implemented: fetch sessions (SessionId 0: every fetch is full), snapshots (SnapshotId,
// FetchSnapshot), DivergingEpoch (one voter: the log never diverges), Raft voters' fetches.
import { ApiKey, ErrorCode, type FetchResponseFetchableTopicResponse, type FetchResponsePartitionData } from '@tributary/protocol';
import { CLUSTER_METADATA_TOPIC } from '@tributary/metadata';
import type { Encodable } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import { METADATA_TOPIC_ID, type ControllerBackend } from '../controller-backend.ts';

export function metadataFetchHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.Fetch> {
  return {
    apiKey: ApiKey.Fetch,
    name: 'Fetch',
    minVersion: 4,
    maxVersion: 17,
    async handle(ctx, request) {
      const byId = ctx.header.apiVersion >= 13;
      const isMetadata = (t: { topic: string; topicId: string }) =>
        byId ? t.topicId === METADATA_TOPIC_ID : t.topic === CLUSTER_METADATA_TOPIC;
      const wanted = request.topics.filter(isMetadata).flatMap((t) => t.partitions.filter((p) => p.partition === 0));
      const replicaId = ctx.header.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
      const reportFetch = () => {
        for (const p of wanted) {
          const offset = Number(p.fetchOffset);
          if (offset >= 0 && offset <= controller.nextOffset) controller.updateReplicaState(replicaId, offset);
        }
      };
      reportFetch();
      // Long poll: wait for the first record past the highest offset asked for, when none is there yet.
      if (wanted.length > 0 && wanted.every((p) => Number(p.fetchOffset) === controller.nextOffset)) {
        await controller.waitForAppend(controller.nextOffset, request.maxWaitMs, ctx.signal);
        reportFetch();
      }
      const end = controller.nextOffset;
      const leader = { leaderId: ctx.services.nodeId, leaderEpoch: controller.leaderEpoch };
      let budget = request.maxBytes;
      const responses: Encodable<FetchResponseFetchableTopicResponse>[] = request.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p): Encodable<FetchResponsePartitionData> => {
          const base = { partitionIndex: p.partition, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null };
          if (!isMetadata(t) || p.partition !== 0) {
            const errorCode = isMetadata(t) || !byId ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID;
            return { ...base, errorCode };
          }
          const offset = Number(p.fetchOffset);
          const hw = BigInt(end);
          if (offset < 0 || offset > end)
            return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: hw, logStartOffset: 0n };
          const records = controller.readLog(offset, Math.max(0, Math.min(p.partitionMaxBytes, budget)));
          budget -= records.length;
          return {
            ...base,
            errorCode: ErrorCode.NONE,
            highWatermark: hw,
            lastStableOffset: hw,
            logStartOffset: 0n,
            currentLeader: leader,
            records,
          };
        }),
      }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
    },
  };
}
