// `tributary groups list|describe|delete|reset-offsets`: consumer group administration through
// @tributary/client's admin, like kafka-consumer-groups.sh. `describe` prints, per partition,
// the committed offset, the log end offset, the lag and the member that owns it. `reset-offsets`
// (group must have no active members) computes new offsets with --to-earliest, --to-latest,
// --to-offset, --to-datetime, --shift-by or --to-current for `--topic t[:p,p]` or `--all-topics`,
// prints the plan, and applies it only with --execute (--dry-run is the default, as Kafka).
// `describe --members [--verbose]` lists the members (and their partitions), `--state` the
// coordinator, assignment strategy, state and member count, as kafka-consumer-groups.sh does;
// `--all-groups` describes every group. `list` and `describe` take `--output json`.
import type { Admin, GroupDescription, OffsetToCommit } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, table, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary groups <list|describe|delete|reset-offsets> [options]

  groups list [--state]
  groups describe (<group> [...] | --all-groups) [--members [--verbose] | --state]
                  (default: each partition's committed offset, log end offset, lag and owner)
  groups delete <group> [...]
  groups reset-offsets <group> (--topic <t[:p,...]> ... | --all-topics)
        (--to-earliest | --to-latest | --to-offset <n> | --to-datetime <ISO-8601> | --shift-by <n> | --to-current)
        [--execute | --dry-run]   (dry run unless --execute)

A group may also be given as --group <id> (repeatable).
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = {
  values: ['to-offset', 'to-datetime', 'shift-by', OUTPUT_OPTION],
  repeated: ['group', 'topic'],
  flags: ['state', 'members', 'verbose', 'all-groups', 'all-topics', 'to-earliest', 'to-latest', 'to-current', 'execute', 'dry-run'],
} as const;

function groupsOf(p: ParsedArgs): string[] {
  return [...p.positional.slice(1), ...(p.repeated.get('group') ?? [])];
}

async function list(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  const groups = await admin.listGroups();
  if (json) await writeJson(groups);
  else if (p.flags.has('state'))
    await writeOut(
      table(
        ['GROUP', 'STATE'],
        groups.map((g) => [g.groupId, g.state]),
      ),
    );
  else await writeOut(groups.map((g) => g.groupId + '\n').join(''));
  return 0;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

async function logEndOffsets(admin: Admin, topics: Iterable<string>): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const topic of new Set(topics)) {
    for (const o of await admin.listOffsets(topic, 'latest')) out.set(key(topic, o.partition), o.offset);
  }
  return out;
}

/** The group ids to describe: named, or every group with --all-groups. */
async function describedGroups(admin: Admin, p: ParsedArgs): Promise<string[]> {
  const ids = groupsOf(p);
  if (p.flags.has('all-groups')) {
    if (ids.length > 0) throw new UsageError('--all-groups describes every group: name none');
    return (await admin.listGroups()).map((g) => g.groupId);
  }
  if (ids.length === 0) throw new UsageError('groups describe needs a group (or --all-groups)');
  return ids;
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  if (p.flags.has('members') && p.flags.has('state')) throw new UsageError('--members and --state exclude each other');
  if (p.flags.has('verbose') && !p.flags.has('members')) throw new UsageError('--verbose goes with --members');
  const ids = await describedGroups(admin, p);
  let code = 0;
  const docs: unknown[] = [];
  const live: GroupDescription[] = [];
  for (const d of ids.length > 0 ? await admin.describeGroups(ids) : []) {
    if (d.state === 'Dead') {
      process.stderr.write(`Error: Consumer group '${d.groupId}' does not exist.\n`);
      code = 1;
      continue;
    }
    live.push(d);
  }
  if (p.flags.has('state')) {
    if (json) await writeJson(live.map(stateJson));
    else await writeOut(live.map((d) => '\n' + stateTable([d])).join(''));
    return code;
  }
  if (p.flags.has('members')) {
    if (json) await writeJson(live.map((d) => ({ ...stateJson(d), members: d.members })));
    else {
      for (const d of live) {
        await writeOut(
          d.members.length === 0
            ? `\nConsumer group '${d.groupId}' has no active members.\n`
            : '\n' + membersTable(d, p.flags.has('verbose')),
        );
      }
    }
    return code;
  }
  for (const d of live) {
    const committed = await admin.listGroupOffsets(d.groupId);
    const owner = new Map<string, (typeof d.members)[number]>();
    for (const m of d.members) for (const tp of m.assignment) owner.set(key(tp.topic, tp.partition), m);
    const rowsByKey = new Map<string, { topic: string; partition: number; offset: bigint | null }>();
    for (const c of committed) rowsByKey.set(key(c.topic, c.partition), { topic: c.topic, partition: c.partition, offset: c.offset });
    for (const m of d.members) {
      for (const tp of m.assignment)
        if (!rowsByKey.has(key(tp.topic, tp.partition))) rowsByKey.set(key(tp.topic, tp.partition), { ...tp, offset: null });
    }
    const rows = [...rowsByKey.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const ends = await logEndOffsets(
      admin,
      rows.map((r) => r.topic),
    );
    if (json) {
      docs.push({
        ...stateJson(d),
        partitions: rows.map((r) => {
          const end = ends.get(key(r.topic, r.partition));
          const m = owner.get(key(r.topic, r.partition));
          return {
            topic: r.topic,
            partition: r.partition,
            currentOffset: r.offset,
            logEndOffset: end ?? null,
            lag: r.offset !== null && end !== undefined ? end - r.offset : null,
            consumerId: m?.memberId ?? null,
            host: m?.host ?? null,
            clientId: m?.clientId ?? null,
          };
        }),
      });
      continue;
    }
    let out = d.members.length === 0 ? `\nConsumer group '${d.groupId}' has no active members.\n\n` : '\n';
    out += table(
      ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      rows.map((r) => {
        const end = ends.get(key(r.topic, r.partition));
        const m = owner.get(key(r.topic, r.partition));
        const lag = r.offset !== null && end !== undefined ? String(end - r.offset) : '-';
        return [
          d.groupId,
          r.topic,
          String(r.partition),
          r.offset === null ? '-' : String(r.offset),
          end === undefined ? '-' : String(end),
          lag,
          m?.memberId ?? '-',
          m?.host ?? '-',
          m?.clientId ?? '-',
        ];
      }),
    );
    await writeOut(out);
  }
  if (json) await writeJson(docs);
  return code;
}

function stateJson(d: GroupDescription) {
  return {
    group: d.groupId,
    coordinator: d.coordinator ?? null,
    state: d.state,
    protocolType: d.protocolType,
    assignmentStrategy: d.protocol,
    members: d.members.length,
  };
}

/** kafka-consumer-groups.sh --describe --state. */
function stateTable(groups: GroupDescription[]): string {
  return table(
    ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
    groups.map((d) => [
      d.groupId,
      d.coordinator ? `${d.coordinator.host}:${d.coordinator.port} (${d.coordinator.nodeId})` : '-',
      d.protocol === '' ? '-' : d.protocol,
      d.state,
      String(d.members.length),
    ]),
  );
}

/** kafka-consumer-groups.sh --describe --members [--verbose]. */
function membersTable(d: GroupDescription, verbose: boolean): string {
  const header = ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'];
  if (verbose) header.push('ASSIGNMENT');
  return table(
    header,
    d.members.map((m) => {
      const row = [d.groupId, m.memberId, m.groupInstanceId ?? '-', m.host, m.clientId, String(m.assignment.length)];
      if (verbose) row.push(assignmentText(m.assignment) || '-');
      return row;
    }),
  );
}

/** `topic(0,1),other(2)`, as Kafka's tool prints an assignment. */
function assignmentText(tps: ReadonlyArray<{ topic: string; partition: number }>): string {
  const by = new Map<string, number[]>();
  for (const tp of tps) {
    let l = by.get(tp.topic);
    if (!l) by.set(tp.topic, (l = []));
    l.push(tp.partition);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([t, ps]) => `${t}(${ps.sort((a, b) => a - b).join(',')})`)
    .join(',');
}

async function remove(admin: Admin, p: ParsedArgs): Promise<number> {
  const ids = groupsOf(p);
  if (ids.length === 0) throw new UsageError('groups delete needs a group');
  await admin.deleteGroups(ids);
  await writeOut(`Deletion of requested consumer groups (${ids.map((g) => `'${g}'`).join(', ')}) was successful.\n`);
  return 0;
}

type Target =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'datetime'; timestamp: number }
  | { kind: 'shift'; by: bigint };

function targetOf(p: ParsedArgs): Target {
  const targets: Target[] = [];
  if (p.flags.has('to-earliest')) targets.push({ kind: 'earliest' });
  if (p.flags.has('to-latest')) targets.push({ kind: 'latest' });
  if (p.flags.has('to-current')) targets.push({ kind: 'current' });
  const to = p.values.get('to-offset');
  if (to !== undefined) {
    if (!/^\d+$/.test(to)) throw new UsageError('--to-offset must be a non-negative integer');
    targets.push({ kind: 'offset', offset: BigInt(to) });
  }
  const dt = p.values.get('to-datetime');
  if (dt !== undefined) {
    const timestamp = Date.parse(dt);
    if (Number.isNaN(timestamp)) throw new UsageError(`--to-datetime: cannot parse "${dt}" (use ISO-8601, e.g. 2026-01-31T12:00:00.000Z)`);
    targets.push({ kind: 'datetime', timestamp });
  }
  const shift = p.values.get('shift-by');
  if (shift !== undefined) {
    if (!/^-?\d+$/.test(shift)) throw new UsageError('--shift-by must be an integer');
    targets.push({ kind: 'shift', by: BigInt(shift) });
  }
  if (targets.length !== 1)
    throw new UsageError(
      'reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by, --to-current',
    );
  return targets[0]!;
}

async function resetOffsets(admin: Admin, p: ParsedArgs): Promise<number> {
  const ids = groupsOf(p);
  if (ids.length !== 1) throw new UsageError('groups reset-offsets needs exactly one group');
  const groupId = ids[0]!;
  const target = targetOf(p);
  if (p.flags.has('execute') && p.flags.has('dry-run')) throw new UsageError('--execute and --dry-run exclude each other');
  const topicSpecs = p.repeated.get('topic') ?? [];
  if (topicSpecs.length > 0 === p.flags.has('all-topics'))
    throw new UsageError('reset-offsets needs --topic or --all-topics (one of them)');

  const [d] = await admin.describeGroups([groupId]);
  if (d && d.state !== 'Empty' && d.state !== 'Dead') {
    throw new Error(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${d.state}.`);
  }
  const committed = await admin.listGroupOffsets(groupId);
  const current = new Map(committed.map((c) => [key(c.topic, c.partition), c.offset]));

  // the partitions to reset
  const partitions: Array<{ topic: string; partition: number }> = [];
  if (p.flags.has('all-topics')) {
    partitions.push(...committed.map((c) => ({ topic: c.topic, partition: c.partition })));
  } else {
    for (const spec of topicSpecs) {
      const [topic, list] = spec.split(':') as [string, string | undefined];
      if (list !== undefined) {
        for (const x of list.split(',')) {
          if (!/^\d+$/.test(x)) throw new UsageError(`--topic ${spec}: bad partition "${x}"`);
          partitions.push({ topic, partition: Number(x) });
        }
      } else {
        const [t] = await admin.describeTopics([topic]);
        partitions.push(...t!.partitions.map((x) => ({ topic, partition: x.partition })));
      }
    }
  }

  const topics = new Set(partitions.map((x) => x.topic));
  const bounds = new Map<string, { earliest: bigint; latest: bigint; at?: bigint }>();
  for (const topic of topics) {
    const earliest = await admin.listOffsets(topic, 'earliest');
    const latest = await admin.listOffsets(topic, 'latest');
    const at = target.kind === 'datetime' ? await admin.listOffsets(topic, { timestamp: target.timestamp }) : [];
    for (const e of earliest) bounds.set(key(topic, e.partition), { earliest: e.offset, latest: e.offset });
    for (const l of latest) bounds.get(key(topic, l.partition))!.latest = l.offset;
    for (const a of at) bounds.get(key(topic, a.partition))!.at = a.offset;
  }

  const plan: OffsetToCommit[] = [];
  for (const tp of partitions) {
    const b = bounds.get(key(tp.topic, tp.partition));
    if (!b) throw new Error(`topic ${tp.topic} has no partition ${tp.partition} (UNKNOWN_TOPIC_OR_PARTITION)`);
    const cur = current.get(key(tp.topic, tp.partition));
    let offset: bigint;
    switch (target.kind) {
      case 'earliest':
        offset = b.earliest;
        break;
      case 'latest':
        offset = b.latest;
        break;
      case 'current':
        offset = cur ?? b.latest;
        break;
      case 'offset':
        offset = target.offset;
        break;
      // no record at or after the time: the end (as Kafka)
      case 'datetime':
        offset = b.at !== undefined && b.at >= 0n ? b.at : b.latest;
        break;
      case 'shift':
        offset = (cur ?? b.latest) + target.by;
        break;
    }
    // out of range: clamp, as Kafka's tool does
    if (offset < b.earliest) offset = b.earliest;
    if (offset > b.latest) offset = b.latest;
    plan.push({ ...tp, offset });
  }
  plan.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  if (p.flags.has('execute')) await admin.alterGroupOffsets(groupId, plan);
  else process.stderr.write('Dry run: nothing changed (add --execute to apply).\n');
  await writeOut(
    '\n' +
      table(
        ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
        plan.map((x) => [groupId, x.topic, String(x.partition), String(x.offset)]),
      ),
  );
  return 0;
}

const run = adminSubcommands('groups', USAGE, SPEC, {
  list,
  describe,
  delete: remove,
  'reset-offsets': resetOffsets,
});

export const groupsCommand: Command = {
  name: 'groups',
  summary: 'list, describe and delete consumer groups, reset their offsets',
  usage: USAGE,
  run,
};
