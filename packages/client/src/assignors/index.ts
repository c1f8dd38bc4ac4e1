// Consumer-group assignors (range, roundrobin, sticky, cooperative-sticky) and the embedded
// consumer protocol they travel in.
export * from './types.ts';
export * from './consumer-protocol.ts';
export { RangeAssignor, type RangeAssignorOptions } from './range.ts';
export { RoundRobinAssignor } from './round-robin.ts';
export { StickyAssignor, encodeStickyUserData, decodeStickyUserData, type StickyAssignorOptions } from './sticky.ts';
export { CooperativeStickyAssignor, type CooperativeStickyAssignorOptions } from './cooperative-sticky.ts';
export { stickyAssign, DEFAULT_GENERATION, type MemberData, type StickyResult } from './sticky-core.ts';
export { useRackAwareAssignment } from './rack-awareness.ts';
export { KafkaJSRoundRobinAssignor } from './kafkajs-round-robin.ts';
export * from './group-assignment.ts';
export { javaHashMapOrder, javaStringHashCode } from './java-hash-order.ts';

import type { Assignor } from './types.ts';
import { RangeAssignor } from './range.ts';
import { RoundRobinAssignor } from './round-robin.ts';
import { StickyAssignor } from './sticky.ts';
import { CooperativeStickyAssignor } from './cooperative-sticky.ts';
import { KafkaJSRoundRobinAssignor } from './kafkajs-round-robin.ts';

export type AssignorName = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky' | 'RoundRobinAssigner';

/** A fresh assignor by Kafka's name. */
export function createAssignor(name: AssignorName): Assignor {
  switch (name) {
    case 'range':
      return new RangeAssignor();
    case 'roundrobin':
      return new RoundRobinAssignor();
    case 'sticky':
      return new StickyAssignor();
    case 'cooperative-sticky':
      return new CooperativeStickyAssignor();
    case 'RoundRobinAssigner':
      return new KafkaJSRoundRobinAssignor();
  }
}
