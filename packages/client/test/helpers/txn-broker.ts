// A fake broker with a small transaction coordinator, for the transactional producer's tests:
// partitions that check sequences (sequence-broker.ts) plus FindCoordinator (both key types, this
// node), InitProducerId with a transactional id (a new id, or the next epoch of the id's current
// one, fencing older producers; with the current id and epoch, KIP-360, the next epoch),
// AddPartitionsToTxn v0-3, AddOffsetsToTxn, TxnOffsetCommit (offsets pending until the commit)
// and EndTxn (recorded as markers), each checking the producer id and epoch as Kafka's coordinator
// does (an older epoch: PRODUCER_FENCED from v2 on, INVALID_PRODUCER_EPOCH before; another id:
// INVALID_PRODUCER_ID_MAPPING). A transactional batch for a partition not in its transaction is
// refused (INVALID_TXN_STATE). Error answers can be queued per API (`fail`), requests held.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import {
  startSequenceBroker,
  type Fault,
  type ProduceAttempt,
  type SequenceBroker,
  type SequenceBrokerOptions,
} from './sequence-broker.ts';

interface TxnState {
  producerId: bigint;
  epoch: number;
  partitions: Set<string>;
  groups: Set<string>;
  pendingOffsets: Map<string, bigint>;
}

export interface Marker {
  transactionalId: string;
  producerId: bigint;
  epoch: number;
  commit: boolean;
  partitions: string[];
}

export interface TxnBroker extends SequenceBroker {
  /** Transactional requests and Produce, by API name, in arrival order. */
  calls(): string[];
  markers: Marker[];
  /** Offsets committed by a transaction, by "group/topic/partition". */
  committedOffsets: Map<string, bigint>;
  /** The next `times` requests of `apiKey` are answered with `code` (before any check). */
  fail(apiKey: number, code: number, times?: number): void;
  /** Injects Produce faults from now on (after the transaction check). */
  produceFault: ((a: ProduceAttempt) => Fault) | undefined;
  /** Requests of `apiKey` wait until the returned function is called. */
  hold(apiKey: number): () => void;
  txns: Map<string, TxnState>;
}

const NAMES: Record<number, string> = {
  [ApiKey.Produce]: 'Produce',
  [ApiKey.FindCoordinator]: 'FindCoordinator',
  [ApiKey.InitProducerId]: 'InitProducerId',
  [ApiKey.AddPartitionsToTxn]: 'AddPartitionsToTxn',
  [ApiKey.AddOffsetsToTxn]: 'AddOffsetsToTxn',
  [ApiKey.TxnOffsetCommit]: 'TxnOffsetCommit',
  [ApiKey.EndTxn]: 'EndTxn',
};

export async function startTxnBroker(options: SequenceBrokerOptions = {}): Promise<TxnBroker> {
  const txns = new Map<string, TxnState>();
  const markers: Marker[] = [];
  const committedOffsets = new Map<string, bigint>();
  const failures = new Map<number, number[]>();
  const holds = new Map<number, Promise<void>>();
  let nextId = 7000n;
  let self!: SequenceBroker;
  const api: { produceFault?: (a: ProduceAttempt) => Fault } = {};

  /** Kafka's coordinator checks of a request's producer id and epoch. */
  const check = (id: string, producerId: bigint, epoch: number, version: number): number => {
    const t = txns.get(id);
    if (!t || t.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch < t.epoch) return version >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH;
    return ErrorCode.NONE;
  };
  const end = (id: string, t: TxnState, commit: boolean) => {
    if (t.partitions.size > 0 || t.groups.size > 0)
      markers.push({ transactionalId: id, producerId: t.producerId, epoch: t.epoch, commit, partitions: [...t.partitions].sort() });
    if (commit) for (const [k, v] of t.pendingOffsets) committedOffsets.set(k, v);
    t.partitions.clear();
    t.groups.clear();
    t.pendingOffsets.clear();
  };

  self = await startSequenceBroker({
    ...options,
    // a transactional batch for a partition not (yet) in its producer's transaction is refused here,
    // so a client that produces before AddPartitionsToTxn fails its test
    fault: (a) => {
      if (a.transactional) {
        const t = [...txns.values()].find((x) => x.producerId === a.producerId);
        if (!t?.partitions.has(`${a.topic}-${a.partition}`)) return { error: ErrorCode.INVALID_TXN_STATE };
      }
      return api.produceFault?.(a) ?? options.fault?.(a);
    },
    handle: async (h, body) => {
      const queued = failures.get(h.apiKey);
      const held = holds.get(h.apiKey);
      if (held) await held;
      const injected = queued?.shift();
      const v = h.apiVersion;
      switch (h.apiKey) {
        case ApiKey.FindCoordinator:
          if (injected) return { body: { errorCode: injected, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators: [] } };
          return { body: { errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: self.fake.port, coordinators: [] } };
        case ApiKey.InitProducerId: {
          if (body.transactionalId === null) return undefined;
          if (injected) return { body: { errorCode: injected, producerId: -1n, producerEpoch: -1 } };
          const id: string = body.transactionalId;
          let t = txns.get(id);
          if (body.producerId >= 0n) {
            if (!t || t.producerId !== body.producerId)
              return { body: { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING, producerId: -1n, producerEpoch: -1 } };
            if (body.producerEpoch < t.epoch) return { body: { errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1n, producerEpoch: -1 } };
          }
          if (!t)
            txns.set(id, (t = { producerId: nextId++, epoch: 0, partitions: new Set(), groups: new Set(), pendingOffsets: new Map() }));
          else {
            end(id, t, false); // an ongoing transaction of an older producer is aborted
            t.epoch++;
          }
          return { body: { errorCode: 0, producerId: t.producerId, producerEpoch: t.epoch } };
        }
        case ApiKey.AddPartitionsToTxn: {
          const code = injected ?? check(body.v3AndBelowTransactionalId, body.v3AndBelowProducerId, body.v3AndBelowProducerEpoch, v);
          const t = txns.get(body.v3AndBelowTransactionalId);
          if (!code) for (const tp of body.v3AndBelowTopics) for (const p of tp.partitions) t!.partitions.add(`${tp.name}-${p}`);
          return {
            body: {
              errorCode: 0,
              resultsByTransaction: [],
              resultsByTopicV3AndBelow: body.v3AndBelowTopics.map((tp: { name: string; partitions: number[] }) => ({
                name: tp.name,
                resultsByPartition: tp.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code })),
              })),
            },
          };
        }
        case ApiKey.AddOffsetsToTxn: {
          const code = injected ?? check(body.transactionalId, body.producerId, body.producerEpoch, v);
          if (!code) txns.get(body.transactionalId)!.groups.add(body.groupId);
          return { body: { errorCode: code } };
        }
        case ApiKey.TxnOffsetCommit: {
          const code = injected ?? check(body.transactionalId, body.producerId, body.producerEpoch, v);
          const t = txns.get(body.transactionalId);
          return {
            body: {
              topics: body.topics.map((tp: any) => ({
                name: tp.name,
                partitions: tp.partitions.map((p: any) => {
                  if (!code) t!.pendingOffsets.set(`${body.groupId}/${tp.name}/${p.partitionIndex}`, p.committedOffset);
                  return { partitionIndex: p.partitionIndex, errorCode: code };
                }),
              })),
            },
          };
        }
        case ApiKey.EndTxn: {
          let code = injected ?? check(body.transactionalId, body.producerId, body.producerEpoch, v);
          const t = txns.get(body.transactionalId);
          if (!code && t!.partitions.size === 0 && t!.groups.size === 0) code = ErrorCode.INVALID_TXN_STATE;
          if (!code) end(body.transactionalId, t!, body.committed);
          return { body: { errorCode: code } };
        }
      }
      return undefined;
    },
  });
  Object.defineProperty(self, 'produceFault', {
    get: () => api.produceFault,
    set: (f: ((a: ProduceAttempt) => Fault) | undefined) => {
      api.produceFault = f;
    },
  });
  return Object.assign(self as SequenceBroker & { produceFault: TxnBroker['produceFault'] }, {
    calls: () => self.fake.requests.map((r) => NAMES[r.header.apiKey]).filter((n): n is string => n !== undefined),
    markers,
    committedOffsets,
    txns,
    fail(apiKey: number, code: number, times = 1) {
      let l = failures.get(apiKey);
      if (!l) failures.set(apiKey, (l = []));
      for (let i = 0; i < times; i++) l.push(code);
    },
    hold(apiKey: number) {
      let release = () => {};
      holds.set(
        apiKey,
        new Promise<void>((r) => {
          release = () => {
            holds.delete(apiKey);
            r();
          };
        }),
      );
      return () => release();
    },
  });
}
