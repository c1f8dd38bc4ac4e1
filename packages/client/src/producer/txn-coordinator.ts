// The transactional producer's requests to coordinators, as Java's TxnRequestHandler runs them:
// the coordinator is found with FindCoordinator (key type 1, the transactional id, for the
// transaction coordinator; key type 0, the group id, for TxnOffsetCommit), kept until a request
// says it moved, and each step's answer is judged into a Verdict: done, retry (after a backoff,
// finding the coordinator again first when it moved or the connection was lost), or an abortable
// or fatal error for the transaction manager to act on. A lost connection or request timeout is
// retried with a new lookup; running past the deadline (max.block.ms) gives up with a retriable
// REQUEST_TIMED_OUT that leaves the transaction's state as it was (the call can be made again).
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster.ts';
import type { BrokerConnection } from '../network/connection.ts';
import { KafkaClientError } from '../network/errors.ts';

export type Verdict<T> =
  | { ok: T }
  /** Ask again after `backoffMs`; `find`: look the coordinator up again first; `reason`: for the timeout's message. */
  | { retry: true; find?: boolean; backoffMs?: number; reason?: string }
  /** The transaction must be aborted; `bump`: an epoch bump is needed (fatal when the coordinator cannot bump). */
  | { abortable: KafkaClientError; bump?: boolean }
  | { fatal: KafkaClientError };

/** A verdict thrown from inside a step (a coordinator lookup that failed). */
export class VerdictError extends Error {
  constructor(readonly verdict: Verdict<never>) {
    super('verdict');
  }
}

/** A KafkaClientError for a Kafka error code, named as Kafka names it. */
export function codeError(code: number, what: string, message?: string | null): KafkaClientError {
  const info = errorInfo(code);
  return new KafkaClientError(`${what}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, { code });
}

/** PRODUCER_FENCED as Java reports both it and INVALID_PRODUCER_EPOCH from a coordinator. */
export function fencedError(what: string): KafkaClientError {
  return new KafkaClientError(
    `${what}: PRODUCER_FENCED (there is a newer producer with the same transactional id)`,
    'PRODUCER_FENCED',
    false,
    { code: ErrorCode.PRODUCER_FENCED },
  );
}

/** Finds and remembers one coordinator (Java's lookupCoordinator and FindCoordinatorHandler). */
export class CoordinatorFinder {
  private connection: BrokerConnection | null = null;

  constructor(
    private readonly cluster: Cluster,
    readonly keyType: 0 | 1,
    readonly key: string,
  ) {}

  /** Forgets the coordinator (it moved, or the connection was lost). */
  reset(): void {
    this.connection = null;
  }

  async get(): Promise<BrokerConnection> {
    if (this.connection && !this.connection.isClosed) return this.connection;
    const any = await this.cluster.anyConnection();
    if (this.keyType === 1 && any.versionFor(ApiKey.FindCoordinator) < 1) {
      throw new VerdictError({
        fatal: new KafkaClientError(
          `broker ${any.broker} cannot find transaction coordinators (FindCoordinator v1+)`,
          'UNSUPPORTED_VERSION',
          false,
        ),
      });
    }
    const r = await any.request(ApiKey.FindCoordinator, { key: this.key, keyType: this.keyType, coordinatorKeys: [] });
    const what = `FindCoordinator for ${this.keyType === 1 ? 'transactional id' : 'group'} ${this.key}`;
    if (r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE)
      throw new VerdictError({ retry: true, reason: `${what}: COORDINATOR_NOT_AVAILABLE` });
    if (r.errorCode === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) throw new VerdictError({ fatal: codeError(r.errorCode, what) });
    if (r.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED) throw new VerdictError({ abortable: codeError(r.errorCode, what) });
    if (r.errorCode !== ErrorCode.NONE) throw new VerdictError({ fatal: codeError(r.errorCode, what, r.errorMessage) });
    this.connection = await this.cluster.connectionToAddress(r.host, r.port, r.nodeId);
    return this.connection;
  }
}

export interface StepOptions {
  what: string;
  deadline: number;
  retryBackoffMs: number;
  clock: () => number;
  /** Called with an abortable or fatal verdict before the step's promise rejects with its error. */
  onError(verdict: { abortable: KafkaClientError; bump?: boolean } | { fatal: KafkaClientError }): KafkaClientError;
}

/** Runs `step` against the coordinator until it is done, retrying as its verdicts say. */
export async function runStep<T>(
  finder: CoordinatorFinder,
  options: StepOptions,
  step: (c: BrokerConnection) => Promise<Verdict<T>>,
): Promise<T> {
  let last = '';
  for (;;) {
    let v: Verdict<T>;
    try {
      v = await step(await finder.get());
    } catch (err) {
      if (err instanceof VerdictError) v = err.verdict;
      else if (err instanceof KafkaClientError && err.retriable)
        v = { retry: true, find: true }; // a lost connection, a timeout
      else if (err instanceof KafkaClientError) v = { fatal: err };
      else
        v = {
          fatal: new KafkaClientError(`${options.what}: ${(err as Error).message}`, 'UNKNOWN_SERVER_ERROR', false, {}, { cause: err }),
        };
    }
    if ('ok' in v) return v.ok;
    if ('fatal' in v || 'abortable' in v) throw options.onError(v);
    if (v.find) finder.reset();
    if (v.reason) last = v.reason;
    const backoff = v.backoffMs ?? options.retryBackoffMs;
    if (options.clock() + backoff >= options.deadline) {
      const why = last ? ` (last error: ${last})` : '';
      throw new KafkaClientError(`${options.what}: timed out (max.block.ms) waiting for the coordinator${why}`, 'REQUEST_TIMED_OUT', true);
    }
    await sleep(backoff);
  }
}
