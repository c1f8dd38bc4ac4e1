// SCRAM credential changes (Kafka's ScramControlManager.alterCredentials): AlterUserScramCredentials
// deletions and upsertions become RemoveUserScramCredentialRecord / UserScramCredentialRecord. The
// request carries salted passwords (the client salts and hashes, as kafka-configs does); the
// controller derives StoredKey = H(HMAC(salted, "Client Key")) and ServerKey = HMAC(salted,
// "Server Key") and stores those with the salt and iterations. Checks and messages are Kafka's:
// the same user and mechanism twice in one request is DUPLICATE_RESOURCE (for the user), an unknown mechanism
// UNSUPPORTED_SASL_MECHANISM, iterations outside 4096..16384 UNACCEPTABLE_CREDENTIAL, deleting a
// credential that does not exist RESOURCE_NOT_FOUND. One result per user, in request order; a
// user's changes are all applied or none.
import { createHash, createHmac } from 'node:crypto';
import { ErrorCode, type AlterUserScramCredentialsRequest } from '@tributary/protocol';
import type { MetadataImage } from '../image/metadata-image.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { apiError, NONE, type ApiError, type ControllerResult } from './results.ts';

/** Kafka's ScramMechanism types and their hashes. */
const MECHANISMS: ReadonlyMap<number, 'sha256' | 'sha512'> = new Map([
  [1, 'sha256'],
  [2, 'sha512'],
]);
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export interface AlterScramResult extends ApiError {
  user: string;
}

export function alterUserScramCredentials(
  image: MetadataImage,
  request: AlterUserScramCredentialsRequest,
): ControllerResult<AlterScramResult[]> {
  const order: string[] = [];
  const errors = new Map<string, ApiError>();
  const seen = new Set<string>();
  const changes = new Map<string, Array<() => ApiError | MetadataRecord>>();
  const add = (user: string, mechanism: number, change: () => ApiError | MetadataRecord) => {
    if (!order.includes(user)) order.push(user);
    if (errors.has(user)) return;
    const key = `${mechanism}:${user}`;
    if (seen.has(key)) {
      errors.set(user, apiError(ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'));
      return;
    }
    seen.add(key);
    changes.set(user, [...(changes.get(user) ?? []), change]);
  };
  for (const d of request.deletions)
    add(d.name, d.mechanism, () => {
      if (d.name === '') return apiError(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      if (!MECHANISMS.has(d.mechanism)) return apiError(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism.');
      if (!image.scram.credential(d.name, d.mechanism))
        return apiError(ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
      return { type: 'RemoveUserScramCredentialRecord', data: { name: d.name, mechanism: d.mechanism } };
    });
  for (const u of request.upsertions)
    add(u.name, u.mechanism, () => {
      if (u.name === '') return apiError(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      const hash = MECHANISMS.get(u.mechanism);
      if (!hash) return apiError(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism.');
      if (u.iterations < SCRAM_MIN_ITERATIONS) return apiError(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      if (u.iterations > SCRAM_MAX_ITERATIONS) return apiError(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
      if (u.salt.length === 0 || u.saltedPassword.length === 0)
        return apiError(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
      const clientKey = createHmac(hash, u.saltedPassword).update('Client Key').digest();
      return {
        type: 'UserScramCredentialRecord',
        data: {
          name: u.name,
          mechanism: u.mechanism,
          salt: u.salt,
          storedKey: createHash(hash).update(clientKey).digest(),
          serverKey: createHmac(hash, u.saltedPassword).update('Server Key').digest(),
          iterations: u.iterations,
        },
      };
    });
  const records: MetadataRecord[] = [];
  const response: AlterScramResult[] = [];
  for (const user of order) {
    let error = errors.get(user) ?? NONE;
    const mine: MetadataRecord[] = [];
    if (error === NONE) {
      for (const change of changes.get(user) ?? []) {
        const r = change();
        if ('type' in r) mine.push(r);
        else if (error === NONE) error = r;
      }
    }
    if (error === NONE) records.push(...mine);
    response.push({ user, errorCode: error.errorCode, errorMessage: error.errorMessage });
  }
  return { records, response };
}
