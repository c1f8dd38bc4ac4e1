// KIP-890 part 1: the verification state of a partition's transactional producers (Kafka's
// VerificationStateEntry and VerificationGuard). Before the first batch of a transaction is
// appended to a partition, the leader asks the producer's transaction coordinator whether the
// partition was added to the transaction (AddPartitionsToTxn v4, verifyOnly). A unique guard is
// created when that question is asked; the append is accepted only with the same guard, so a
// verification answered for a transaction that was aborted meanwhile (its marker written, the
// entry cleared, a new transaction begun: the ABA case) can never let a batch in. The entry is
// cleared as soon as a transactional batch or marker of the producer is appended: from then on
// the producer's open transaction (currentTxnFirstOffset) vouches for it.

/** A unique token of one verification (compared by identity). */
export class VerificationGuard {
  private static next = 0;
  /** For log lines only. */
  readonly id = ++VerificationGuard.next;
}

/** What an append carries when transaction verification is on: the guard its verification got, or null. */
export interface TransactionVerificationCheck {
  guard: VerificationGuard | null;
}

interface VerificationStateEntry {
  guard: VerificationGuard;
  timestampMs: number;
  epoch: number;
  lowestSequence: number;
}

export class TransactionVerifications {
  private readonly entries = new Map<bigint, VerificationStateEntry>();

  /** The producer's guard, created when none exists (a retried produce reuses it), its lowest sequence and epoch updated. */
  start(producerId: bigint, sequence: number, epoch: number, nowMs: number): VerificationGuard {
    let e = this.entries.get(producerId);
    if (!e) {
      e = { guard: new VerificationGuard(), timestampMs: nowMs, epoch, lowestSequence: sequence };
      this.entries.set(producerId, e);
    } else if (epoch > e.epoch) {
      e.epoch = epoch;
      e.lowestSequence = sequence;
    } else if (epoch === e.epoch && sequence < e.lowestSequence) {
      e.lowestSequence = sequence;
    }
    return e.guard;
  }

  /** Whether `guard` is the producer's current verification guard. */
  verifies(producerId: bigint, guard: VerificationGuard | null): boolean {
    return guard !== null && this.entries.get(producerId)?.guard === guard;
  }

  clear(producerId: bigint): void {
    this.entries.delete(producerId);
  }

  /** Drops entries older than `olderThanMs` (verifications never followed by an append). */
  expire(olderThanMs: number): void {
    for (const [pid, e] of this.entries) if (e.timestampMs < olderThanMs) this.entries.delete(pid);
  }

  get size(): number {
    return this.entries.size;
  }
}
