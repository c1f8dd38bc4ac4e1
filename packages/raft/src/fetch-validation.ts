// What a Raft leader answers a Fetch before sending records (Kafka's KafkaRaftClient
// handleFetchRequest + ReplicatedLog.validateOffsetAndEpoch), as a pure decision over the
// request, the leader's epoch and role, and its log:
//   - CurrentLeaderEpoch below the leader's: FENCED_LEADER_EPOCH; above: UNKNOWN_LEADER_EPOCH
//     (-1, an observer that knows no epoch, skips both); not the leader: NOT_LEADER_OR_FOLLOWER;
//   - a negative FetchOffset, or an observer's past the log end: OFFSET_OUT_OF_RANGE;
//   - below the log start (trimmed by a snapshot), or diverging in an epoch older than the log
//     holds: the latest snapshot's id (fetch it first, KIP-630);
//   - LastFetchedEpoch not in the log, or ending before FetchOffset: DivergingEpoch (the largest
//     epoch at or below it and where it ends: truncate there);
//   - otherwise the replica's offset is valid: it holds the leader's log below FetchOffset.
import { ErrorCode } from '@tributary/protocol';
import type { RaftLog } from './raft-log.ts';
import type { FetchRequest, OffsetAndEpoch } from './raft-messages.ts';

export type FetchValidation =
  | { kind: 'error'; errorCode: number }
  | { kind: 'snapshot'; snapshotId: OffsetAndEpoch }
  | { kind: 'diverging'; epoch: number; endOffset: number }
  | { kind: 'valid' };

export function validateFetch(
  req: FetchRequest,
  leader: { epoch: number; isLeader: boolean; isVoter: (id: number) => boolean },
  log: RaftLog<unknown, unknown>,
): FetchValidation {
  const error = (errorCode: number): FetchValidation => ({ kind: 'error', errorCode });
  if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch < leader.epoch) return error(ErrorCode.FENCED_LEADER_EPOCH);
  if (req.currentLeaderEpoch > leader.epoch) return error(ErrorCode.UNKNOWN_LEADER_EPOCH);
  if (!leader.isLeader) return error(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (req.fetchOffset < 0 || (req.fetchOffset > log.endOffset && !leader.isVoter(req.replicaId))) {
    return error(ErrorCode.OFFSET_OUT_OF_RANGE);
  }
  const snapshot = log.latestSnapshot();
  if (req.fetchOffset === 0) return snapshot && log.startOffset > 0 ? { kind: 'snapshot', snapshotId: snapshot } : { kind: 'valid' };
  if (snapshot && req.fetchOffset < log.startOffset) return { kind: 'snapshot', snapshotId: snapshot };
  const end = log.endOffsetForEpoch(req.lastFetchedEpoch);
  if (end.epoch === req.lastFetchedEpoch && end.offset >= req.fetchOffset) return { kind: 'valid' };
  if (snapshot && end.epoch < 0 && end.offset <= log.startOffset) return { kind: 'snapshot', snapshotId: snapshot };
  return { kind: 'diverging', epoch: end.epoch, endOffset: end.offset };
}
