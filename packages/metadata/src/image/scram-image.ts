// ScramImage: the SCRAM credentials of the cluster (Kafka's org.apache.kafka.image.ScramImage),
// replayed from UserScramCredentialRecord (sets a user's credential for one mechanism) and
// RemoveUserScramCredentialRecord (removes it). Credentials are stored salted as Kafka stores
// them: salt, StoredKey, ServerKey and iterations, never a password. Mechanisms are Kafka's
// ScramMechanism types: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
import type { RemoveUserScramCredentialRecord, UserScramCredentialRecord } from '@tributary/protocol';

export interface ScramCredentialData {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export class ScramImage {
  static readonly EMPTY = new ScramImage(new Map());

  /** mechanism type -> user -> credential. */
  constructor(readonly mechanisms: ReadonlyMap<number, ReadonlyMap<string, ScramCredentialData>>) {}

  get isEmpty(): boolean {
    return this.mechanisms.size === 0;
  }

  credential(user: string, mechanism: number): ScramCredentialData | undefined {
    return this.mechanisms.get(mechanism)?.get(user);
  }

  /** Every user with at least one credential, and their mechanisms (type -> iterations). */
  users(): Map<string, Map<number, number>> {
    const out = new Map<string, Map<number, number>>();
    for (const [m, users] of [...this.mechanisms].sort(([a], [b]) => a - b))
      for (const [u, c] of users) {
        let e = out.get(u);
        if (!e) out.set(u, (e = new Map()));
        e.set(m, c.iterations);
      }
    return out;
  }
}

export class ScramDelta {
  /** `${mechanism}:${user}` -> the new credential, or null when removed. */
  private readonly changes = new Map<string, { mechanism: number; user: string; data: ScramCredentialData | null }>();

  constructor(readonly image: ScramImage) {}

  replay(r: UserScramCredentialRecord): void {
    this.changes.set(`${r.mechanism}:${r.name}`, {
      mechanism: r.mechanism,
      user: r.name,
      data: { salt: r.salt, storedKey: r.storedKey, serverKey: r.serverKey, iterations: r.iterations },
    });
  }

  replayRemove(r: RemoveUserScramCredentialRecord): void {
    this.changes.set(`${r.mechanism}:${r.name}`, { mechanism: r.mechanism, user: r.name, data: null });
  }

  apply(): ScramImage {
    if (this.changes.size === 0) return this.image;
    const mechanisms = new Map<number, Map<string, ScramCredentialData>>();
    for (const [m, users] of this.image.mechanisms) mechanisms.set(m, new Map(users));
    for (const { mechanism, user, data } of this.changes.values()) {
      let users = mechanisms.get(mechanism);
      if (data === null) {
        users?.delete(user);
        if (users?.size === 0) mechanisms.delete(mechanism);
        continue;
      }
      if (!users) mechanisms.set(mechanism, (users = new Map()));
      users.set(user, data);
    }
    return new ScramImage(mechanisms);
  }
}
