// One-time migration of a data dir written before the metadata log existed: the broker's
// TopicStore kept one JSON file per topic,
//
//   <first log dir>/tributary-metadata/topics/<topic>.json
//     { "version": 1, "name": "orders", "topicId": "<base64url uuid>",
//       "partitions": [ { "partition": 0, "leader": 1, "leaderEpoch": 0, "replicas": [1], "isr": [1] }, ... ],
//       "configs": { "retention.ms": "86400000" } }
//
// When the metadata log is empty, every such topic becomes the records Kafka's controller would
// have written for it: TopicRecord (same id), one PartitionRecord per partition (same replicas,
// ISR, leader and leader epoch; partition epoch 0) and one ConfigRecord per override. Once those
// are durable the directory is renamed to `topics.migrated` (kept for inspection, never read
// again); a crash between the two is finished at the next start (the log is no longer empty).
// A topic store that reappears later (an older broker run on the same dir) is moved aside the same
// way, never read: the metadata log is the truth once it has records.
import type { FileSystem } from '@tributary/storage';
import { ConfigResourceType, configRecord, partitionRecord, topicRecord, type MetadataRecord } from '../records/metadata-record.ts';

export const TOPIC_STORE_DIR = 'tributary-metadata/topics';
export const MIGRATED_TOPIC_STORE_DIR = 'tributary-metadata/topics.migrated';

interface StoredPartition {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}
interface StoredTopic {
  version: 1;
  name: string;
  topicId: string;
  partitions: StoredPartition[];
  configs: Record<string, string>;
}

const isIntList = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => Number.isInteger(n));

function checkTopic(t: StoredTopic, path: string): void {
  const ok =
    t.version === 1 &&
    typeof t.name === 'string' &&
    typeof t.topicId === 'string' &&
    Array.isArray(t.partitions) &&
    t.partitions.every(
      (p) =>
        Number.isInteger(p.partition) &&
        Number.isInteger(p.leader) &&
        Number.isInteger(p.leaderEpoch) &&
        isIntList(p.replicas) &&
        isIntList(p.isr),
    ) &&
    (t.configs === undefined ||
      (typeof t.configs === 'object' && t.configs !== null && Object.values(t.configs).every((v) => typeof v === 'string')));
  if (!ok) throw new Error(`topic metadata file ${path} has an unsupported layout`);
}

/** The topic store's topics as metadata records (empty when there is no topic store). */
export function topicStoreRecords(fs: FileSystem, logDir: string): { records: MetadataRecord[]; topics: number } {
  const dir = `${logDir}/${TOPIC_STORE_DIR}`;
  if (fs.statSync(dir) === null) return { records: [], topics: 0 };
  const records: MetadataRecord[] = [];
  let topics = 0;
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const path = `${dir}/${name}`;
    const buf = fs.readFileSync(path);
    if (!buf) continue;
    let t: StoredTopic;
    try {
      t = JSON.parse(buf.toString('utf8')) as StoredTopic;
    } catch (err) {
      throw new Error(`topic metadata file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    checkTopic(t, path);
    topics++;
    records.push(topicRecord(t.name, t.topicId));
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      records.push(
        partitionRecord({
          topicId: t.topicId,
          partitionId: p.partition,
          replicas: p.replicas,
          isr: p.isr,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          partitionEpoch: 0,
        }),
      );
    }
    for (const [k, v] of Object.entries(t.configs ?? {})) records.push(configRecord(ConfigResourceType.TOPIC, t.name, k, v));
  }
  return { records, topics };
}

/**
 * Moves the topic store out of the way once its topics are in the metadata log (no-op when
 * absent): an empty one is removed, one with topic files renamed to `topics.migrated` (or
 * `topics.migrated.<n>` when that exists: an earlier copy is never overwritten).
 */
export function markTopicStoreMigrated(fs: FileSystem, logDir: string): boolean {
  const from = `${logDir}/${TOPIC_STORE_DIR}`;
  if (fs.statSync(from) === null) return false;
  if (!fs.readdirSync(from).some((n) => n.endsWith('.json'))) {
    fs.rmSync(from);
  } else {
    let to = `${logDir}/${MIGRATED_TOPIC_STORE_DIR}`;
    for (let n = 1; fs.statSync(to) !== null; n++) to = `${logDir}/${MIGRATED_TOPIC_STORE_DIR}.${n}`;
    fs.renameSync(from, to);
  }
  fs.fsyncDirSync(`${logDir}/tributary-metadata`);
  return true;
}

/** The broker's producer id block file before the metadata log (`tributary-metadata/producer-id-block.json`). */
export const PRODUCER_ID_BLOCK_FILE = 'tributary-metadata/producer-id-block.json';

/**
 * The producer ids a data dir from before the metadata log may have handed out, as the
 * ProducerIdsRecord Kafka's controller would have written: the next block starts past the last
 * one claimed, so no id is ever issued twice. Empty when there is no block file.
 */
export function producerIdBlockRecords(fs: FileSystem, logDir: string): MetadataRecord[] {
  const path = `${logDir}/${PRODUCER_ID_BLOCK_FILE}`;
  const buf = fs.readFileSync(path);
  if (buf === null) return [];
  let block: { version?: unknown; brokerId?: unknown; blockEnd?: unknown };
  try {
    block = JSON.parse(buf.toString('utf8')) as typeof block;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (block.version !== 1 || !Number.isSafeInteger(block.blockEnd) || (block.blockEnd as number) < -1) {
    throw new Error(`${path} is not a producer id block file (version 1 with a blockEnd)`);
  }
  const brokerId = Number.isSafeInteger(block.brokerId) ? (block.brokerId as number) : -1;
  return [{ type: 'ProducerIdsRecord', data: { brokerId, brokerEpoch: -1n, nextProducerId: BigInt((block.blockEnd as number) + 1) } }];
}
