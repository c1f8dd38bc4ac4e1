// A tiny single-broker Kafka for client tests, on the fake-broker endpoint: topics created on
// demand, Produce appends batches (offsets assigned by rewriting BaseOffset), Fetch returns stored
// batches from the one containing the fetch offset, ListOffsets earliest/latest, InitProducerId
// (an id per request; sequences are not checked), and a one-member-
// at-a-time group coordinator (JoinGroup answers at once; the joining member leads) with
// OffsetCommit/OffsetFetch. Enough to drive the client end to end; the real broker comes later.
import { ApiKey, ErrorCode, setBaseOffset, batchesIn } from '@tributary/protocol';
import { startFakeBroker, type FakeBroker } from './fake-broker.ts';
import { GroupCoordinator, InMemoryCoordinatorLog } from '@tributary/broker/coordinator/group/index';

interface Partition {
  batches: Array<{ base: bigint; last: bigint; bytes: Buffer }>;
  next: bigint;
}

export interface MiniKafka {
  fake: FakeBroker;
  address: string;
  topics: Map<string, Partition[]>;
  committed: Map<string, bigint>;
  close(): Promise<void>;
}

export interface MiniKafkaOptions {
  /** Serve JoinGroup/SyncGroup/Heartbeat/LeaveGroup with the broker's real group coordinator. */
  realGroups?: boolean;
}

export async function startMiniKafka(defaultPartitions = 3, options: MiniKafkaOptions = {}): Promise<MiniKafka> {
  let groups: GroupCoordinator | null = null;
  if (options.realGroups) {
    groups = new GroupCoordinator({ config: { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 500 } });
    for (let p = 0; p < groups.config.offsetsTopicNumPartitions; p++) await groups.loadPartition(p, new InMemoryCoordinatorLog());
  }
  const topics = new Map<string, Partition[]>();
  const committed = new Map<string, bigint>();
  let generation = 0;
  let memberSeq = 0;
  let producerSeq = 0;
  const pendingAssignments = new Map<string, Buffer>();
  const topic = (name: string) => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = Array.from({ length: defaultPartitions }, () => ({ batches: [], next: 0n }))));
    return t;
  };
  let self: FakeBroker;
  self = await startFakeBroker(async (h, body) => {
    switch (h.apiKey) {
      case ApiKey.Metadata: {
        const names: string[] = body.topics === null ? [...topics.keys()] : body.topics.map((t: { name: string }) => t.name);
        return {
          body: {
            brokers: [{ nodeId: 0, host: '127.0.0.1', port: self.port, rack: null }],
            clusterId: 'mini',
            controllerId: 0,
            topics: names.map((name) => ({
              errorCode: 0,
              name,
              topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
              isInternal: false,
              partitions: topic(name).map((_, i) => ({
                errorCode: 0,
                partitionIndex: i,
                leaderId: 0,
                leaderEpoch: 0,
                replicaNodes: [0],
                isrNodes: [0],
                offlineReplicas: [],
              })),
            })),
          },
        };
      }
      case ApiKey.Produce: {
        const responses = body.topicData.map((t: any) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p: any) => {
            const part = topic(t.name)[p.index];
            const base = part.next;
            for (const b of batchesIn(p.records)) {
              const bytes = Buffer.from(p.records.subarray(b.pos, b.pos + b.size));
              setBaseOffset(bytes, 0, part.next);
              const count = BigInt(bytes.readInt32BE(23) + 1); // lastOffsetDelta + 1
              part.batches.push({ base: part.next, last: part.next + count - 1n, bytes });
              part.next += count;
            }
            return { index: p.index, errorCode: 0, baseOffset: base, logAppendTimeMs: -1n, logStartOffset: 0n };
          }),
        }));
        return body.acks === 0 ? null : { body: { responses } };
      }
      case ApiKey.Fetch: {
        const responses = body.topics.map((t: any) => ({
          topic: t.topic,
          partitions: t.partitions.map((p: any) => {
            const part = topic(t.topic)[p.partition];
            if (p.fetchOffset > part.next)
              return { partitionIndex: p.partition, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: part.next, records: null };
            const from = part.batches.filter((b) => b.last >= p.fetchOffset);
            return {
              partitionIndex: p.partition,
              errorCode: 0,
              highWatermark: part.next,
              lastStableOffset: part.next,
              logStartOffset: 0n,
              records: Buffer.concat(from.map((b) => b.bytes)),
            };
          }),
        }));
        if (responses.every((t: any) => t.partitions.every((p: any) => !p.records || p.records.length === 0)))
          await new Promise((r) => setTimeout(r, Math.min(body.maxWaitMs, 50)));
        return { body: { responses } };
      }
      case ApiKey.ListOffsets:
        return {
          body: {
            topics: body.topics.map((t: any) => ({
              name: t.name,
              partitions: t.partitions.map((p: any) => ({
                partitionIndex: p.partitionIndex,
                errorCode: 0,
                timestamp: -1n,
                offset: p.timestamp === -2n ? 0n : topic(t.name)[p.partitionIndex].next,
                leaderEpoch: h.apiVersion >= 4 ? 0 : -1,
              })),
            })),
          },
        };
      case ApiKey.InitProducerId:
        // producers are idempotent by default: any id will do (sequences are not checked here)
        return { body: { errorCode: 0, producerId: 4000n + BigInt(++producerSeq), producerEpoch: 0 } };
      case ApiKey.FindCoordinator:
        return { body: { errorCode: 0, nodeId: 0, host: '127.0.0.1', port: self.port } };
      case ApiKey.JoinGroup: {
        if (groups) {
          const res = await groups.joinGroup({ ...body, clientId: h.clientId ?? '', clientHost: '127.0.0.1', apiVersion: h.apiVersion });
          // ProtocolName is nullable only from v7 (the broker's handler will do the same)
          return { body: { ...res, protocolName: res.protocolName ?? (h.apiVersion < 7 ? '' : null) } };
        }
        if (body.memberId === '' && h.apiVersion >= 4)
          return {
            body: { errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: `member-${++memberSeq}`, generationId: -1, leader: '', members: [] },
          };
        const memberId = body.memberId || `member-${++memberSeq}`;
        generation++;
        const proto = body.protocols[0];
        return {
          body: {
            errorCode: 0,
            generationId: generation,
            protocolType: 'consumer',
            protocolName: proto.name,
            leader: memberId,
            memberId,
            members: [{ memberId, groupInstanceId: body.groupInstanceId, metadata: proto.metadata }],
          },
        };
      }
      case ApiKey.SyncGroup: {
        if (groups) return { body: await groups.syncGroup(body) };
        for (const a of body.assignments) pendingAssignments.set(a.memberId, a.assignment);
        return {
          body: {
            errorCode: 0,
            protocolType: 'consumer',
            protocolName: body.protocolName,
            assignment: pendingAssignments.get(body.memberId) ?? Buffer.alloc(0),
          },
        };
      }
      case ApiKey.Heartbeat:
        if (groups) return { body: await groups.heartbeat(body) };
        return { body: { errorCode: 0 } };
      case ApiKey.LeaveGroup:
        if (groups) {
          const members = h.apiVersion >= 3 ? body.members : [{ memberId: body.memberId, groupInstanceId: null }];
          return { body: await groups.leaveGroup({ groupId: body.groupId, members }) };
        }
        return { body: { errorCode: 0, members: [] } };
      case ApiKey.OffsetCommit:
        return {
          body: {
            topics: body.topics.map((t: any) => ({
              name: t.name,
              partitions: t.partitions.map((p: any) => {
                committed.set(`${body.groupId}/${t.name}/${p.partitionIndex}`, p.committedOffset);
                return { partitionIndex: p.partitionIndex, errorCode: 0 };
              }),
            })),
          },
        };
      case ApiKey.OffsetFetch:
        return {
          body: {
            errorCode: 0,
            topics: body.topics.map((t: any) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((i: number) => ({
                partitionIndex: i,
                committedOffset: committed.get(`${body.groupId}/${t.name}/${i}`) ?? -1n,
                committedLeaderEpoch: -1,
                metadata: '',
                errorCode: 0,
              })),
            })),
          },
        };
    }
    return undefined;
  });
  return {
    fake: self,
    address: `127.0.0.1:${self.port}`,
    topics,
    committed,
    close: async () => {
      groups?.shutdown();
      await self.close();
    },
  };
}
