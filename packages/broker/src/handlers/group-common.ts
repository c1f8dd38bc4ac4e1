// Helpers shared by the group API handlers (FindCoordinator, JoinGroup, ... OffsetDelete).
import type { ConnectionInfo } from '../network/connection.ts';

/** Kafka's form of a member's client host: InetAddress.toString() of the peer, e.g. "/127.0.0.1". */
export function clientHostOf(connection: ConnectionInfo): string {
  const addr = connection.remoteAddress.startsWith('::ffff:') ? connection.remoteAddress.slice(7) : connection.remoteAddress;
  return `/${addr}`;
}
