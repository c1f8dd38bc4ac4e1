// `tributary users create <name> --mechanism <M> --password <p> [--iterations <n>] | delete <name>
// [--mechanism <M>] | list [<name>...]`: SCRAM credentials through @tributary/client's admin, as
// `kafka-configs --entity-type users --alter --add-config 'SCRAM-SHA-256=[iterations=8192,password=...]'`
// / `--delete-config` / `--describe`. The password is salted and hashed here, as kafka-configs
// does (AlterUserScramCredentials carries salted passwords); it is never printed. Output is Kafka's:
// "Completed updating config for user <name>." and "SCRAM credential configs for user-principal
// '<name>' are SCRAM-SHA-256=iterations=4096, ...". Without --mechanism, delete removes every
// mechanism the user has. Failures print the Kafka error and exit 1.
import type { Admin, UserScramCredentialAlteration } from '@tributary/client';
import { UsageError, type Command } from './command.ts';
import { intOption, type ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary users <create | delete | list> ...

  create <name> --mechanism <SCRAM-SHA-256|SCRAM-SHA-512> --password <password> [--iterations <n>]
                                     create or replace a user's SCRAM credential (iterations 4096..16384, default 4096)
  delete <name> [--mechanism <M>]    delete a user's credential for one mechanism, or all of them
  list [<name>...]                   the SCRAM mechanisms and iterations of every user, or of those named
list and describe take:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = { values: ['mechanism', 'password', 'iterations', OUTPUT_OPTION] } as const;
const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
type Mechanism = (typeof MECHANISMS)[number];

function mechanismOf(p: ParsedArgs, required: boolean): Mechanism | undefined {
  const m = p.values.get('mechanism');
  if (m === undefined) {
    if (required) throw new UsageError('--mechanism is required (SCRAM-SHA-256 or SCRAM-SHA-512)');
    return undefined;
  }
  if (!(MECHANISMS as readonly string[]).includes(m)) throw new UsageError(`unknown mechanism "${m}" (SCRAM-SHA-256 or SCRAM-SHA-512)`);
  return m as Mechanism;
}

function userOf(p: ParsedArgs): string {
  const user = p.positional[1];
  if (user === undefined || p.positional.length > 2) throw new UsageError('give exactly one user name');
  return user;
}

export function describeText(
  users: ReadonlyArray<{ user: string; credentials: ReadonlyArray<{ mechanism: string; iterations: number }> }>,
): string {
  return users
    .map(
      (u) =>
        `SCRAM credential configs for user-principal '${u.user}' are ${u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}\n`,
    )
    .join('');
}

async function create(admin: Admin, p: ParsedArgs): Promise<number> {
  const user = userOf(p);
  const mechanism = mechanismOf(p, true)!;
  const password = p.values.get('password');
  if (password === undefined || password === '') throw new UsageError('--password is required');
  const iterations = intOption(p, 'iterations');
  await admin.alterUserScramCredentials([{ type: 'upsert', user, mechanism, password, iterations }]);
  await writeOut(`Completed updating config for user ${user}.\n`);
  return 0;
}

async function remove(admin: Admin, p: ParsedArgs): Promise<number> {
  const user = userOf(p);
  const mechanism = mechanismOf(p, false);
  const mechanisms = mechanism ? [mechanism] : (await admin.describeUserScramCredentials([user]))[0]!.credentials.map((c) => c.mechanism);
  const deletions: UserScramCredentialAlteration[] = mechanisms.map((m) => ({ type: 'delete', user, mechanism: m }));
  await admin.alterUserScramCredentials(deletions);
  await writeOut(`Completed updating config for user ${user}.\n`);
  return 0;
}

async function list(admin: Admin, p: ParsedArgs): Promise<number> {
  const json = isJsonOutput(p);
  const described = await admin.describeUserScramCredentials(p.positional.slice(1));
  if (json) await writeJson(described);
  else await writeOut(describeText(described));
  return 0;
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'create, delete and list SCRAM users (as kafka-configs --entity-type users)',
  usage: USAGE,
  run: adminSubcommands('users', USAGE, SPEC, { create, delete: remove, list }),
};
