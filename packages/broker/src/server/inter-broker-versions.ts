// The API versions a broker uses when it is the client: to other brokers (replica Fetch,
// ListOffsets for a follower's reset, transaction markers and verification) and to its controller (what controller/controller-apis.ts
// serves), which is also what a controller sends to the other voters of the metadata quorum
// (controller/raft/network-raft-channel.ts). Negotiation picks the highest version in both this
// range and the other side's.
import type { VersionRange } from '@tributary/client';
import { ApiKey } from '@tributary/protocol';

const range = (minVersion: number, maxVersion: number): VersionRange => ({ minVersion, maxVersion });

/** To another broker: Fetch v12 (topic names, LastFetchedEpoch, DivergingEpoch; ReplicaId as a field). */
export const INTER_BROKER_API_VERSIONS: Readonly<Record<number, VersionRange>> = {
  [ApiKey.ApiVersions]: range(0, 3),
  [ApiKey.Fetch]: range(12, 12),
  [ApiKey.ListOffsets]: range(4, 8),
  [ApiKey.OffsetForLeaderEpoch]: range(3, 4),
  // the transaction coordinator's markers to partition leaders
  [ApiKey.WriteTxnMarkers]: range(1, 1),
  // a partition leader's transaction verification with the coordinator (KIP-890, VerifyOnly)
  [ApiKey.AddPartitionsToTxn]: range(4, 5),
  // the broker's login on a SASL inter-broker listener (sasl/broker-login.ts)
  [ApiKey.SaslHandshake]: range(1, 1),
  [ApiKey.SaslAuthenticate]: range(0, 2),
};

/**
 * To the controller: Fetch of `__cluster_metadata` v15+ (ReplicaState), registration, heartbeats,
 * forwarded writes; between controllers, the quorum's Vote (v2: KIP-996 PreVote, from our spec
 * overlay), BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot and DescribeQuorum.
 */
export const CONTROLLER_API_VERSIONS: Readonly<Record<number, VersionRange>> = {
  [ApiKey.Fetch]: range(15, 17),
  [ApiKey.ApiVersions]: range(0, 4),
  [ApiKey.CreateTopics]: range(7, 7),
  [ApiKey.DeleteTopics]: range(6, 6),
  [ApiKey.AlterConfigs]: range(0, 2),
  [ApiKey.CreatePartitions]: range(0, 3),
  [ApiKey.IncrementalAlterConfigs]: range(0, 1),
  [ApiKey.CreateAcls]: range(3, 3),
  [ApiKey.DeleteAcls]: range(3, 3),
  [ApiKey.AlterClientQuotas]: range(0, 1),
  [ApiKey.AlterUserScramCredentials]: range(0, 0),
  [ApiKey.UpdateFeatures]: range(1, 1),
  [ApiKey.AlterPartitionReassignments]: range(0, 0),
  [ApiKey.ListPartitionReassignments]: range(0, 0),
  [ApiKey.Vote]: range(0, 2),
  [ApiKey.BeginQuorumEpoch]: range(0, 1),
  [ApiKey.EndQuorumEpoch]: range(0, 1),
  [ApiKey.FetchSnapshot]: range(0, 1),
  [ApiKey.DescribeQuorum]: range(0, 2),
  [ApiKey.AlterPartition]: range(0, 3),
  [ApiKey.BrokerRegistration]: range(0, 4),
  [ApiKey.BrokerHeartbeat]: range(0, 1),
  [ApiKey.AllocateProducerIds]: range(0, 0),
  [ApiKey.ElectLeaders]: range(1, 2),
  [ApiKey.UnregisterBroker]: range(0, 0),
  [ApiKey.AssignReplicasToDirs]: range(0, 0),
  // the login on a SASL controller listener (sasl/broker-login.ts)
  [ApiKey.SaslHandshake]: range(1, 1),
  [ApiKey.SaslAuthenticate]: range(0, 2),
};

/** A BrokerConnection `apiRange` over one of the tables above; an API not in it throws. */
function rangeOf(table: Readonly<Record<number, VersionRange>>, peer: string): (apiKey: number) => VersionRange {
  return (apiKey) => {
    const r = table[apiKey];
    if (!r) throw new Error(`API key ${apiKey} is not sent to ${peer}`);
    return r;
  };
}

export const interBrokerApiRange = rangeOf(INTER_BROKER_API_VERSIONS, 'other brokers');
export const controllerApiRange = rangeOf(CONTROLLER_API_VERSIONS, 'the controller');
