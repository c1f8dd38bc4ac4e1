// `tributary storage format|random-uuid`: Kafka's kafka-storage.sh for a Tributary node.
// format writes meta.properties (version 1: cluster.id, node.id, a directory.id) into every log
// directory of the node's configuration (a server.properties file, KAFKA_* environment variables,
// --override), refusing directories formatted for another cluster or node, and already formatted
// ones unless --ignore-formatted. As kafka-storage does, a controller without
// controller.quorum.voters needs --standalone (it starts as a quorum of one) or
// --no-initial-controllers; Tributary writes no voters snapshot for either (its quorum is static),
// nor bootstrap.checkpoint. random-uuid prints a new cluster id. Errors: one line, exit code 1.
import { BrokerConfig, ConfigError, formatNodeStorage, newClusterId } from '@tributary/broker';
import { COMMON_VALUES, parseArgs } from './args.ts';
import { UsageError, type Command } from './command.ts';

const USAGE = `Usage: tributary storage format -t <cluster id> -c <server.properties> [options]
       tributary storage random-uuid

Formats this node's log directories, or prints a new cluster id, as Kafka's kafka-storage.sh.

format options:
  -t, --cluster-id <id>        the cluster id (make one with \`tributary storage random-uuid\`)
  -c, --config <file>          the node's server.properties (KAFKA_* environment variables apply too)
  --override <key=value>       a setting over the file's (repeatable)
  -g, --ignore-formatted       skip directories already formatted for this cluster and node
  -s, --standalone             this controller starts as a quorum of one (needed, or -N, when
                               process.roles contains controller and controller.quorum.voters is not set)
  -N, --no-initial-controllers format without an initial controller set

A node started with CLUSTER_ID in its environment formats its empty log directories itself.`;

const SHORT: Record<string, string> = {
  '-t': '--cluster-id',
  '-c': '--config',
  '-g': '--ignore-formatted',
  '-s': '--standalone',
  '-N': '--no-initial-controllers',
};

function format(args: string[]): number {
  const p = parseArgs(
    args.map((a) => SHORT[a] ?? a),
    { values: ['cluster-id', 'config'], repeated: ['override'], flags: ['ignore-formatted', 'standalone', 'no-initial-controllers'] },
  );
  const common = COMMON_VALUES.find((n) => p.values.has(n));
  if (common) throw new UsageError(`unknown option --${common}`);
  if (p.positional.length) throw new UsageError(`unexpected argument ${p.positional[0]}`);
  const clusterId = p.values.get('cluster-id');
  if (clusterId === undefined) throw new UsageError('--cluster-id (-t) is required');
  const standalone = p.flags.has('standalone');
  const noInitial = p.flags.has('no-initial-controllers');
  if (standalone && noInitial) throw new UsageError('--standalone and --no-initial-controllers cannot be used together');
  const config = BrokerConfig.load({ file: p.values.get('config'), env: process.env, overrides: p.repeated.get('override') ?? [] });
  if (standalone && !config.isController) throw new Error('You can only use --standalone on a controller.');
  if (config.isSet('process.roles') && config.isController && config.quorumVoters.length === 0 && !standalone && !noInitial) {
    throw new Error(
      'Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone or --no-initial-controllers.',
    );
  }
  const r = formatNodeStorage(config, clusterId, { ignoreFormatted: p.flags.has('ignore-formatted') });
  for (const dir of r.formatted) process.stdout.write(`Formatting ${dir} with cluster id ${clusterId} and node id ${config.nodeId}.\n`);
  if (r.formatted.length === 0) process.stdout.write('All of the log directories are already formatted.\n');
  return 0;
}

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'random-uuid') {
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
      process.stdout.write(`${newClusterId()}\n`);
      return 0;
    }
    if (sub === 'format') return format(rest);
    throw new UsageError(sub === undefined ? 'a subcommand is required (format, random-uuid)' : `unknown subcommand "${sub}"`);
  } catch (err) {
    const message = err instanceof ConfigError ? `invalid configuration: ${err.problems.join('; ')}` : (err as Error).message;
    const hint = err instanceof UsageError ? ' (see `tributary storage --help`)' : '';
    process.stderr.write(`tributary storage${sub === 'format' ? ' format' : ''}: ${message}${hint}\n`);
    return 1;
  }
}

export const storageCommand: Command = {
  name: 'storage',
  summary: "format log directories for a cluster, make a cluster id (Kafka's kafka-storage.sh)",
  usage: USAGE,
  run,
};
