// A fake broker for idempotent-producer tests whose partitions check batches with the broker's own
// ProducerStateManager (epoch, sequence and retained-duplicate rules: exactly what a Tributary
// partition answers), with faults injected per Produce attempt: an error answer (with a log start
// offset), a connection dropped before or after the batch is appended, or an answer held back.
// InitProducerId answers a new id (epoch 0), or with the current id and epoch (KIP-360) the same
// id with the next epoch. Each partition's log is the values of its appended records, in order.
// Every test topic has `partitions` partitions (default 1).
import { ApiKey, ErrorCode, Off, batchesIn, decodeRecordBatches, setBaseOffset } from '@tributary/protocol';
import {
  MemoryFileSystem,
  ProducerStateManager,
  forEachProducerBatch,
  type ProducerBatch,
  type ProducerStateError,
} from '@tributary/storage';
import type { RequestHeader } from '@tributary/protocol';
import { singleNodeMetadata, startFakeBroker, type FakeBroker, type Handled } from './fake-broker.ts';

export interface ProduceAttempt {
  /** 1-based count of partition attempts so far (over all partitions). */
  n: number;
  topic: string;
  partition: number;
  producerId: bigint;
  epoch: number;
  baseSequence: number;
  transactional: boolean;
  values: string[];
}

export type Fault =
  | { error: number; logStartOffset?: bigint }
  /** Close every connection without answering (the batch is not appended). */
  | 'drop'
  /** Append the batch, then close every connection without answering. */
  | 'drop-after-append'
  | undefined;

export interface SequenceBrokerOptions {
  partitions?: number;
  fault?: (a: ProduceAttempt) => Fault | Promise<Fault>;
  /** Runs before each Produce is handled (hold answers back). */
  hold?: () => Promise<void>;
  /** Answers any other request first (e.g. a transaction coordinator); undefined falls through. */
  handle?: (h: RequestHeader, body: any) => Handled | null | undefined | Promise<Handled | null | undefined>;
}

export interface SequenceBroker {
  fake: FakeBroker;
  address: string;
  attempts: ProduceAttempt[];
  initRequests: Array<{ producerId: bigint; producerEpoch: number; transactionalId: string | null }>;
  /** The values appended to a partition (of topic `t` unless given), in offset order. */
  log(partition: number, topic?: string): string[];
  close(): Promise<void>;
}

export async function startSequenceBroker(options: SequenceBrokerOptions = {}): Promise<SequenceBroker> {
  const partitions = options.partitions ?? 1;
  const logs = new Map<string, { values: string[]; next: bigint; state: ProducerStateManager }>();
  const logOf = (topic: string, partition: number) => {
    const k = `${topic}-${partition}`;
    let l = logs.get(k);
    if (!l) logs.set(k, (l = { values: [], next: 0n, state: new ProducerStateManager(new MemoryFileSystem(), '/', k, []) }));
    return l;
  };
  const attempts: ProduceAttempt[] = [];
  const initRequests: SequenceBroker['initRequests'] = [];
  let nextId = 1000n;
  let self: FakeBroker;
  self = await startFakeBroker(async (h, body) => {
    if (h.apiKey === ApiKey.Metadata) return singleNodeMetadata(self.port, body, partitions);
    if (h.apiKey !== ApiKey.Produce && options.handle) {
      const out = await options.handle(h, body);
      if (out !== undefined) return out;
    }
    if (h.apiKey === ApiKey.InitProducerId) {
      initRequests.push({ producerId: body.producerId, producerEpoch: body.producerEpoch, transactionalId: body.transactionalId });
      if (body.producerId >= 0n) return { body: { errorCode: 0, producerId: body.producerId, producerEpoch: body.producerEpoch + 1 } };
      return { body: { errorCode: 0, producerId: nextId++, producerEpoch: 0 } };
    }
    if (h.apiKey !== ApiKey.Produce) return undefined;
    await options.hold?.();
    let drop = false;
    const responses = [];
    for (const t of body.topicData) {
      const partitionResponses: unknown[] = [];
      for (const p of t.partitionData) {
        const records: Buffer = p.records;
        const answer = (errorCode: number, baseOffset = -1n, logStartOffset = 0n) =>
          partitionResponses.push({ index: p.index, errorCode, baseOffset, logAppendTimeMs: -1n, logStartOffset });
        const decoded = await decodeRecordBatches(records);
        const a: ProduceAttempt = {
          n: attempts.length + 1,
          topic: t.name,
          partition: p.index,
          producerId: records.readBigInt64BE(Off.ProducerId),
          epoch: records.readInt16BE(Off.ProducerEpoch),
          baseSequence: records.readInt32BE(Off.BaseSequence),
          transactional: (records.readInt16BE(Off.Attributes) & 0x10) !== 0,
          values: decoded.flatMap((b) => b.records.map((r) => r.value?.toString() ?? '')),
        };
        attempts.push(a);
        const fault = await options.fault?.(a);
        if (fault === 'drop') {
          drop = true;
          continue;
        }
        if (fault && typeof fault === 'object') {
          answer(fault.error, -1n, fault.logStartOffset ?? 0n);
          continue;
        }
        const log = logOf(t.name, p.index);
        // offsets as the log would assign them, then the partition's own producer checks
        let next = log.next;
        for (const b of batchesIn(records)) {
          setBaseOffset(records, b.pos, next);
          next += BigInt(records.readInt32BE(b.pos + Off.LastOffsetDelta) + 1);
        }
        const batches: ProducerBatch[] = [];
        forEachProducerBatch(records, (b) => batches.push(b));
        let prepared: ReturnType<ProducerStateManager['prepareAppend']>;
        try {
          prepared = log.state.prepareAppend(batches, 'client');
        } catch (err) {
          answer((err as ProducerStateError).errorCode);
          continue;
        }
        if (prepared.duplicate) {
          answer(ErrorCode.NONE, BigInt(prepared.duplicate.firstOffset));
          continue;
        }
        const base = log.next;
        log.next = next;
        log.values.push(...a.values);
        log.state.applyAppend(prepared);
        if (fault === 'drop-after-append') drop = true;
        answer(ErrorCode.NONE, base);
      }
      responses.push({ name: t.name, partitionResponses });
    }
    if (drop) {
      self.dropConnections();
      return null;
    }
    return { body: { responses } };
  });
  return {
    fake: self,
    address: `127.0.0.1:${self.port}`,
    attempts,
    initRequests,
    log: (p, topic = 't') => logOf(topic, p).values,
    close: () => self.close(),
  };
}
