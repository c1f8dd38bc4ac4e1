// TopicStore: the single broker's durable metadata image — one JSON file per topic, the local
// stand-in for ZooKeeper's /brokers/topics/<name> and /config/topics/<name> znodes (or KRaft's
// TopicRecord/PartitionRecord/ConfigRecord). Kept in the first log directory:
//
//   <log dir>/tributary-metadata/topics/<topic>.json
//     { "version": 1, "name": "orders", "topicId": "<base64url uuid>",
//       "partitions": [ { "partition": 0, "leader": 1, "leaderEpoch": 0, "replicas": [1], "isr": [1] }, ... ],
//       "configs": { "retention.ms": "86400000" } }          <- overrides only
//
// Files are replaced crash-safely (tmp + fsync + rename + fsync dir). Topic names are legal file
// names by construction ([a-zA-Z0-9._-], not "." or ".."). The directory name is not a
// `<topic>-<partition>` name, so the LogManager ignores it.
import { replaceFileAtomic, type FileSystem } from '@tributary/storage';
import type { TopicConfigs } from '../metadata/topic-config.ts';

export const METADATA_DIR = 'tributary-metadata';

export interface StoredPartition {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface StoredTopic {
  version: 1;
  name: string;
  topicId: string;
  partitions: StoredPartition[];
  configs: TopicConfigs;
}

export class TopicStore {
  readonly dir: string;

  constructor(private readonly fs: FileSystem, logDir: string) {
    this.dir = `${logDir}/${METADATA_DIR}/topics`;
  }

  /** Creates the directories; returns every stored topic. Leftover `.tmp` files are removed. */
  load(): StoredTopic[] {
    this.fs.mkdirSync(this.dir);
    const out: StoredTopic[] = [];
    for (const name of this.fs.readdirSync(this.dir).sort()) {
      const path = `${this.dir}/${name}`;
      if (name.endsWith('.tmp')) { this.fs.unlinkSync(path); continue; }
      if (!name.endsWith('.json')) continue;
      const buf = this.fs.readFileSync(path);
      if (!buf) continue;
      let t: StoredTopic;
      try {
        t = JSON.parse(buf.toString('utf8')) as StoredTopic;
      } catch (err) {
        throw new Error(`topic metadata file ${path} is not valid JSON: ${(err as Error).message}`);
      }
      if (t.version !== 1 || typeof t.name !== 'string' || !Array.isArray(t.partitions)) {
        throw new Error(`topic metadata file ${path} has an unsupported layout`);
      }
      out.push(t);
    }
    return out;
  }

  save(t: StoredTopic): void {
    replaceFileAtomic(this.fs, `${this.dir}/${t.name}.json`, Buffer.from(JSON.stringify(t, null, 1) + '\n'));
  }

  remove(name: string): void {
    const path = `${this.dir}/${name}.json`;
    if (this.fs.statSync(path) === null) return;
    this.fs.unlinkSync(path);
    this.fs.fsyncDirSync(this.dir);
  }
}
