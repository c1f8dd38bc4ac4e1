// `tributary partitions reassign`: kafka-reassign-partitions.sh's verbs, options, JSON files and
// output (Kafka's ReassignPartitionsCommand); the plan format and throttle rules are in
// reassign-plan.ts, plans in reassign-planner.ts.
//   --generate --topics-to-move-json-file f --broker-list 1,2,3 [--disable-rack-aware]
//        prints the current assignment of those topics and a proposed one over the brokers
//   --execute --reassignment-json-file f [--throttle B/s] [--additional] [--timeout ms]
//        prints the current assignment (for a rollback), sets the replication throttles when
//        asked, starts the reassignments (AlterPartitionReassignments); refused while others run
//        unless --additional; replicas with a log_dirs path are then moved to that log dir of
//        their broker (AlterReplicaLogDirs, reassign-log-dirs.ts)
//   --verify --reassignment-json-file f [--preserve-throttles] [--wait]
//        one status line per partition (and per replica moving to a named log dir); once every
//        one is complete, clears the throttles;
//        --wait (not in Kafka) re-checks every second, with a progress line on stderr, until done
//   --cancel --reassignment-json-file f [--preserve-throttles]
//        cancels those reassignments (replicas go back to the original set) and clears throttles
//   --list
//        the reassignments in progress (ListPartitionReassignments)
import { readFileSync } from 'node:fs';
import type { Admin, PartitionReassignment } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, names, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { formatPlan, parsePlan, parseTopicsToMove, replicaLogDirMoves, type PlannedPartition } from './reassign-plan.ts';
import { generatePlan } from './reassign-planner.ts';
import { clearThrottles, setThrottles } from './reassign-throttles.ts';
import { currentReplicas, verifyOnce, waitForReassignments } from './reassign-progress.ts';
import { executeMoves, verifyMoves } from './reassign-log-dirs.ts';

const USAGE = `Usage: tributary partitions reassign (--generate | --execute | --verify | --cancel | --list) [options]

  --generate --topics-to-move-json-file <f> --broker-list <1,2,3> [--disable-rack-aware]
  --execute  --reassignment-json-file <f> [--throttle <bytes/s>] [--additional] [--timeout <ms>]
  --verify   --reassignment-json-file <f> [--preserve-throttles] [--wait]
  --cancel   --reassignment-json-file <f> [--preserve-throttles]
  --list

The files are kafka-reassign-partitions.sh's: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]}]}
and {"version":1,"topics":[{"topic":"t"}]}; "log_dirs":["any","/data/b"] moves a replica to that log dir of its broker.
${COMMON_USAGE}`;

const VERBS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;

const SPEC = {
  values: ['reassignment-json-file', 'topics-to-move-json-file', 'broker-list', 'throttle', 'timeout'],
  flags: [...VERBS, 'additional', 'preserve-throttles', 'disable-rack-aware', 'wait'],
} as const;

const key = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

function readFile(p: ParsedArgs, option: string): string {
  const path = p.values.get(option);
  if (path === undefined) throw new UsageError(`--${option} is required`);
  return readFileSync(path, 'utf8');
}

function currentOf(plan: readonly PlannedPartition[], current: ReadonlyMap<string, number[]>): PlannedPartition[] {
  return plan.map((p) => {
    const replicas = current.get(key(p));
    if (!replicas) throw new Error(`partition ${key(p)} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`);
    return { topic: p.topic, partition: p.partition, replicas };
  });
}

async function generate(admin: Admin, p: ParsedArgs): Promise<number> {
  const topics = parseTopicsToMove(readFile(p, 'topics-to-move-json-file'));
  const list = p.values.get('broker-list');
  if (list === undefined) throw new UsageError('--broker-list is required with --generate');
  const ids = names([list]).map(Number);
  if (ids.some((id) => !Number.isInteger(id))) throw new UsageError(`--broker-list must be broker ids, got "${list}"`);
  const cluster = await admin.describeCluster();
  const unknown = ids.filter((id) => !cluster.brokers.some((b) => b.nodeId === id));
  if (unknown.length > 0) throw new Error(`Unknown broker id(s) ${unknown.join(',')}`);
  const rackAware = !p.flags.has('disable-rack-aware');
  const brokers = ids.map((id) => ({ id, rack: rackAware ? (cluster.brokers.find((b) => b.nodeId === id)!.rack ?? null) : null }));
  const descriptions = await admin.describeTopics(topics);
  const current = descriptions.flatMap((t) => t.partitions.map((x) => ({ topic: t.name, partition: x.partition, replicas: x.replicas })));
  await writeOut(
    `Current partition replica assignment\n${formatPlan(current)}\n\nProposed partition reassignment configuration\n${formatPlan(generatePlan(descriptions, brokers))}\n`,
  );
  return 0;
}

async function execute(admin: Admin, p: ParsedArgs): Promise<number> {
  const plan = parsePlan(readFile(p, 'reassignment-json-file'));
  const throttle = intOption(p, 'throttle');
  if (throttle !== undefined && throttle < 0) throw new UsageError('--throttle must be a positive number of bytes per second');
  const cluster = await admin.describeCluster();
  const unknown = [...new Set(plan.flatMap((x) => x.replicas))].filter((id) => !cluster.brokers.some((b) => b.nodeId === id));
  if (unknown.length > 0) throw new Error(`Unknown broker id(s) ${unknown.sort((a, b) => a - b).join(',')}`);
  const current = await currentReplicas(
    admin,
    plan.map((x) => x.topic),
  );
  const running = await admin.listPartitionReassignments();
  if (running.length > 0 && !p.flags.has('additional'))
    throw new Error(
      'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one.',
    );
  let out = `Current partition replica assignment\n\n${formatPlan(currentOf(plan, current))}\n\nSave this to use as the --reassignment-json-file option during rollback\n`;
  if (throttle !== undefined) out += await setThrottles(admin, current, plan, throttle);
  await admin.alterPartitionReassignments(plan);
  out += `Successfully started partition reassignments for ${plan.map(key).join(',')}\n`;
  const moves = replicaLogDirMoves(plan);
  if (moves.length > 0) {
    await writeOut(out);
    out = await executeMoves(admin, moves, intOption(p, 'timeout') ?? 10_000);
  }
  await writeOut(out);
  return 0;
}

async function verify(admin: Admin, p: ParsedArgs): Promise<number> {
  const plan = parsePlan(readFile(p, 'reassignment-json-file'));
  const r = p.flags.has('wait') ? await waitForReassignments(admin, plan, 'partitions reassigned') : await verifyOnce(admin, plan);
  let out = `Status of partition reassignment:\n${r.lines.join('\n')}\n`;
  const moves = replicaLogDirMoves(plan);
  const m = moves.length > 0 ? await verifyMoves(admin, moves) : { lines: [], done: 0 };
  if (moves.length > 0) out += `\nStatus of replica log directory movement:\n${m.lines.join('\n')}\n`;
  // as Kafka: the throttles stay until the partitions and the log dir moves are all done
  if (r.done === plan.length && m.done === moves.length && !p.flags.has('preserve-throttles'))
    out += '\n' + (await clearThrottles(admin, plan));
  await writeOut(out);
  return 0;
}

async function cancel(admin: Admin, p: ParsedArgs): Promise<number> {
  const plan = parsePlan(readFile(p, 'reassignment-json-file'));
  const running = new Set((await admin.listPartitionReassignments(plan)).map(key));
  const cancelling = plan.filter((x) => running.has(key(x)));
  await admin.alterPartitionReassignments(cancelling.map((x) => ({ topic: x.topic, partition: x.partition, replicas: null })));
  let out = `Successfully cancelled partition reassignments for: ${cancelling.map(key).join(',')}\n`;
  if (!p.flags.has('preserve-throttles')) out += await clearThrottles(admin, plan);
  await writeOut(out);
  return 0;
}

function listLine(r: PartitionReassignment): string {
  return `${key(r)}: replicas: ${r.replicas.join(',')}. adding: ${r.addingReplicas.join(',')}. removing: ${r.removingReplicas.join(',')}.`;
}

async function list(admin: Admin): Promise<number> {
  const running = await admin.listPartitionReassignments();
  await writeOut(
    running.length === 0
      ? 'No partition reassignments found.\n'
      : `Current partition reassignments:\n${running.map(listLine).join('\n')}\n`,
  );
  return 0;
}

async function reassign(admin: Admin, p: ParsedArgs): Promise<number> {
  const verbs = VERBS.filter((v) => p.flags.has(v));
  if (verbs.length !== 1)
    throw new UsageError('Command must include exactly one action: --generate, --execute, --verify, --cancel, or --list');
  switch (verbs[0]!) {
    case 'generate':
      return generate(admin, p);
    case 'execute':
      return execute(admin, p);
    case 'verify':
      return verify(admin, p);
    case 'cancel':
      return cancel(admin, p);
    case 'list':
      return list(admin);
  }
}

export const partitionsCommand: Command = {
  name: 'partitions',
  summary: 'reassign partitions between brokers (generate, execute, verify, cancel, list), as kafka-reassign-partitions.sh',
  usage: USAGE,
  run: adminSubcommands('partitions', USAGE, SPEC, { reassign }),
};
