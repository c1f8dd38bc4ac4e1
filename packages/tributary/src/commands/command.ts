// A CLI command: what `tributary <name>` runs. `run` resolves to the process exit code (a
// long-running command such as `start` resolves when it has stopped).
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {}
