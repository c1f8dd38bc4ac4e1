// Records the request frames real Kafka clients send, as fixtures for the codec tests
// (packages/protocol/test/fixtures/frames/<client>-<api>-v<version>.bin, the first frame of each
// API and version per client, without its size prefix). The clients talk to the recording fake
// broker of scripts/capture/fake-broker.ts. Not a test: run by hand with
//   node --import tsx scripts/capture-client-frames.ts [client...]   (e.g. `kafkajs`; default all)
// Clients: kcat (librdkafka) -L, -P, -C and -G; kafka-python and confluent-kafka through
// /usr/bin/python3; KafkaJS (the workspace's npm dev dependency) producer and group consumer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAgainstFakeBroker, type ClientRun } from './capture/fake-broker.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'packages/protocol/test/fixtures/frames');
const PYTHON = '/usr/bin/python3';

const only = process.argv.slice(2);

async function capture(client: string, cmd: string, args: ClientRun['args'], input?: string, timeoutMs?: number): Promise<void> {
  if (only.length && !only.includes(client)) return;
  const seen = new Set<string>();
  await runAgainstFakeBroker({
    label: client,
    cmd,
    args,
    input,
    timeoutMs,
    onRequest(req) {
      const name = `${client}-${req.api}-v${req.apiVersion}.bin`;
      if (seen.has(name)) return;
      seen.add(name);
      writeFileSync(join(OUT, name), req.frame);
      console.log(`  ${name} (${req.frame.length} bytes)`);
    },
  });
}

const KAFKA_PYTHON = `
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1], acks=1, linger_ms=0, request_timeout_ms=5000, api_version_auto_timeout_ms=5000)
p.send('capture', key=b'k', value=b'hello from kafka-python').get(timeout=10)
p.close(timeout=5)
`;
const CONFLUENT = `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'linger.ms': 0, 'enable.idempotence': False})
p.produce('capture', key=b'k', value=b'hello from confluent-kafka')
p.flush(10)
`;
// KafkaJS: a producer sends one message, then a group consumer joins and fetches until it has sent
// a heartbeat (or 4 s pass), then leaves.
const KAFKAJS = `
const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({ clientId: 'kafkajs-capture', brokers: [process.argv[1]], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
(async () => {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'capture', messages: [{ key: 'k', value: 'hello from kafkajs' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'capture-group', heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: ['capture'], fromBeginning: true });
  let beat; const beaten = new Promise((ok) => { beat = ok; });
  consumer.on(consumer.events.HEARTBEAT, () => beat());
  await consumer.run({ eachMessage: async () => {} });
  await Promise.race([beaten, new Promise((ok) => setTimeout(ok, 4000))]);
  await consumer.disconnect();
})().catch((e) => { console.error('kafkajs:', e.message); process.exit(1); });
`;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await capture('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-L', '-t', 'capture', '-m', '5']);
  await capture(
    'kcat',
    'kcat',
    (port) => ['-b', `127.0.0.1:${port}`, '-P', '-t', 'capture', '-p', '0', '-K', ':', '-m', '5'],
    'k1:hello from kcat\nk2:second\n',
  );
  await capture('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-C', '-t', 'capture', '-p', '0', '-o', '0', '-e', '-m', '5']);
  await capture('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-G', 'capture-group', 'capture', '-e', '-m', '5']);
  await capture('kafka-python', PYTHON, (port) => ['-c', KAFKA_PYTHON, `127.0.0.1:${port}`]);
  await capture('confluent-kafka', PYTHON, (port) => ['-c', CONFLUENT, `127.0.0.1:${port}`]);
  await capture('kafkajs', process.execPath, (port) => ['-e', KAFKAJS, `127.0.0.1:${port}`], undefined, 15000);
}

await main();
