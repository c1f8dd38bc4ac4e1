// Starts a Broker on 127.0.0.1:0 with a temporary data dir, for the broker package's own tests
// (the testkit package depends on this one, so these tests do not use it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, type BrokerOptions } from '../../src/broker.ts';
import { BrokerConfig, type ConfigSources } from '../../src/config/broker-config.ts';
import { silentLogger } from '../../src/logger.ts';

/** `keep`: do not remove the data dir on stop (restart tests); `settings['log.dirs']` reuses a dir. */
export async function startTestBroker(
  settings: ConfigSources['settings'] = {},
  options: BrokerOptions = {},
  opts: { keep?: boolean } = {},
) {
  const given = settings?.['log.dirs'];
  const dataDir = typeof given === 'string' ? given : mkdtempSync(join(tmpdir(), 'tributary-broker-test-'));
  const config = BrokerConfig.load({ settings: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, ...settings } });
  const broker = new Broker(config, { log: silentLogger, ...options });
  const port = await broker.start();
  return {
    broker,
    port,
    dataDir,
    async stop() {
      await broker.stop();
      if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
