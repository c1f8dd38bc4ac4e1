// A consumer group member for the groups interop tests, with KafkaJS or @platformatic/kafka.
// Config: one JSON argument {lib, bootstrap, group, topic, sessionTimeoutMs}. Prints JSON lines:
// {"assigned": [partitions]} when the assignment changes, {"rec": [p, o]} per record processed;
// commits after processing each record. SIGTERM: disconnect (leave group).
if (!Promise.withResolvers) {
  // @platformatic/kafka 2.x uses Promise.withResolvers (Node 22+).
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
const cfg = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let last = null;
const report = (parts) => {
  const s = JSON.stringify([...parts].sort((a, b) => a - b));
  if (s !== last) {
    last = s;
    out({ assigned: JSON.parse(s) });
  }
};

if (cfg.lib === 'kafkajs') {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: cfg.clientId ?? 'kafkajs',
    brokers: [cfg.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 20 },
  });
  const consumer = kafka.consumer({
    groupId: cfg.group,
    sessionTimeout: cfg.sessionTimeoutMs,
    heartbeatInterval: 300,
    rebalanceTimeout: 5000,
    maxWaitTimeInMs: 100,
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => report(e.payload.memberAssignment[cfg.topic] ?? []));
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      out({ rec: [partition, Number(message.offset)] });
      await consumer.commitOffsets([{ topic: cfg.topic, partition, offset: String(Number(message.offset) + 1) }]);
    },
  });
  process.on('SIGTERM', async () => {
    await consumer.disconnect();
    process.exit(0);
  });
} else {
  const { Consumer } = await import('@platformatic/kafka');
  const consumer = new Consumer({
    groupId: cfg.group,
    clientId: cfg.clientId ?? 'platformatic',
    bootstrapBrokers: [cfg.bootstrap],
    sessionTimeout: cfg.sessionTimeoutMs,
    heartbeatInterval: 300,
    rebalanceTimeout: 5000,
    maxWaitTime: 100,
  });
  const stream = await consumer.consume({ topics: [cfg.topic], autocommit: false, mode: 'committed', fallbackMode: 'earliest' });
  const timer = setInterval(
    () => report((consumer.assignments ?? []).filter((a) => a.topic === cfg.topic).flatMap((a) => a.partitions)),
    50,
  );
  stream.on('data', async (m) => {
    stream.pause();
    out({ rec: [m.partition, Number(m.offset)] });
    await m.commit();
    stream.resume();
  });
  process.on('SIGTERM', async () => {
    clearInterval(timer);
    await stream.close().catch(() => {});
    await consumer.close(true).catch(() => {});
    process.exit(0);
  });
}
