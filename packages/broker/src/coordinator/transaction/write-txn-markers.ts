// PLACEHOLDER until helper A's version lands (A owns this file; the lead merges A's over this one).
// writeTxnMarkers: appends each marker of a WriteTxnMarkers request to the partitions led by
// `servingNode` (as coordinator, acks=all), and tells the group coordinator about committed or
// aborted offsets. The transaction coordinator calls it for partitions led by a local node.
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '@tributary/protocol';
import type { BrokerServices } from '../../services.ts';

export async function writeTxnMarkers(
  _services: BrokerServices,
  _request: WriteTxnMarkersRequest,
  _servingNode: number,
): Promise<WriteTxnMarkersResponse> {
  throw new Error('not implemented');
}
