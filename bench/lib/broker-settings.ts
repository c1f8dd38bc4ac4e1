// Which settings the broker knows, from `tributary start --help` (cached): scenarios that need a
// setting (e.g. tributary.durability) skip with a note until the broker has it.
import { execFileSync } from 'node:child_process';
import { brokerRoot } from './broker-process.ts';

let cached: string | null = null;

export function brokerKnowsSetting(root: string, name: string): boolean {
  if (cached === null) {
    try {
      cached = execFileSync(process.execPath, ['--import', 'tsx', 'packages/tributary/src/cli.ts', 'start', '--help'], {
        cwd: brokerRoot(root),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 30_000,
      });
    } catch (err) {
      cached = String((err as { stdout?: string }).stdout ?? '');
    }
  }
  return cached.includes(name);
}
