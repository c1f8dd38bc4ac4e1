// The controller listener's handlers of the `__cluster_metadata` quorum (KIP-595, KIP-996), over a
// RaftEndpoint: Fetch (replaces metadata-fetch.ts, the one-voter log, when the quorum runs Raft),
// Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot (DescribeQuorum is controller-apis.ts's, over the
// controller backend). Registered on the controller's
// registry by whoever runs the quorum (controller-apis.ts registers the one-voter set).
import type { AnyApiHandler } from '../../server/handler-registry.ts';
import { beginQuorumEpochHandler } from '../handlers/begin-quorum-epoch.ts';
import { endQuorumEpochHandler } from '../handlers/end-quorum-epoch.ts';
import { fetchSnapshotHandler } from '../handlers/fetch-snapshot.ts';
import { raftFetchHandler } from '../handlers/raft-fetch.ts';
import { voteHandler } from '../handlers/vote.ts';
import type { RaftEndpoint } from './raft-endpoint.ts';

export function raftHandlers(endpoint: RaftEndpoint): AnyApiHandler[] {
  return [
    raftFetchHandler(endpoint), // 1
    voteHandler(endpoint), // 52
    beginQuorumEpochHandler(endpoint), // 53
    endQuorumEpochHandler(endpoint), // 54
    fetchSnapshotHandler(endpoint), // 59
  ];
}
