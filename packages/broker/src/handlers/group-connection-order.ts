// The group membership requests of one connection (JoinGroup, SyncGroup, Heartbeat, LeaveGroup)
// are handled one after another, each once the previous one has answered.
//
// Why: Kafka handles one request per connection at a time (the channel stays muted until the
// response is sent), whereas Tributary's Connection handles pipelined requests concurrently and
// only orders the responses. For most APIs the two look alike, but a JoinGroup or SyncGroup parks
// in the coordinator until the rebalance moves on: in Kafka a LeaveGroup the consumer sends on
// the same connection meanwhile (closing during its first join) is handled after the JoinGroup
// answered, so the rebalance completes with the member, and the leave then empties the group at
// once (a DeleteGroups right after succeeds). Handled concurrently, the leave would land during
// the initial rebalance delay and leave the group in PreparingRebalance (NON_EMPTY_GROUP) until
// the delay expires (issue 20).
//
// A request with nothing of its connection ahead of it starts synchronously, so its coordinator
// write is queued in arrival order as before. Ordering is per connection only, as in Kafka.
import type { ConnectionInfo } from '../server/connection.ts';

const tails = new WeakMap<ConnectionInfo, Promise<void>>();
const settled = () => undefined;

/** Runs `handle` after the group membership requests of `connection` received before it answered. */
export function inGroupRequestOrder<T>(connection: ConnectionInfo, handle: () => Promise<T>): Promise<T> {
  const previous = tails.get(connection);
  const result = previous === undefined ? handle() : previous.then(handle);
  const tail = result.then(settled, settled);
  tails.set(connection, tail);
  void tail.then(() => {
    if (tails.get(connection) === tail) tails.delete(connection);
  });
  return result;
}
