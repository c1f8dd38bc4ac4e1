// ControllerBackend: what the controller server (controller-server.ts) serves over the network: the
// ControllerChannel operations, plus what only the controller's own listener offers — broker
// heartbeats, the committed `__cluster_metadata-0` log for observers (Fetch, long-polling until
// new records are appended; each fetch reported by updateReplicaState) and the quorum's state
// (describeQuorum, for DescribeQuorum). The LocalController (one voter) implements it; a Raft
// quorum plugs in by providing the same: describeQuorum() answers as this voter knows the quorum
// (leaderId the leader it knows, -1 none; voters and observers as the leader tracks them), and the
// DescribeQuorum handler answers NOT_LEADER_OR_FOLLOWER when leaderId is not this node.
import type { LocalController } from '@tributary/metadata';
import type { ControllerChannel } from '../metadata/controller-channel.ts';

export type ControllerBackend = ControllerChannel &
  Pick<
    LocalController,
    'brokerHeartbeat' | 'readLog' | 'waitForAppend' | 'nextOffset' | 'leaderEpoch' | 'updateReplicaState' | 'describeQuorum'
  >;

/** Kafka's Uuid.METADATA_TOPIC_ID (0, 1): the topic id of `__cluster_metadata` in Fetch v13+. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
