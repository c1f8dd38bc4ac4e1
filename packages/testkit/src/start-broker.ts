// startBroker: one in-process Tributary broker for tests (ours and our users'): a free port on
// 127.0.0.1 (or a fixed one), a temporary data directory removed on stop, topics created before it
// is handed out, no Docker, no JVM. group.initial.rebalance.delay.ms is 0 unless set, so a consumer
// group is ready as soon as its members joined (Kafka's default of 3 s is for production).
//
//   const kafka = await startBroker({ topics: [{ name: 'orders', partitions: 3 }] });
//   // ... point a client at kafka.bootstrap ('127.0.0.1:<port>')
//   await kafka.produce('orders', ['a', 'b']);  await kafka.consumeUntil('orders', { count: 2 });
//   kafka.faults.delay('Fetch', 500);           // fault injection at the request handlers
//   await kafka.restart();                       // same port, same data
//   await kafka.stop();
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, BrokerConfig, silentLogger, type BrokerOptions, type ConfigSources } from '@tributary/broker';
import { clientHelpers, createTopic, type ClientHelpers, type TopicSpec } from './client-helpers.ts';
import { RequestFaults } from './request-faults.ts';

/** Settings the testkit gives every broker unless the test sets them. */
export const TESTKIT_DEFAULT_SETTINGS: Readonly<Record<string, number>> = {
  'group.initial.rebalance.delay.ms': 0,
};

export interface StartBrokerOptions extends BrokerOptions {
  /** Broker settings by Kafka name (e.g. { 'num.partitions': 3 }); listeners and log.dirs default to a free port and a temp dir. */
  settings?: ConfigSources['settings'];
  /** The port to listen on (default: a free one). */
  port?: number;
  /** Topics to create before startBroker resolves (a name, or name, partitions, replication factor, configs). */
  topics?: Array<string | TopicSpec>;
  /** Use this data directory instead of a temporary one (it is then kept on stop). */
  dataDir?: string;
  /** Keep the temporary data directory on stop (to restart a broker onto it). */
  keepDataDir?: boolean;
}

export interface TestBroker extends ClientHelpers {
  /** The running broker (a new one after restart()). */
  broker: Broker;
  /** `127.0.0.1:<port>`, for a client's bootstrap.servers. */
  bootstrap: string;
  port: number;
  dataDir: string;
  /** Faults injected at this broker's request handlers (delay, drop, disconnect; see request-faults.ts). */
  faults: RequestFaults;
  /** Stops the broker (a clean shutdown) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops the broker and removes the temporary data directory. */
  stop(): Promise<void>;
}

export async function startBroker(opts: StartBrokerOptions = {}): Promise<TestBroker> {
  const { settings, port: fixedPort, topics, dataDir: givenDir, keepDataDir, ...brokerOptions } = opts;
  const dataDir = givenDir ?? (await mkdtemp(join(tmpdir(), 'tributary-')));
  const removeDir = !givenDir && !keepDataDir;
  const faults = new RequestFaults();
  const registry = brokerOptions.registry ?? faults.registry();
  const launch = async (port: number) => {
    const config = BrokerConfig.load({
      settings: { ...TESTKIT_DEFAULT_SETTINGS, listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dataDir, ...settings },
    });
    const broker = new Broker(config, { log: silentLogger, shutdownTimeoutMs: 5_000, ...brokerOptions, registry });
    return { broker, port: await broker.start() };
  };
  let first: { broker: Broker; port: number } | undefined;
  try {
    first = await launch(fixedPort ?? 0);
    if (topics?.length) await createTopic(`127.0.0.1:${first.port}`, ...topics);
  } catch (err) {
    await first?.broker.stop();
    if (removeDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopped: Promise<void> | null = null;
  const test: TestBroker = {
    broker: first.broker,
    bootstrap: `127.0.0.1:${first.port}`,
    port: first.port,
    dataDir,
    faults,
    ...clientHelpers(() => test.bootstrap),
    async restart() {
      if (stopped) throw new Error('the broker was stopped');
      faults.clear();
      await test.broker.stop();
      test.broker = (await launch(test.port)).broker;
    },
    stop() {
      stopped ??= (async () => {
        faults.clear();
        await test.broker.stop();
        if (removeDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  return test;
}
