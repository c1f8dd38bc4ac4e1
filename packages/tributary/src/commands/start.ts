// `tributary start [server.properties] [--override key=value ...]`: runs one broker in the
// foreground, like Kafka's kafka-server-start.sh. Settings come from defaults, the properties file,
// KAFKA_* environment variables (KAFKA_LOG_DIRS -> log.dirs) and --override, in that order of
// precedence (last wins). Defaults: listener PLAINTEXT://127.0.0.1:9092, data in ./data.
// SIGTERM / SIGINT stop it cleanly (in-flight requests answered); a second signal exits at once;
// under npm (`npm start`, `npx tributary start`) so does losing the npm process (orphan-guard.ts).
// Cluster id: the log dirs' meta.properties, else CLUSTER_ID (empty dirs are formatted with it),
// else a new one when process.roles is not set (a one-node cluster). Roles (Kafka 4's
// process.roles): broker,controller (the default) runs a broker with its own controller, reachable
// by other brokers on its CONTROLLER listener when one is configured; controller runs only the
// controller (ControllerNode); broker follows the controller at controller.quorum.voters. The
// quorum is one voter for now: voters listing several controllers are refused.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Broker, BrokerConfig, ConfigError, ControllerNode, consoleLogger, formatConfigDocs, type LogFormat } from '@tributary/broker';
import { FIRST_QUORUM_CONTROLLER_ID, LocalCluster } from '../cluster/local-cluster.ts';
import { UsageError, type Command } from './command.ts';
import { watchForOrphaning } from './orphan-guard.ts';

const USAGE = `Usage: tributary start [server.properties] [--override key=value ...]
       tributary start --cluster N [--combined | --controllers 3] [--data DIR] [--override key=value ...]

Starts a broker in the foreground. Settings use Kafka's names (listeners, log.dirs, num.partitions,
...); they can also come from KAFKA_* environment variables (KAFKA_LOG_DIRS=/var/lib/tributary).
Defaults: listeners=PLAINTEXT://127.0.0.1:9092, log.dir=./data.
Precedence: defaults < file < KAFKA_* environment < --override.

Without process.roles the node is a one-node cluster (broker and controller) that makes up its
cluster id on first start. With process.roles (Kafka 4 style: node.id, listeners with a
CONTROLLER listener, controller.listener.names, controller.quorum.*) the log dirs must be
formatted first (\`tributary storage format -t <id> -c <file>\`), or CLUSTER_ID set in the
environment: empty log dirs are then formatted with it, as Kafka's container image does.
A node whose log dirs belong to another cluster or node.id refuses to start.

--cluster N starts a local cluster to try replication: a controller process (node 0) and N broker
processes (nodes 1..N, ports 9092..), data in --data (default ./data/cluster); --override settings
apply to every broker (default.replication.factor is min(3, N)). Ctrl-C stops them all.
With --controllers 3 (or 5) there are that many controller processes (nodes 1000..), a Raft
quorum; with --combined there is no controller process: the N nodes are combined
(broker,controller) and form a quorum of N voters (CONTROLLER listeners on the ports after the
brokers'). Losing fewer than half of the voters loses nothing.

Settings:
${formatConfigDocs()}`;

interface StartArgs {
  file?: string;
  overrides: string[];
  /** --cluster N: a local cluster of N broker processes and a controller process. */
  cluster?: number;
  /** --data DIR with --cluster (default ./data/cluster). */
  data?: string;
  /** --combined with --cluster: N combined nodes, N voters. */
  combined?: boolean;
  /** --controllers N with --cluster: N dedicated controller processes (default 1). */
  controllers?: number;
}

export function parseStartArgs(args: string[]): StartArgs {
  const out: StartArgs = { overrides: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--override') {
      const v = args[++i];
      if (v === undefined) throw new UsageError('--override needs key=value');
      out.overrides.push(v);
    } else if (a.startsWith('--override=')) {
      out.overrides.push(a.slice('--override='.length));
    } else if (a === '--cluster') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 9) throw new UsageError('--cluster needs a broker count from 1 to 9');
      out.cluster = n;
    } else if (a === '--combined') {
      out.combined = true;
    } else if (a === '--controllers') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 9) throw new UsageError('--controllers needs a controller count from 1 to 9');
      out.controllers = n;
    } else if (a === '--data') {
      const v = args[++i];
      if (v === undefined) throw new UsageError('--data needs a directory');
      out.data = v;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else if (out.file === undefined) {
      out.file = a;
    } else {
      throw new UsageError(`unexpected argument ${a}`);
    }
  }
  if (out.combined && out.controllers !== undefined) throw new UsageError('--combined nodes are the controllers: no --controllers with it');
  if ((out.combined || out.controllers !== undefined) && out.cluster === undefined)
    throw new UsageError('--combined and --controllers go with --cluster N');
  return out;
}

/** A controller-only node in the foreground (process.roles=controller). */
async function runController(config: BrokerConfig): Promise<number> {
  const log = consoleLogger('info', config.get('tributary.log.format') as LogFormat);
  const node = new ControllerNode(config, { log });
  try {
    await node.start();
  } catch (err) {
    process.stderr.write(`tributary start: cannot start the controller: ${(err as Error).message}\n`);
    await node.stop();
    return 1;
  }
  return untilSignal(
    () => node.stop(),
    () => {
      for (const l of node.listeners) {
        process.stdout.write(`Tributary controller ${config.nodeId} listening on ${l.name}://${l.host || '0.0.0.0'}:${l.boundPort}\n`);
      }
      process.stdout.write(`Data: ${resolve(config.logDirs[0]!)} (cluster id ${node.clusterId})\n`);
      if (node.metricsUrl) process.stdout.write(`Metrics: ${node.metricsUrl}\n`);
    },
  );
}

/**
 * `--cluster N`: a controller process and N broker processes on 127.0.0.1 (LocalCluster), brokers on
 * ports 9092.., the controller on the next; --override settings go to every broker. Data in
 * --data (default ./data/cluster); a restart reuses it (and its cluster id).
 */
async function runLocalCluster(parsed: StartArgs): Promise<number> {
  const dataDir = resolve(parsed.data ?? join('data', 'cluster'));
  const brokerSettings: Record<string, string> = {};
  for (const o of parsed.overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new UsageError(`--override needs key=value (got ${o})`);
    brokerSettings[o.slice(0, eq)] = o.slice(eq + 1);
  }
  const cluster = new LocalCluster({
    brokers: parsed.cluster!,
    dataDir,
    clusterId:
      existingClusterId(
        join(
          dataDir,
          parsed.combined ? 'broker-1' : (parsed.controllers ?? 1) > 1 ? `controller-${FIRST_QUORUM_CONTROLLER_ID}` : 'controller',
        ),
      ) ?? undefined,
    basePort: 9092,
    brokerSettings,
    combined: parsed.combined ?? false,
    controllers: parsed.controllers,
    onLine: (line) => process.stdout.write(`${line}\n`),
  });
  try {
    await cluster.start();
  } catch (err) {
    process.stderr.write(`tributary start: cannot start the cluster: ${(err as Error).message}\n`);
    return 1;
  }
  return untilSignal(
    () => cluster.stop(),
    () => {
      const nodes = parsed.combined
        ? `combined nodes ${cluster.brokerIds.join(', ')} (broker and controller, a quorum of ${cluster.brokerIds.length} voters)`
        : `brokers ${cluster.brokerIds.join(', ')} and controller${cluster.controllerIds.length > 1 ? 's' : ''} ${cluster.controllerIds.join(', ')}`;
      process.stdout.write(`Tributary cluster ${cluster.clusterId}: ${nodes} (one process each)\n`);
      process.stdout.write(`bootstrap.servers=${cluster.bootstrap}\nData: ${dataDir}\n`);
    },
  );
}

/** The cluster.id in `dir`/meta.properties, or null. */
function existingClusterId(dir: string): string | null {
  const file = join(dir, 'meta.properties');
  if (!existsSync(file)) return null;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim() ?? null;
}

/** Runs until SIGTERM / SIGINT, then `stop`; a second signal exits at once. `ready` prints the banner. */
function untilSignal(stop: () => Promise<void>, ready: () => void): Promise<number> {
  return new Promise<number>((done) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting\n`);
        process.exit(1);
      }
      stopping = true;
      process.stdout.write(`${signal}: stopping (finishing in-flight requests)...\n`);
      stop().then(
        () => {
          process.stdout.write('Stopped.\n');
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          done(0);
        },
        (err) => {
          process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
          done(1);
        },
      );
    };
    // handlers first: whoever waits for the banner may signal at once
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // under npm, the parent shell dying from the signal is the signal (orphan-guard.ts)
    const unwatch = watchForOrphaning(() => {
      if (stopping) return; // npm passed the signal on itself, then exited
      process.stdout.write('the npm command that started this broker is gone\n');
      onSignal('SIGTERM');
    });
    process.once('exit', unwatch);
    ready();
  });
}

async function run(args: string[]): Promise<number> {
  let config: BrokerConfig;
  try {
    const parsed = parseStartArgs(args);
    if (parsed.cluster !== undefined) return await runLocalCluster(parsed);
    config = BrokerConfig.load({ file: parsed.file, env: process.env, overrides: parsed.overrides });
  } catch (err) {
    if (err instanceof UsageError) process.stderr.write(`tributary start: ${err.message} (see \`tributary start --help\`)\n`);
    else if (err instanceof ConfigError) process.stderr.write(`tributary start: invalid configuration: ${err.problems.join('; ')}\n`);
    else throw err;
    return 1;
  }
  if (!config.isBroker) return runController(config);
  // the broker's loggers decide what is written (root INFO, changed at runtime with BROKER_LOGGER)
  const log = consoleLogger('debug', config.get('tributary.log.format') as LogFormat);
  const broker = new Broker(config, { log });
  try {
    await broker.start();
  } catch (err) {
    process.stderr.write(`tributary start: cannot start the broker: ${(err as Error).message}\n`);
    await broker.stop();
    return 1;
  }
  return untilSignal(
    () => broker.stop(),
    () => {
      const services = broker.services;
      for (const l of [...broker.listeners, ...broker.controllerListeners]) {
        process.stdout.write(`Tributary broker ${services.nodeId} listening on ${l.name}://${l.host || '0.0.0.0'}:${l.boundPort}\n`);
      }
      const advertised = services.advertisedListeners.map((a) => `${a.name}://${a.host}:${a.port}`).join(',');
      process.stdout.write(`Advertised listeners: ${advertised}\n`);
      process.stdout.write(`Data: ${config.logDirs.map((d) => resolve(d)).join(', ')} (cluster id ${services.clusterId})\n`);
      if (broker.metricsUrl) process.stdout.write(`Metrics: ${broker.metricsUrl}\n`);
    },
  );
}

export const startCommand: Command = {
  name: 'start',
  summary: 'run a broker in the foreground (tributary start [server.properties] [--override k=v ...])',
  usage: USAGE,
  run,
};
