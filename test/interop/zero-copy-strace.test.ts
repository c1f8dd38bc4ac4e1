// Zero-copy fetch seen from the kernel (issue 18): the broker runs as a process under
// `strace -f -e trace=sendfile` while kcat (librdkafka) consumes a large topic; the record bytes
// must have left through sendfile(2) from the topic's segment file, all of them exactly once, and
// kcat must have consumed every offset. The issue asks for 500 MB; 120 MB keeps the test within
// ~20 s on a loaded CI machine (producing the topic dominates) and still takes hundreds of
// sendfile calls. With tributary.zero.copy.enable=false the same consume makes no sendfile call.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CompressionType, encodeRecordBatchSync } from '@tributary/protocol';
import { sendfile } from '@tributary/sendfile';
import { runOk, startBrokerProcess } from './harness.ts';
import { needTool } from './tools.ts';
import { createTopic, produceBatch } from './wire-client.ts';

const TOTAL_MB = 120;
const RECORD_BYTES = 1024;
const PER_BATCH = 900;

interface Traced {
  calls: number;
  bytes: number;
  /** Bytes sent from files under the topic's directory. */
  fromSegments: number;
}

/** Sums the sendfile calls of an strace -y log: `sendfile(9<TCP:...>, 31</dir/...log>, [0] => [n], len) = n`. */
function traced(file: string, topicDir: string): Traced {
  const out: Traced = { calls: 0, bytes: 0, fromSegments: 0 };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /sendfile\(\d+<[^>]*>, \d+<([^>]*)>.*\)\s+=\s+(\d+)/.exec(line);
    if (!m) continue;
    out.calls++;
    out.bytes += Number(m[2]);
    if (m[1]!.startsWith(topicDir)) out.fromSegments += Number(m[2]);
  }
  return out;
}

/**
 * SIGKILLs the broker traced under strace (strace killed first would detach and leave it running):
 * the process whose command line names our data dir, other than strace itself.
 */
function killTracedBroker(dataDir: string): void {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.includes(dataDir)) && !cmd[0]!.endsWith('strace')) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function logBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

async function consumeUnderStrace(t: TestContext, zeroCopy: boolean): Promise<{ trace: Traced; stored: number; records: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-strace-'));
  const traceFile = join(dataDir, 'strace.log');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const broker = await startBrokerProcess(
    join(dataDir, 'data'),
    { 'num.partitions': 1, 'tributary.zero.copy.enable': String(zeroCopy) },
    30_000,
    ['strace', '-f', '-qq', '--seccomp-bpf', '-y', '-e', 'trace=sendfile', '-e', 'signal=none', '-o', traceFile],
  );
  t.after(() => {
    killTracedBroker(dataDir);
    return broker.kill();
  });
  assert.match(broker.output(), zeroCopy ? /Fetch path: zero-copy/ : /Fetch path: copy path/);
  const topic = 'big';
  await createTopic(broker.port, topic, 1);
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  const batches = Math.ceil((TOTAL_MB * 1024 * 1024) / (RECORD_BYTES * PER_BATCH));
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: PER_BATCH }, (_, i) => ({ key: null, value, timestamp: 1_700_000_000_000 + b * PER_BATCH + i }));
    await produceBatch(broker.port, topic, encodeRecordBatchSync({ records, compression: CompressionType.None }));
  }
  const records = batches * PER_BATCH;
  // kcat prints each record's offset only (the payloads are checked by the byte counts)
  const out = await runOk('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\\n'], {
    timeoutMs: 120_000,
  });
  const offsets = out.split('\n').filter((l) => l.trim());
  assert.equal(offsets.length, records);
  assert.equal(Number(offsets[0]), 0);
  assert.equal(Number(offsets.at(-1)), records - 1);
  const topicDir = join(dataDir, 'data', `${topic}-0`);
  const stored = logBytes(topicDir);
  killTracedBroker(dataDir);
  await broker.kill();
  return { trace: traced(traceFile, topicDir), stored, records };
}

describe('zero-copy fetch under strace', { skip: sendfile === null ? 'the sendfile addon is not built' : false, timeout: 240_000 }, () => {
  it(`kcat consumes ${TOTAL_MB} MB: every record byte leaves through sendfile from the segment, once`, async (t) => {
    if (!needTool(t, 'kcat') || !needTool(t, 'strace')) return;
    const { trace, stored } = await consumeUnderStrace(t, true);
    assert.ok(stored >= TOTAL_MB * 1024 * 1024, `${stored} bytes stored`);
    assert.equal(
      trace.fromSegments,
      stored,
      `sendfile sent ${trace.fromSegments} bytes from the segment (${trace.calls} calls); ${stored} stored`,
    );
    assert.equal(trace.bytes, trace.fromSegments, 'sendfile sends nothing but segment bytes');
  });

  it('with tributary.zero.copy.enable=false the same consume makes no sendfile call', async (t) => {
    if (!needTool(t, 'kcat') || !needTool(t, 'strace')) return;
    const { trace } = await consumeUnderStrace(t, false);
    assert.equal(trace.calls, 0);
  });
});
