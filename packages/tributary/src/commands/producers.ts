// `tributary producers describe --topic <t> [--partition <p>] [--broker-id <b>]`: the producers
// active on a partition (DescribeProducers through @tributary/client's admin, to the leader or to
// broker <b>), printed as Kafka's `kafka-transactions.sh describe-producers` prints them:
// ProducerId, ProducerEpoch, LatestCoordinatorEpoch (-1 when none), LastSequence, LastTimestamp,
// CurrentTransactionStartOffset ("None" when no transaction is open), cells padded to the column's
// width and tab-terminated. Kafka needs --partition; without it every partition of the topic is
// described, in one table with a leading Partition column.
import type { Admin, PartitionProducerState } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, describeError, prettyTable, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary producers describe --topic <topic> [--partition <p>] [--broker-id <id>]

  --topic <topic>      the topic
  --partition <p>      one partition (default: every partition of the topic, with a Partition column)
  --broker-id <id>     ask this broker (a follower's view) instead of each partition's leader
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = { values: ['topic', 'partition', 'broker-id', OUTPUT_OPTION] } as const;

export const PRODUCER_HEADERS = [
  'ProducerId',
  'ProducerEpoch',
  'LatestCoordinatorEpoch',
  'LastSequence',
  'LastTimestamp',
  'CurrentTransactionStartOffset',
];

/** Kafka's describe-producers table; `withPartition` adds the leading Partition column (every partition at once). */
export function producersText(states: readonly PartitionProducerState[], withPartition: boolean): string {
  const rows = states.flatMap((s) =>
    s.activeProducers.map((p) => [
      ...(withPartition ? [String(s.partition)] : []),
      String(p.producerId),
      String(p.producerEpoch),
      String(p.coordinatorEpoch ?? -1),
      String(p.lastSequence),
      String(p.lastTimestamp),
      p.currentTransactionStartOffset === null ? 'None' : String(p.currentTransactionStartOffset),
    ]),
  );
  return prettyTable(withPartition ? ['Partition', ...PRODUCER_HEADERS] : PRODUCER_HEADERS, rows);
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const topic = p.values.get('topic');
  if (!topic) throw new UsageError('describe needs --topic');
  const json = isJsonOutput(p);
  const partition = intOption(p, 'partition');
  const brokerId = intOption(p, 'broker-id');
  let partitions: number[];
  if (partition !== undefined) partitions = [partition];
  else {
    const [d] = await admin.describeTopics([topic]);
    partitions = d!.partitions.map((x) => x.partition).sort((a, b) => a - b);
  }
  let states: PartitionProducerState[];
  try {
    states = await admin.describeProducers(
      partitions.map((x) => ({ topic, partition: x })),
      brokerId === undefined ? {} : { brokerId },
    );
  } catch (err) {
    const where = partition === undefined ? topic : `${topic}-${partition}`;
    throw new Error(
      `Failed to describe producers for partition ${where} on ${brokerId === undefined ? 'leader' : `broker ${brokerId}`}: ${describeError(err)}`,
    );
  }
  if (json) await writeJson(states);
  else await writeOut(producersText(states, partition === undefined));
  return 0;
}

export const producersCommand: Command = {
  name: 'producers',
  summary: "describe the producers active on a topic's partitions (as kafka-transactions.sh describe-producers)",
  usage: USAGE,
  run: adminSubcommands('producers', USAGE, SPEC, { describe }),
};
