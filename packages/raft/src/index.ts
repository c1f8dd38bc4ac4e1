// @tributary/raft: Kafka's Raft (KIP-595 with KIP-996 pre-vote) for the `__cluster_metadata` quorum:
// the election and replication core (raft-client.ts), the log and election-state seams it runs
// over, their disk implementations, and snapshot files (KIP-630). Nothing here knows what the
// records mean.
export * from './raft-messages.ts';
export * from './raft-log.ts';
export * from './quorum-state-store.ts';
export * from './quorum-config.ts';
export * from './leader-state.ts';
export * from './raft-client.ts';
export * from './fetch-validation.ts';
export * from './memory-raft-log.ts';
export * from './leader-change.ts';
export * from './disk-raft-log.ts';
export * from './quorum-state-file.ts';
export * from './snapshot-id.ts';
export * from './snapshot-control.ts';
export * from './snapshot-format.ts';
export * from './snapshot-writer.ts';
export * from './snapshot-file.ts';
