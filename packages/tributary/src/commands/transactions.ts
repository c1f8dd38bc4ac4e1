// `tributary transactions list | describe --transactional-id <id>`: transactional ids through
// @tributary/client's admin, printed as Kafka's kafka-transactions.sh (TransactionsCommand) prints
// them — cells padded to the column's width, each followed by a tab:
//   list      TransactionalId, Coordinator (the broker that listed it), ProducerId, TransactionState;
//             rows by coordinator (ListTransactions to every broker).
//   describe  CoordinatorId, TransactionalId, ProducerId, ProducerEpoch, TransactionState,
//             TransactionTimeoutMs, CurrentTransactionStartTimeMs and TransactionDurationMs ("None"
//             without an ongoing transaction), TopicPartitions ("topic-partition" joined by commas).
// Failures print Kafka's "Failed to ..." line and exit 1. Producers on a partition:
// `tributary producers describe` (producers.ts). Not implemented: abort, find-hanging.
import type { Admin, TransactionDescription, TransactionListing } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, describeError, prettyTable, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary transactions <list | describe --transactional-id <id>>

  list                               every transactional id the brokers coordinate, with its producer id and state
  describe --transactional-id <id>   the state of one transactional id at its coordinator
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = { values: ['transactional-id', OUTPUT_OPTION] } as const;

export const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];
export const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
];

export function listText(listings: readonly TransactionListing[]): string {
  const rows = [...listings]
    .sort((a, b) => a.coordinatorId - b.coordinatorId)
    .map((l) => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state]);
  return prettyTable(LIST_HEADERS, rows);
}

export function describeText(d: TransactionDescription, now = Date.now()): string {
  const start = d.transactionStartTimeMs;
  return prettyTable(DESCRIBE_HEADERS, [
    [
      String(d.coordinatorId),
      d.transactionalId,
      String(d.producerId),
      String(d.producerEpoch),
      d.state,
      String(d.transactionTimeoutMs),
      start === null ? 'None' : String(start),
      start === null ? 'None' : String(now - start),
      d.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
    ],
  ]);
}

/** Kafka's printErrorAndExit message. */
function failed(what: string, err: unknown): Error {
  return new Error(`${what}: ${describeError(err)}`);
}

async function list(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  let listings: TransactionListing[];
  try {
    listings = await admin.listTransactions();
  } catch (err) {
    throw failed('Failed to list transactions', err);
  }
  if (json) await writeJson(listings);
  else await writeOut(listText(listings));
  return 0;
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const id = p.values.get('transactional-id');
  if (id === undefined) throw new UsageError('describe needs --transactional-id');
  const json = isJsonOutput(p);
  let d: TransactionDescription;
  try {
    [d] = (await admin.describeTransactions([id])) as [TransactionDescription];
  } catch (err) {
    throw failed(`Failed to describe transaction state of transactional-id \`${id}\``, err);
  }
  if (json) await writeJson(d);
  else await writeOut(describeText(d));
  return 0;
}

export const transactionsCommand: Command = {
  name: 'transactions',
  summary: 'list transactional ids, describe one (as kafka-transactions.sh)',
  usage: USAGE,
  run: adminSubcommands('transactions', USAGE, SPEC, { list, describe }),
};
