// This package's version: its package.json, one directory above both src/ and dist/ (read at call
// time, nothing else loaded, so `tributary --version` answers at once).
import { readFileSync } from 'node:fs';

export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
