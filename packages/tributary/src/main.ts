// The `tributary` command's entry point (the package's bin runs it): `--version` answers without
// loading the broker, the client or the commands, so it starts at once; every other invocation
// loads ./cli.ts (the commands) and runs it.
import { pathToFileURL } from 'node:url';
import { version } from './version.ts';

export { version };

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(`tributary ${version()}\n`);
    return 0;
  }
  const { main } = await import('./cli.ts');
  return main(argv);
}

// Run when executed directly (`node dist/main.js --version`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2));
}
