// The log-divergence rules of replication (KIP-101, KIP-279, truncation on fetch KAFKA-10554), as
// pure functions over leader epoch caches, for the leader's side of a follower Fetch and for the
// follower fetcher:
// - divergingEpoch: the leader's check of a follower's (FetchOffset, LastFetchedEpoch), Kafka's
//   Partition.readRecords: OFFSET_OUT_OF_RANGE when the leader cannot tell where the follower's last
//   fetched epoch ends or the fetch offset is below its log start; a DivergingEpoch when that
//   epoch is unknown to the leader (it ends at a lower epoch) or ends before the fetch offset.
// - truncationState: the follower's answer to a DivergingEpoch or an OffsetForLeaderEpoch
//   response, Kafka's AbstractFetcherThread.getOffsetTruncationState.
// - outOfRangeAction: the follower's answer to OFFSET_OUT_OF_RANGE, Kafka's
//   AbstractFetcherThread.fetchOffsetAndTruncate.
// End offsets come from the caches' endOffsetFor (Kafka's LeaderEpochFileCache.endOffsetFor);
// an end offset of -1 is Kafka's "no end offset" (UnifiedLog.endOffsetForEpoch answers None).
import type { LeaderEpochCache } from '@tributary/storage';

/** An epoch and where it ends (exclusive); -1/-1 = undefined (UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET). */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

/** What these rules read of a replica's leader epoch cache. */
export type EpochSource = Pick<LeaderEpochCache, 'endOffsetFor'>;

const UNDEFINED = -1;

/**
 * Leader side of a follower's Fetch v12+ (Kafka Partition.fetchRecords / readRecords): the
 * DivergingEpoch to answer when the follower's (fetchOffset, lastFetchedEpoch) does not match the
 * leader's log; 'OFFSET_OUT_OF_RANGE' when the leader has no end offset for lastFetchedEpoch (it
 * is above every epoch the leader knows) or fetchOffset is below the leader's log start (checked
 * before divergence, as Kafka does); else null: read from fetchOffset as usual.
 * lastFetchedEpoch -1 (not sent) -> null: the caller's normal read checks the offset range.
 * A DivergingEpoch answer carries no records (and the follower takes no high watermark from it).
 */
export function divergingEpoch(
  leader: EpochSource,
  leaderLogEndOffset: number,
  fetchOffset: number,
  lastFetchedEpoch: number,
  leaderLogStartOffset: number,
): EpochEndOffset | 'OFFSET_OUT_OF_RANGE' | null {
  if (lastFetchedEpoch < 0) return null;
  const end = leader.endOffsetFor(lastFetchedEpoch, leaderLogEndOffset);
  if (end.endOffset === UNDEFINED || end.epoch === UNDEFINED) return 'OFFSET_OUT_OF_RANGE';
  if (fetchOffset < leaderLogStartOffset) return 'OFFSET_OUT_OF_RANGE';
  if (end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset) return { epoch: end.epoch, endOffset: end.endOffset };
  return null;
}

/**
 * Follower side (Kafka AbstractFetcherThread.getOffsetTruncationState): given the leader's answer
 * for an epoch (a DivergingEpoch, or an OffsetForLeaderEpoch response), the offset to truncate to
 * and whether truncation is complete. Incomplete: the follower did not know the leader's epoch;
 * it truncates to the end of its largest smaller epoch and asks again with that epoch
 * (nextEpochToAsk; with truncation on fetch, that is simply its LastFetchedEpoch after truncating).
 * - leader end offset undefined: Kafka truncates to the partition's fetch offset, which with
 *   truncation on fetch is the follower's log end offset: no truncation;
 * - leader epoch undefined (an old leader): min(leader end offset, own log end offset);
 * - the follower has no end offset for the epoch (no epoch at or below it tracked, or an empty
 *   cache): min(leader end offset, own log end offset);
 * - otherwise min(own end offset for the epoch, leader end offset, own log end offset).
 */
export function truncationState(
  follower: EpochSource,
  followerLogEndOffset: number,
  leaderAnswer: EpochEndOffset,
): { offset: number; truncationCompleted: boolean; nextEpochToAsk?: number } {
  if (leaderAnswer.endOffset === UNDEFINED) return { offset: followerLogEndOffset, truncationCompleted: true };
  const capped = Math.min(leaderAnswer.endOffset, followerLogEndOffset);
  if (leaderAnswer.epoch === UNDEFINED) return { offset: capped, truncationCompleted: true };
  const own = follower.endOffsetFor(leaderAnswer.epoch, followerLogEndOffset);
  if (own.endOffset === UNDEFINED) return { offset: capped, truncationCompleted: true };
  if (own.epoch !== leaderAnswer.epoch) {
    return { offset: Math.min(own.endOffset, followerLogEndOffset), truncationCompleted: false, nextEpochToAsk: own.epoch };
  }
  return { offset: Math.min(own.endOffset, capped), truncationCompleted: true };
}

/**
 * OFFSET_OUT_OF_RANGE on a follower fetch (Kafka fetchOffsetAndTruncate), given the leader's log
 * end offset (ListOffsets latest) and log start offset (earliest):
 * - the leader's log ends below the follower's (unclean election): truncate to the leader's end;
 * - the follower's log ends below the leader's start (it was away while the leader deleted
 *   segments): truncate fully and start at the leader's start;
 * - otherwise keep the log and fetch again from its end: truncateTo the follower's own log end
 *   offset, which truncates nothing.
 */
export function outOfRangeAction(
  followerLogEndOffset: number,
  leaderLogStartOffset: number,
  leaderLogEndOffset: number,
): { kind: 'truncateTo'; offset: number } | { kind: 'truncateFullyAndStartAt'; offset: number } {
  if (leaderLogEndOffset < followerLogEndOffset) return { kind: 'truncateTo', offset: leaderLogEndOffset };
  if (leaderLogStartOffset > followerLogEndOffset) return { kind: 'truncateFullyAndStartAt', offset: leaderLogStartOffset };
  return { kind: 'truncateTo', offset: followerLogEndOffset };
}
