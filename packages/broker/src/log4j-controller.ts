// Log4jController: the broker's loggers by name and their levels, as Kafka's Log4jController keeps
// them over Log4j (KIP-412: DescribeConfigs / IncrementalAlterConfigs on BROKER_LOGGER resources,
// config-resources/broker-logger.ts). Every logger writes through one sink (the Logger the broker
// was given); a message goes out when its level is enabled for its logger.
//
// Names: Kafka's root logger ("root"), the loggers Kafka's shipped Log4j configuration declares
// (kafka, org.apache.kafka, kafka.request.logger, ...), and one per broker component, named by
// Kafka's class (kafka.server.ReplicaManager, kafka.network.SocketServer, ...). A logger with no
// level of its own takes its nearest existing ancestor's ("kafka.server.ReplicaManager" ->
// "kafka.server" -> "kafka" -> root), as Log4j resolves it. Levels are Log4j's, most to least
// severe: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL; a message at `level` goes out when
// level's rank <= the logger's. Tributary writes error, warn, info and debug messages.
//
// Levels live in memory only: a restart starts again from the root's INFO, as Kafka's KIP-412
// levels do (they are not stored in the metadata log).
import type { Logger } from './logger.ts';

export const ROOT_LOGGER = 'root';

/** Log4j's levels and their ranks (Log4j 2's intLevel: a logger lets through what ranks at or below its own). */
export const LOG4J_LEVELS: Readonly<Record<string, number>> = {
  OFF: 0,
  FATAL: 100,
  ERROR: 200,
  WARN: 300,
  INFO: 400,
  DEBUG: 500,
  TRACE: 600,
  ALL: Number.MAX_SAFE_INTEGER,
};

/** The loggers Kafka's config/log4j2.yaml declares, with their levels (the root is INFO). */
const KAFKA_DECLARED_LOGGERS: Readonly<Record<string, string>> = {
  kafka: 'INFO',
  'org.apache.kafka': 'INFO',
  'kafka.request.logger': 'WARN',
  'kafka.network.RequestChannel$': 'WARN',
  'org.apache.kafka.controller': 'INFO',
  'kafka.log.LogCleaner': 'INFO',
  'state.change.logger': 'INFO',
  'kafka.authorizer.logger': 'INFO',
};

type MessageLevel = 'debug' | 'info' | 'warn' | 'error';
const MESSAGE_RANK: Record<MessageLevel, number> = { error: 200, warn: 300, info: 400, debug: 500 };

export class Log4jController {
  /** Logger name -> its own level (null: its ancestor's). The root always has one. */
  private readonly levels = new Map<string, string | null>();

  constructor(
    private readonly sink: Logger,
    rootLevel = 'INFO',
  ) {
    this.levels.set(ROOT_LOGGER, rootLevel);
    // Kafka's INFO loggers take the root's start level (tributary.log.level), the quieter ones keep theirs
    for (const [name, level] of Object.entries(KAFKA_DECLARED_LOGGERS)) this.levels.set(name, level === 'INFO' ? rootLevel : level);
  }

  /** The logger named `name` (created, with no level of its own, if it does not exist yet). */
  logger(name: string): Logger {
    if (!this.levels.has(name)) this.levels.set(name, null);
    const out = (level: MessageLevel) => (msg: string, fields?: Record<string, unknown>) => {
      if (MESSAGE_RANK[level] <= LOG4J_LEVELS[this.levelOf(name)]!) this.sink[level](msg, fields, name);
    };
    return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
  }

  loggerExists(name: string): boolean {
    return this.levels.has(name);
  }

  /** The level a logger works at: its own, else its nearest existing ancestor's, else the root's. */
  levelOf(name: string): string {
    let n = name;
    for (;;) {
      const own = this.levels.get(n);
      if (own !== undefined && own !== null) return own;
      const dot = n.lastIndexOf('.');
      if (dot <= 0) return this.levels.get(ROOT_LOGGER)!;
      n = n.slice(0, dot);
    }
  }

  /** Every logger with the level it works at (Kafka's Log4jController.loggers), root first. */
  loggers(): Map<string, string> {
    const out = new Map<string, string>();
    for (const name of this.levels.keys()) out.set(name, this.levelOf(name));
    return out;
  }

  /** Sets a logger's own level (Kafka's logLevel); false for a logger that does not exist or a blank level. */
  setLevel(name: string, level: string): boolean {
    const upper = level.trim().toUpperCase();
    if (!this.levels.has(name) || !(upper in LOG4J_LEVELS)) return false;
    this.levels.set(name, upper);
    return true;
  }

  /** Removes a logger's own level: it takes its ancestor's again (Kafka's unsetLogLevel). The root keeps its own. */
  unsetLevel(name: string): boolean {
    if (!this.levels.has(name) || name === ROOT_LOGGER) return false;
    this.levels.set(name, null);
    return true;
  }
}
