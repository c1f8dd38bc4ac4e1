// `tributary log-dirs describe`: kafka-log-dirs.sh --describe (Kafka's LogDirsCommand) through the
// admin's describeLogDirs (DescribeLogDirs to each broker). Options as Kafka's:
//   --broker-list 1,2      the brokers to ask (default: every broker of the cluster)
//   --topic-list a,b       only these topics' partitions (default: all)
// Output as Kafka's: two lines, then one line of JSON:
//   Querying brokers for log directories information
//   Received log directory information from brokers 1,2
//   {"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/data/a","error":null,"partitions":
//     [{"partition":"t-0","size":123,"offsetLag":0,"isFuture":false}]}]}]}
// A dir's error is the name of Kafka's exception class (KAFKA_STORAGE_ERROR ->
// org.apache.kafka.common.errors.KafkaStorageException); a moving replica's copy in its new dir is
// listed with isFuture true and its offsetLag.
import type { Admin } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { names, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';

const USAGE = `Usage: tributary log-dirs describe [--broker-list <1,2>] [--topic-list <a,b>]

  Prints, as kafka-log-dirs.sh --describe, the log dirs of each broker and the replicas in them
  (JSON; a replica moving to another dir shows there with "isFuture":true and its "offsetLag").
${COMMON_USAGE}`;

const SPEC = { values: ['broker-list', 'topic-list'], flags: ['describe'] } as const;

/** Kafka's exception class of an error code name (the names Kafka prints), else the name itself. */
const EXCEPTION: Record<string, string> = {
  KAFKA_STORAGE_ERROR: 'org.apache.kafka.common.errors.KafkaStorageException',
  LOG_DIR_NOT_FOUND: 'org.apache.kafka.common.errors.LogDirNotFoundException',
  UNKNOWN_SERVER_ERROR: 'org.apache.kafka.common.errors.UnknownServerException',
};

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const listed = p.values.get('broker-list');
  let brokers: number[];
  if (listed !== undefined) {
    brokers = names([listed]).map(Number);
    if (brokers.some((id) => !Number.isInteger(id))) throw new UsageError(`--broker-list must be broker ids, got "${listed}"`);
  } else {
    brokers = (await admin.describeCluster()).brokers.map((b) => b.nodeId);
  }
  const topicList = p.values.get('topic-list');
  const topics = topicList === undefined ? null : new Set(names([topicList]));
  await writeOut('Querying brokers for log directories information\n');
  const dirs = await admin.describeLogDirs(brokers);
  const doc = {
    version: 1,
    brokers: brokers.map((broker) => ({
      broker,
      logDirs: dirs
        .filter((d) => d.brokerId === broker)
        .map((d) => ({
          logDir: d.path,
          error: d.error ? (EXCEPTION[d.error.type] ?? d.error.type) : null,
          partitions: d.replicas
            .filter((r) => topics === null || topics.has(r.topic))
            .map((r) => ({ partition: `${r.topic}-${r.partition}`, size: r.size, offsetLag: r.offsetLag, isFuture: r.isFuture })),
        })),
    })),
  };
  await writeOut(`Received log directory information from brokers ${brokers.join(',')}\n${JSON.stringify(doc)}\n`);
  return 0;
}

export const logDirsCommand: Command = {
  name: 'log-dirs',
  summary: "describe each broker's log dirs and the replicas in them, as kafka-log-dirs.sh --describe",
  usage: USAGE,
  run: adminSubcommands('log-dirs', USAGE, SPEC, { describe }),
};
