// SCRAM credential administration (Kafka's Admin.alterUserScramCredentials and
// describeUserScramCredentials; kafka-configs --entity-type users). Upsertions are salted and
// hashed here, as Kafka's AdminClient does: a random 32-byte salt, Hi(password, salt, iterations),
// and only the salted password goes on the wire. Requests go to any broker (it forwards to the
// controller). A per-user error is thrown as a KafkaClientError naming the user and carrying the
// broker's message; the password never appears in an error.
import { randomBytes } from 'node:crypto';
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';
import { scramMechanismName, scramMechanismType, scramSaltedPassword, type ScramMechanismName } from '../network/scram-client.ts';

/** kafka-configs' default iterations. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export type UserScramCredentialAlteration =
  | { type: 'upsert'; user: string; mechanism: ScramMechanismName; password: string; iterations?: number }
  | { type: 'delete'; user: string; mechanism: ScramMechanismName };

export interface UserScramCredentialsDescription {
  user: string;
  credentials: Array<{ mechanism: ScramMechanismName; iterations: number }>;
}

function mechanismType(name: string): number {
  const t = scramMechanismType(name);
  if (t === undefined)
    throw new KafkaClientError(`unknown SCRAM mechanism ${name} (SCRAM-SHA-256, SCRAM-SHA-512)`, 'INVALID_CONFIG', false);
  return t;
}

function check(code: number, user: string, what: string, message: string | null): void {
  if (code === ErrorCode.NONE) return;
  const info = errorInfo(code);
  throw new KafkaClientError(`${what} of user ${user}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, { code });
}

export async function alterUserScramCredentials(cluster: Cluster, alterations: UserScramCredentialAlteration[]): Promise<void> {
  const deletions = [];
  const upsertions = [];
  for (const a of alterations) {
    const mechanism = mechanismType(a.mechanism);
    if (a.type === 'delete') {
      deletions.push({ name: a.user, mechanism });
      continue;
    }
    const iterations = a.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    const salt = randomBytes(32);
    // Iterations out of the broker's range are sent as they are: the broker answers UNACCEPTABLE_CREDENTIAL.
    const saltedPassword = iterations > 0 ? await scramSaltedPassword(a.mechanism, a.password, salt, iterations) : Buffer.alloc(0);
    upsertions.push({ name: a.user, mechanism, iterations, salt, saltedPassword });
  }
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.AlterUserScramCredentials, { deletions, upsertions });
  for (const x of r.results) check(x.errorCode, x.user, 'alter SCRAM credentials', x.errorMessage);
}

/** Every user with credentials when `users` is absent or empty. */
export async function describeUserScramCredentials(cluster: Cluster, users?: string[]): Promise<UserScramCredentialsDescription[]> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.DescribeUserScramCredentials, { users: users?.length ? users.map((name) => ({ name })) : null });
  if (r.errorCode !== ErrorCode.NONE) check(r.errorCode, users?.join(',') ?? '*', 'describe SCRAM credentials', r.errorMessage);
  return r.results.map((x) => {
    check(x.errorCode, x.user, 'describe SCRAM credentials', x.errorMessage);
    return {
      user: x.user,
      credentials: x.credentialInfos.map((i) => ({
        mechanism: scramMechanismName(i.mechanism) ?? (`UNKNOWN(${i.mechanism})` as ScramMechanismName),
        iterations: i.iterations,
      })),
    };
  });
}
