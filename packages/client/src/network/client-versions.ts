// The API versions this client knows how to fill and read, per API key. The codec covers every
// version; the client's request builders and response handlers are written for these ranges
// (e.g. Fetch stops at 12 because v13+ names topics by id only). Negotiation picks, per broker,
// the highest version in both this range and the broker's.
import { ApiKey } from '@tributary/protocol';
import type { VersionRange } from '../cluster/api-versions.ts';

const r = (minVersion: number, maxVersion: number): VersionRange => ({ minVersion, maxVersion });

export const CLIENT_API_VERSIONS: Readonly<Record<number, VersionRange>> = {
  [ApiKey.Produce]: r(3, 11),
  [ApiKey.Fetch]: r(4, 12),
  [ApiKey.ListOffsets]: r(1, 8),
  [ApiKey.Metadata]: r(1, 12),
  [ApiKey.OffsetCommit]: r(2, 8),
  [ApiKey.OffsetFetch]: r(1, 7),
  [ApiKey.FindCoordinator]: r(0, 3),
  [ApiKey.JoinGroup]: r(0, 9),
  [ApiKey.Heartbeat]: r(0, 4),
  [ApiKey.LeaveGroup]: r(0, 5),
  [ApiKey.SyncGroup]: r(0, 5),
  [ApiKey.DescribeGroups]: r(0, 5),
  [ApiKey.ListGroups]: r(0, 4),
  [ApiKey.SaslHandshake]: r(0, 1),
  [ApiKey.ApiVersions]: r(0, 4),
  [ApiKey.CreateTopics]: r(2, 7),
  [ApiKey.DeleteTopics]: r(1, 6),
  [ApiKey.DeleteRecords]: r(0, 2),
  [ApiKey.InitProducerId]: r(0, 4),
  [ApiKey.DescribeConfigs]: r(1, 4),
  [ApiKey.AlterConfigs]: r(0, 2),
  [ApiKey.SaslAuthenticate]: r(0, 2),
  [ApiKey.AlterReplicaLogDirs]: r(0, 2),
  [ApiKey.DescribeLogDirs]: r(0, 4),
  [ApiKey.CreatePartitions]: r(0, 3),
  [ApiKey.DeleteGroups]: r(0, 2),
  [ApiKey.ElectLeaders]: r(0, 2),
  [ApiKey.IncrementalAlterConfigs]: r(0, 1),
  [ApiKey.AlterPartitionReassignments]: r(0, 0),
  [ApiKey.ListPartitionReassignments]: r(0, 0),
  [ApiKey.DescribeClientQuotas]: r(0, 1),
  [ApiKey.AlterClientQuotas]: r(0, 1),
  [ApiKey.DescribeUserScramCredentials]: r(0, 0),
  [ApiKey.AlterUserScramCredentials]: r(0, 0),
  [ApiKey.DescribeQuorum]: r(0, 2),
  [ApiKey.DescribeCluster]: r(0, 1),
  [ApiKey.UnregisterBroker]: r(0, 0),
  // v1+: UpgradeType (v0's AllowDowngrade cannot say safe or unsafe); v2 drops per-feature results
  [ApiKey.UpdateFeatures]: r(1, 1),
  // transactions: v3 at most for AddPartitionsToTxn (v4+ is broker to broker); no KIP-890 versions yet
  [ApiKey.AddPartitionsToTxn]: r(0, 3),
  [ApiKey.AddOffsetsToTxn]: r(0, 3),
  [ApiKey.EndTxn]: r(0, 3),
  [ApiKey.TxnOffsetCommit]: r(0, 3),
  [ApiKey.DescribeTransactions]: r(0, 0),
  [ApiKey.ListTransactions]: r(0, 1),
  [ApiKey.DescribeProducers]: r(0, 0),
  // ACLs: v1+ carry the pattern type (PREFIXED)
  [ApiKey.DescribeAcls]: r(1, 3),
  [ApiKey.CreateAcls]: r(1, 3),
  [ApiKey.DeleteAcls]: r(1, 3),
};

export function clientRange(apiKey: number): VersionRange {
  const range = CLIENT_API_VERSIONS[apiKey];
  if (!range) throw new Error(`the client does not implement API ${apiKey}`);
  return range;
}
