// IsrChangeStats: how the ISR changes this broker's leaders proposed ended, counted as they happen
// (Kafka's ReplicaManager isrExpandRate, isrShrinkRate, failedIsrUpdatesRate); a shrink or
// expansion counts when the controller accepts it, a refused or unsent one as failed. Scraped by
// replica-manager-metrics.ts. Its own file so the ReplicaManager, which owns it, does not import
// the metrics that read the ReplicaManager.
import type { AlterPartitionListener } from '../replica/partition.ts';

/** Counts how proposed ISR changes ended (the ReplicaManager's isrExpandRate, isrShrinkRate, failedIsrUpdatesRate). */
export class IsrChangeStats implements AlterPartitionListener {
  expands = 0;
  shrinks = 0;
  failed = 0;
  markIsrExpand(): void {
    this.expands++;
  }
  markIsrShrink(): void {
    this.shrinks++;
  }
  markFailed(): void {
    this.failed++;
  }
}
