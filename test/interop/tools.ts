// Finds the third-party Kafka clients the interop tests drive: kcat (librdkafka), kafka-python and
// confluent-kafka (Debian's python3-kafka / python3-confluent-kafka, importable by /usr/bin/python3).
// A test that needs a missing tool skips itself on a developer's machine; with
// TRIBUTARY_REQUIRE_INTEROP=1 (set by .ci/run) a missing tool fails the test instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

export const REQUIRE_INTEROP = process.env.TRIBUTARY_REQUIRE_INTEROP === '1';

/** The Python that has Debian's Kafka modules: /usr/bin/python3 first, then whatever is on PATH. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const cache = new Map<string, boolean>();

function probe(name: string, cmd: string, args: string[]): boolean {
  if (!cache.has(name)) {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    cache.set(name, r.status === 0);
  }
  return cache.get(name)!;
}

export type Tool = 'kcat' | 'kafka-python' | 'confluent-kafka' | 'strace';

export function hasTool(tool: Tool): boolean {
  switch (tool) {
    case 'kcat':
      return probe(tool, 'kcat', ['-V']);
    case 'kafka-python':
      return probe(tool, PYTHON, ['-c', 'import kafka']);
    case 'confluent-kafka':
      return probe(tool, PYTHON, ['-c', 'import confluent_kafka']);
    case 'strace':
      return probe(tool, 'strace', ['-V']);
  }
}

/**
 * Returns true when the tool is present. Otherwise skips the test (returns false), or throws when
 * CI requires every interop tool.
 */
export function needTool(t: TestContext, tool: Tool): boolean {
  if (hasTool(tool)) return true;
  if (REQUIRE_INTEROP) throw new Error(`interop tool ${tool} is missing and TRIBUTARY_REQUIRE_INTEROP=1`);
  t.skip(`${tool} is not installed`);
  return false;
}
