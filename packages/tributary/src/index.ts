// @tributary/tributary: the tributary CLI.
export { main, COMMANDS } from './cli.ts';
export type { Command } from './commands/command.ts';
