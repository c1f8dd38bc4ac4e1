// Group API helpers for handler tests: consumer-protocol subscription bytes and a member that
// joins and syncs through the generated codec over its own connection (JoinGroup parks, so each
// member needs one).
import { ApiKey } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './kafka-client.ts';

/** A "consumer" protocol subscription v0: int16 version, topics (int16 string each), null user data. */
export function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
}

export interface Member {
  client: KafkaTestClient;
  memberId: string;
  generationId: number;
  leader: string;
}

export const joinBody = (groupId: string, memberId: string, topics = ['t'], sessionTimeoutMs = 10_000) => ({
  groupId,
  memberId,
  sessionTimeoutMs,
  rebalanceTimeoutMs: 10_000,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: subscription(topics) }],
  reason: null,
});

/** Connects and joins (handling MEMBER_ID_REQUIRED at v5+); resolves once the JoinGroup answers. */
export async function join(port: number, groupId: string, version = 5, client?: KafkaTestClient): Promise<Member> {
  const c = client ?? (await kafkaClient(port));
  let res = await c.request(ApiKey.JoinGroup, version, joinBody(groupId, ''));
  if (res.errorCode === 79) res = await c.request(ApiKey.JoinGroup, version, joinBody(groupId, res.memberId));
  if (res.errorCode !== 0) throw new Error(`JoinGroup error ${res.errorCode}`);
  return { client: c, memberId: res.memberId, generationId: res.generationId, leader: res.leader };
}
