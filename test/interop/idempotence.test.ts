// Idempotent producers against the broker, with real clients: kcat (librdkafka,
// enable.idempotence=true), KafkaJS (idempotent: true) and confluent-kafka (enable.idempotence).
// Each must get its own producer id from InitProducerId, and the stored batches must carry it with
// epoch 0 and base sequences that continue batch after batch from 0; offsets contiguous, records
// in order.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { decodeRecordBatches, type DecodedBatch } from '@tributary/protocol';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { PYTHON, needTool } from './tools.ts';

/** Runs a client process without blocking the event loop (the broker runs in this process). */
function run(cmd: string, args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function storedBatches(kafka: TestBroker, topic: string): Promise<DecodedBatch[]> {
  const p = kafka.broker.services.replicas.getPartition(topic, 0);
  assert.ok(p, `${topic}-0 exists`);
  return decodeRecordBatches(p.log.read(0, 1 << 30).records);
}

/** Checks the idempotence fields of the stored batches; returns the producer id they carry. */
function assertIdempotent(batches: DecodedBatch[], values: string[]): bigint {
  assert.ok(batches.length > 1, `several batches (${batches.length})`);
  const pid = batches[0]!.producerId;
  assert.ok(pid >= 0n, 'batches carry a producer id');
  let seq = 0;
  let offset = 0n;
  for (const b of batches) {
    assert.deepEqual([b.producerId, b.producerEpoch, b.baseSequence, b.baseOffset], [pid, 0, seq, offset]);
    seq += b.records.length;
    offset += BigInt(b.records.length);
  }
  assert.deepEqual(
    batches.flatMap((b) => b.records.map((r) => r.value?.toString())),
    values,
  );
  return pid;
}

describe('idempotent producers', { timeout: 60_000 }, () => {
  it('kcat, KafkaJS and confluent-kafka each get their own producer id; batches carry it with contiguous sequences', async (t) => {
    const kafka = await startBroker({ settings: { 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const pids: bigint[] = [];

    // One subtest per third-party tool: a missing tool skips (or, in CI, fails) only its own part.
    await t.test('kcat', async (st) => {
      if (!needTool(st, 'kcat')) return;
      const values = Array.from({ length: 2000 }, (_, i) => `kcat-${i}`);
      const r = await run(
        'kcat',
        [
          '-P',
          '-b',
          kafka.bootstrap,
          '-t',
          'idem-kcat',
          '-K:',
          '-X',
          'enable.idempotence=true',
          '-X',
          'batch.num.messages=100',
          '-X',
          'linger.ms=1',
        ],
        values.map((v, i) => `k${i}:${v}`).join('\n') + '\n',
      );
      assert.equal(r.status, 0, r.stderr);
      pids.push(assertIdempotent(await storedBatches(kafka, 'idem-kcat'), values));
    });

    const client = new Kafka({ brokers: [kafka.bootstrap], clientId: 'idem', logLevel: logLevel.NOTHING });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    await producer.connect();
    const jsValues: string[] = [];
    for (let s = 0; s < 3; s++) {
      const batch = Array.from({ length: 5 }, (_, i) => `js-${s}-${i}`);
      jsValues.push(...batch);
      await producer.send({ topic: 'idem-kafkajs', acks: -1, messages: batch.map((value) => ({ value })) });
    }
    await producer.disconnect();
    pids.push(assertIdempotent(await storedBatches(kafka, 'idem-kafkajs'), jsValues));

    await t.test('confluent-kafka', async (st) => {
      if (!needTool(st, 'confluent-kafka')) return;
      const script = `
import json, sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'linger.ms': 1, 'batch.num.messages': 50})
offsets = []
def done(err, msg):
    offsets.append(-1 if err else msg.offset())
for i in range(500):
    p.produce('idem-confluent', value=('ck-%d' % i).encode(), on_delivery=done)
    p.poll(0)
left = p.flush(20)
print(json.dumps({'left': left, 'offsets': offsets}))
`;
      const r = await run(PYTHON, ['-c', script, kafka.bootstrap]);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { left: number; offsets: number[] };
      assert.deepEqual(out, { left: 0, offsets: Array.from({ length: 500 }, (_, i) => i) });
      pids.push(
        assertIdempotent(
          await storedBatches(kafka, 'idem-confluent'),
          Array.from({ length: 500 }, (_, i) => `ck-${i}`),
        ),
      );
    });
    assert.equal(new Set(pids).size, pids.length, `distinct producer ids ${pids.join(',')}`);
  });
});
