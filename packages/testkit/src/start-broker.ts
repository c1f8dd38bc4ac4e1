// startBroker: one in-process Tributary broker for tests (ours and our users'): a free port on
// 127.0.0.1, a temporary data directory removed on stop, no Docker, no JVM.
//
//   const kafka = await startBroker();            // { broker, bootstrap, port, dataDir, stop }
//   // ... point a client at kafka.bootstrap ('127.0.0.1:<port>')
//   await kafka.stop();
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, BrokerConfig, silentLogger, type BrokerOptions, type ConfigSources } from '@tributary/broker';

export interface StartBrokerOptions extends BrokerOptions {
  /** Broker settings by Kafka name (e.g. { 'num.partitions': 3 }); listeners and log.dirs default to a free port and a temp dir. */
  settings?: ConfigSources['settings'];
  /** Use this data directory instead of a temporary one (it is then kept on stop). */
  dataDir?: string;
  /** Keep the temporary data directory on stop (to restart a broker onto it). */
  keepDataDir?: boolean;
}

export interface TestBroker {
  broker: Broker;
  /** `127.0.0.1:<port>`, for a client's bootstrap.servers. */
  bootstrap: string;
  port: number;
  dataDir: string;
  /** Stops the broker and removes the temporary data directory. */
  stop(): Promise<void>;
}

export async function startBroker(opts: StartBrokerOptions = {}): Promise<TestBroker> {
  const { settings, dataDir: givenDir, keepDataDir, ...brokerOptions } = opts;
  const dataDir = givenDir ?? (await mkdtemp(join(tmpdir(), 'tributary-')));
  const removeDir = !givenDir && !keepDataDir;
  let broker: Broker;
  let port: number;
  try {
    const config = BrokerConfig.load({
      settings: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, ...settings },
    });
    broker = new Broker(config, { log: silentLogger, shutdownTimeoutMs: 5_000, ...brokerOptions });
    port = await broker.start();
  } catch (err) {
    if (removeDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopped: Promise<void> | null = null;
  return {
    broker,
    bootstrap: `127.0.0.1:${port}`,
    port,
    dataDir,
    stop() {
      stopped ??= (async () => {
        await broker.stop();
        if (removeDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
