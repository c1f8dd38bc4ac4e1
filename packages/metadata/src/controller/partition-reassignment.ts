// The replica lists of a partition reassignment (Kafka's PartitionReassignmentReplicas and
// PartitionReassignmentRevert): pure list arithmetic, no image.
//
// Starting a reassignment from `current` to `target`:
//   removing = current - target (ascending), adding = target - current (ascending),
//   replicas = target, then removing appended (so the preferred leader is target[0]).
// In progress while removing or adding is non-empty.
// Completing (maybeCompleteReassignment, against the ISR a change would leave): without the
// removing replicas, the ISR must still hold every remaining replica (and neither may be empty);
// then replicas and ISR drop the removing replicas and adding/removing are cleared. With nothing
// to remove, the ISR must hold every replica.
// Reverting (a cancellation): replicas without the adding ones (the original set, in its order),
// the ISR without the adding ones; an ISR left empty takes the first original replica, which is
// an unclean election (the caller refuses it unless unclean.leader.election.enable).
import type { PartitionRegistration } from '../image/partition-registration.ts';

export interface ReassignmentReplicas {
  readonly removing: readonly number[];
  readonly adding: readonly number[];
  readonly replicas: readonly number[];
}

const ascending = (a: number, b: number) => a - b;

/** `a` without the members of `b`, ascending and without duplicates (Kafka's TreeSet difference). */
function difference(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set(a)].filter((x) => !b.includes(x)).sort(ascending);
}

/** The replica lists of a reassignment from `current` to `target` (see the header). */
export function reassignmentReplicas(current: readonly number[], target: readonly number[]): ReassignmentReplicas {
  const removing = difference(current, target);
  return { removing, adding: difference(target, current), replicas: [...target, ...removing] };
}

/** Whether the partition has adding or removing replicas. */
export function isReassignmentInProgress(p: Pick<PartitionRegistration, 'addingReplicas' | 'removingReplicas'>): boolean {
  return p.removingReplicas.length > 0 || p.addingReplicas.length > 0;
}

export interface CompletedReassignment {
  replicas: number[];
  isr: number[];
}

/** The replicas and ISR once the reassignment is done, or null when `targetIsr` does not allow it yet (see the header). */
export function maybeCompleteReassignment(r: ReassignmentReplicas, targetIsr: readonly number[]): CompletedReassignment | null {
  if (r.removing.length === 0 && r.adding.length === 0) return null;
  let isr = [...targetIsr];
  let replicas = [...r.replicas];
  if (r.removing.length > 0) {
    isr = targetIsr.filter((id) => !r.removing.includes(id));
    if (isr.length === 0) return null;
    replicas = r.replicas.filter((id) => !r.removing.includes(id));
    if (replicas.length === 0) return null;
  }
  if (!replicas.every((id) => isr.includes(id))) return null;
  return { replicas, isr };
}

/** The replica set before the reassignment: the replicas without the adding ones. */
export function originalReplicas(r: ReassignmentReplicas): number[] {
  return r.replicas.filter((id) => !r.adding.includes(id));
}

export interface ReassignmentRevert {
  replicas: number[];
  isr: number[];
  /** The ISR had only adding replicas: reverting needs an unclean election. */
  unclean: boolean;
}

/** What cancelling the partition's reassignment leaves (see the header); null when adding holds every replica. */
export function reassignmentRevert(p: PartitionRegistration): ReassignmentRevert | null {
  const ongoing = { removing: p.removingReplicas, adding: p.addingReplicas, replicas: p.replicas };
  const replicas = originalReplicas(ongoing);
  const isr = p.isr.filter((id) => !p.addingReplicas.includes(id));
  if (isr.length > 0) return { replicas, isr, unclean: false };
  if (replicas.length === 0) return null;
  return { replicas, isr: [replicas[0]!], unclean: true };
}
