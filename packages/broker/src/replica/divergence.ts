// Log divergence between a leader and a follower (KIP-101/279/320, truncation on fetch): provisional
// minimal version, replaced by the full rules with their unit tests.
import type { LeaderEpochCache } from '@tributary/storage';

export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export type EpochSource = Pick<LeaderEpochCache, 'endOffsetFor' | 'latestEpoch'>;

export function divergingEpoch(
  leader: EpochSource,
  leaderLogEndOffset: number,
  fetchOffset: number,
  lastFetchedEpoch: number,
): EpochEndOffset | null {
  if (lastFetchedEpoch < 0) return null;
  const e = leader.endOffsetFor(lastFetchedEpoch, leaderLogEndOffset);
  return e.epoch < lastFetchedEpoch || e.endOffset < fetchOffset ? e : null;
}

export function truncationState(
  follower: EpochSource,
  followerLogEndOffset: number,
  leaderAnswer: EpochEndOffset,
): { offset: number; truncationCompleted: boolean; nextEpochToAsk?: number } {
  if (leaderAnswer.epoch < 0 || leaderAnswer.endOffset < 0) return { offset: followerLogEndOffset, truncationCompleted: true };
  const own = follower.endOffsetFor(leaderAnswer.epoch, followerLogEndOffset);
  if (own.epoch !== leaderAnswer.epoch)
    return {
      offset: Math.min(Math.max(own.endOffset, 0), leaderAnswer.endOffset, followerLogEndOffset),
      truncationCompleted: true,
    };
  return { offset: Math.min(own.endOffset, leaderAnswer.endOffset, followerLogEndOffset), truncationCompleted: true };
}

export function outOfRangeAction(
  followerLogEndOffset: number,
  leaderLogStartOffset: number,
  leaderLogEndOffset: number,
): { kind: 'truncateTo'; offset: number } | { kind: 'truncateFullyAndStartAt'; offset: number } {
  if (leaderLogEndOffset < followerLogEndOffset) return { kind: 'truncateTo', offset: leaderLogEndOffset };
  if (followerLogEndOffset < leaderLogStartOffset) return { kind: 'truncateFullyAndStartAt', offset: leaderLogStartOffset };
  return { kind: 'truncateTo', offset: followerLogEndOffset };
}
