// @tributary/cli: the tributary CLI (bin `tributary`).
export { main, COMMANDS } from './cli.ts';
export { run, version } from './main.ts';
export type { Command } from './commands/command.ts';
