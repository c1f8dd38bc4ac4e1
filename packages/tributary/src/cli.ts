// The tributary CLI: `tributary <command> [args]`. Each command is a module in ./commands with a
// name, a one-line summary, usage text and `run(args) -> exit code`; each is listed in COMMANDS.
import { pathToFileURL } from 'node:url';
import { startCommand } from './commands/start.ts';
import { storageCommand } from './commands/storage.ts';
import { topicsCommand } from './commands/topics.ts';
import { produceCommand } from './commands/produce.ts';
import { consumeCommand } from './commands/consume.ts';
import { groupsCommand } from './commands/groups.ts';
import { metadataQuorumCommand } from './commands/metadata-quorum.ts';
import { transactionsCommand } from './commands/transactions.ts';
import { producersCommand } from './commands/producers.ts';
import { aclsCommand } from './commands/acls.ts';
import { quotasCommand } from './commands/quotas.ts';
import { usersCommand } from './commands/users.ts';
import { clusterCommand } from './commands/cluster.ts';
import { partitionsCommand } from './commands/partitions.ts';
import { leadersCommand } from './commands/leaders.ts';
import { logDirsCommand } from './commands/log-dirs.ts';
import { configsCommand } from './commands/configs.ts';
import { featuresCommand } from './commands/features.ts';
import { perfCommand } from './commands/perf.ts';
import type { Command } from './commands/command.ts';
import { version } from './version.ts';

export const COMMANDS: readonly Command[] = [
  startCommand,
  storageCommand,
  topicsCommand,
  produceCommand,
  consumeCommand,
  groupsCommand,
  metadataQuorumCommand,
  transactionsCommand,
  producersCommand,
  aclsCommand,
  quotasCommand,
  usersCommand,
  clusterCommand,
  partitionsCommand,
  leadersCommand,
  logDirsCommand,
  configsCommand,
  featuresCommand,
  perfCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: tributary <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `tributary <command> --help` for a command's options; `tributary --version` prints the version.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`tributary ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`tributary: unknown command "${name}"\n\n${usage()}\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  return command.run(rest);
}

// Run when executed directly (`node --import tsx packages/tributary/src/cli.ts start`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
