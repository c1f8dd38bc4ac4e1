// The states of a transactional id, as Kafka's TransactionState: the id written in the
// __transaction_state value (TransactionStatus, int8), the name DescribeTransactions and
// ListTransactions show, the states a transition may start from, and whether an id in that
// state may expire (transactional.id.expiration.ms).
//
//   Empty ──AddPartitions/AddOffsets──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers──▶ CompleteCommit
//                                          │ ──EndTxn(abort) / timeout──▶ PrepareAbort ──markers──▶ CompleteAbort
//                                          └──InitProducerId (fence)──▶ PrepareEpochFence (never written) ──▶ PrepareAbort
//   Empty / CompleteCommit / CompleteAbort ──InitProducerId──▶ Empty (epoch bump), ──AddPartitions──▶ Ongoing,
//                                           ──expiration──▶ Dead (a tombstone; never written as a value)
export const TransactionState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

const NAMES: readonly string[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
];

const S = TransactionState;
const VALID_PREVIOUS: Record<TransactionState, readonly TransactionState[]> = {
  [S.Empty]: [S.Empty, S.CompleteCommit, S.CompleteAbort],
  [S.Ongoing]: [S.Ongoing, S.Empty, S.CompleteCommit, S.CompleteAbort],
  [S.PrepareCommit]: [S.Ongoing],
  [S.PrepareAbort]: [S.Ongoing, S.PrepareEpochFence],
  [S.CompleteCommit]: [S.PrepareCommit],
  [S.CompleteAbort]: [S.PrepareAbort],
  [S.Dead]: [S.Empty, S.CompleteAbort, S.CompleteCommit],
  [S.PrepareEpochFence]: [S.Ongoing],
};

/** Kafka's name of a state (DescribeTransactions, ListTransactions). */
export function stateName(state: TransactionState): string {
  return NAMES[state]!;
}

/** The state of a name (ListTransactions' state filters), or undefined for an unknown name. */
export function stateFromName(name: string): TransactionState | undefined {
  const i = NAMES.indexOf(name);
  return i < 0 ? undefined : (i as TransactionState);
}

/** The state of a stored TransactionStatus, or undefined for an id Kafka does not define. */
export function stateFromId(id: number): TransactionState | undefined {
  return Number.isInteger(id) && id >= 0 && id < NAMES.length ? (id as TransactionState) : undefined;
}

export function isValidTransition(from: TransactionState, to: TransactionState): boolean {
  return VALID_PREVIOUS[to].includes(from);
}

/** Whether an id in this state may be removed after transactional.id.expiration.ms. */
export function isExpirationAllowed(state: TransactionState): boolean {
  return state === S.Empty || state === S.CompleteCommit || state === S.CompleteAbort;
}
