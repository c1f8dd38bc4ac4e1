// `tributary leaders elect`: kafka-leader-election.sh (Kafka's LeaderElectionCommand) through the
// admin's electLeaders (ElectLeaders to the controller). The partitions are one of
//   --topic t --partition n          one partition
//   --path-to-json-file f            {"partitions":[{"topic":"t","partition":0}, ...]}
//   --all-topic-partitions           every partition (the controller answers only those it elected
//                                    or could not)
// and the election `--election-type` (or `--type`) PREFERRED or UNCLEAN, in any case. Output as
// Kafka's: "Successfully completed leader election (PREFERRED) for partitions t-0, t-1", "Valid
// replica already elected for partitions t-2" (ELECTION_NOT_NEEDED), and per failure "Error
// completing leader election (PREFERRED) for partition: t-3: <error>", then exit 1 with
// "<n> replica(s) could not be elected".
import { readFileSync } from 'node:fs';
import type { Admin, ElectionTypeName } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';

const USAGE = `Usage: tributary leaders elect --election-type <PREFERRED|UNCLEAN>
         (--topic <t> --partition <n> | --path-to-json-file <f> | --all-topic-partitions)

  --election-type, --type   PREFERRED: move leadership back to the first replica when it is in sync;
                            UNCLEAN: elect a live replica out of the ISR for a partition without a leader
  --path-to-json-file <f>   {"partitions":[{"topic":"t","partition":0}]}
${COMMON_USAGE}`;

const SPEC = {
  values: ['election-type', 'type', 'topic', 'partition', 'path-to-json-file'],
  flags: ['all-topic-partitions'],
} as const;

function electionType(p: ParsedArgs): ElectionTypeName {
  const raw = p.values.get('election-type') ?? p.values.get('type');
  if (raw === undefined) throw new UsageError('Missing required option(s) [election-type]');
  const t = raw.toLowerCase();
  if (t !== 'preferred' && t !== 'unclean') throw new UsageError(`--election-type must be PREFERRED or UNCLEAN, got "${raw}"`);
  return t;
}

function partitionsFile(path: string): Array<{ topic: string; partition: number }> {
  let doc: { partitions?: Array<{ topic?: unknown; partition?: unknown }> };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc.partitions)) throw new UsageError(`${path} has no "partitions" list`);
  const seen = new Set<string>();
  return doc.partitions.map((x) => {
    if (typeof x.topic !== 'string' || !Number.isInteger(x.partition))
      throw new UsageError(`a partition needs "topic" and "partition": ${JSON.stringify(x)}`);
    const key = `${x.topic}-${x.partition as number}`;
    if (seen.has(key)) throw new UsageError(`duplicate partition ${key} in ${path}`);
    seen.add(key);
    return { topic: x.topic, partition: x.partition as number };
  });
}

/** The partitions asked for; null = every partition. */
function partitionsOf(p: ParsedArgs): Array<{ topic: string; partition: number }> | null {
  const topic = p.values.get('topic');
  const file = p.values.get('path-to-json-file');
  const all = p.flags.has('all-topic-partitions');
  const ways = [topic !== undefined, file !== undefined, all].filter(Boolean).length;
  if (ways !== 1)
    throw new UsageError('One and only one of the following options is required: --all-topic-partitions, --topic, --path-to-json-file');
  if (all) return null;
  if (file !== undefined) return partitionsFile(file);
  const partition = intOption(p, 'partition');
  if (partition === undefined) throw new UsageError('--partition is required with --topic');
  return [{ topic: topic!, partition }];
}

async function elect(admin: Admin, p: ParsedArgs): Promise<number> {
  const type = electionType(p);
  const results = await admin.electLeaders(type, partitionsOf(p));
  const label = type.toUpperCase();
  const name = (r: { topic: string; partition: number }) => `${r.topic}-${r.partition}`;
  const succeeded = results.filter((r) => r.error === null);
  const noop = results.filter((r) => r.error?.type === 'ELECTION_NOT_NEEDED');
  const failed = results.filter((r) => r.error !== null && r.error.type !== 'ELECTION_NOT_NEEDED');
  let out = '';
  if (succeeded.length > 0) out += `Successfully completed leader election (${label}) for partitions ${succeeded.map(name).join(', ')}\n`;
  if (noop.length > 0) out += `Valid replica already elected for partitions ${noop.map(name).join(', ')}\n`;
  for (const f of failed) out += `Error completing leader election (${label}) for partition: ${name(f)}: ${f.error!.message}\n`;
  await writeOut(out);
  if (failed.length > 0) throw new Error(`${failed.length} replica(s) could not be elected`);
  return 0;
}

export const leadersCommand: Command = {
  name: 'leaders',
  summary: 'elect partition leaders (PREFERRED or UNCLEAN), as kafka-leader-election.sh',
  usage: USAGE,
  run: adminSubcommands('leaders', USAGE, SPEC, { elect }),
};
