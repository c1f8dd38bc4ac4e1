// BROKER_LOGGER config resources (resource type 8, KIP-412): the broker's loggers and their levels
// (log4j-controller.ts), described and altered as Kafka does it.
//
// DescribeConfigs (Kafka's ConfigHelper): the resource name must be this broker's id ("" is
// INVALID_REQUEST "Broker id must not be empty", a non-number "Broker id must be an integer, but it
// is: x", another id "Unexpected broker id, expected 1 but received 2"); every logger is one entry,
// its value the level it works at, source DYNAMIC_BROKER_LOGGER_CONFIG (6), not read-only, not
// sensitive, no synonyms, type UNKNOWN.
//
// IncrementalAlterConfigs (Kafka's RuntimeLoggerManager), after the checks every resource gets
// (duplicate keys, null values): CLUSTER ALTER_CONFIGS or CLUSTER_AUTHORIZATION_FAILED ("Cluster
// authorization failed."); the name must be this broker's id (INVALID_REQUEST "Node id must be an
// integer, but it is: x", or "Unexpected node id. Expected 1, but received 1": Kafka prints its own
// id twice); then each operation is checked before any is applied:
//   SET: the logger must exist (INVALID_CONFIG "Logger x does not exist!") and the level be one of
//     Kafka's LogLevelConfig.VALID_LOG_LEVELS, upper case (FATAL, ERROR, WARN, INFO, DEBUG, TRACE;
//     Log4j's OFF and ALL are not among them): INVALID_CONFIG "Cannot set the log level of x to y as
//     it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN";
//   DELETE: the logger must exist; the root's level cannot be removed (INVALID_REQUEST "Removing the
//     log level of the root logger is not allowed"); a named logger goes back to its ancestor's;
//   APPEND / SUBTRACT: INVALID_REQUEST "APPEND operation is not allowed for the BROKER_LOGGER resource".
// ValidateOnly checks without changing anything. The legacy AlterConfigs does not know the type
// (alter-config-resources.ts answers "Unknown resource type 8").
import { ErrorCode, errorInfo } from '@tributary/protocol';
import type { Log4jController } from '../log4j-controller.ts';
import { ROOT_LOGGER } from '../log4j-controller.ts';
import type { Logger } from '../logger.ts';
import type { ConfigEntry, DescribeOptions, ResourceError } from './config-resources.ts';

/** DescribeConfigs ConfigSource DYNAMIC_BROKER_LOGGER_CONFIG. */
const DYNAMIC_BROKER_LOGGER_CONFIG = 6;

/** Kafka's LogLevelConfig.VALID_LOG_LEVELS, sorted as RuntimeLoggerManager prints them. */
const VALID_LOG_LEVELS = ['DEBUG', 'ERROR', 'FATAL', 'INFO', 'TRACE', 'WARN'];

const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export interface LoggerAlteration {
  name: string;
  configOperation: number;
  value: string | null;
}

const invalidRequest = (errorMessage: string): ResourceError => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
const invalidConfig = (errorMessage: string): ResourceError => ({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage });

/** The loggers of this broker as DescribeConfigs answers a BROKER_LOGGER resource, or its error. */
export function describeBrokerLoggers(
  loggers: Log4jController,
  resourceName: string,
  nodeId: number,
  opts: DescribeOptions,
): { configs: ConfigEntry[] } | ResourceError {
  if (resourceName === '') return invalidRequest('Broker id must not be empty');
  if (!/^[+-]?\d+$/.test(resourceName)) return invalidRequest(`Broker id must be an integer, but it is: ${resourceName}`);
  if (Number(resourceName) !== nodeId) return invalidRequest(`Unexpected broker id, expected ${nodeId} but received ${resourceName}`);
  const wanted = (n: string) => opts.names === null || opts.names.length === 0 || opts.names.includes(n);
  const configs: ConfigEntry[] = [];
  for (const [name, level] of loggers.loggers()) {
    if (!wanted(name)) continue;
    configs.push({
      name,
      value: level,
      readOnly: false,
      isDefault: false,
      configSource: DYNAMIC_BROKER_LOGGER_CONFIG,
      isSensitive: false,
      synonyms: [],
      configType: 0,
      documentation: null,
    });
  }
  return { configs: configs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/**
 * Kafka's RuntimeLoggerManager.applyChangesForResource: checks the resource (see the header) and,
 * unless validateOnly, applies every operation. Null when it succeeded.
 */
export function alterBrokerLoggers(
  loggers: Log4jController,
  resource: { resourceName: string; configs: readonly LoggerAlteration[] },
  o: { nodeId: number; authorized: boolean; validateOnly: boolean; log: Logger },
): ResourceError | null {
  if (!o.authorized)
    return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message };
  const name = resource.resourceName;
  if (!/^[+-]?\d+$/.test(name) || Math.abs(Number(name)) > 2147483647)
    return invalidRequest(`Node id must be an integer, but it is: ${name}`);
  if (Number(name) !== o.nodeId) return invalidRequest(`Unexpected node id. Expected ${o.nodeId}, but received ${o.nodeId}`);
  for (const c of resource.configs) {
    const problem = operationProblem(loggers, c);
    if (problem) return problem;
  }
  if (o.validateOnly) return null;
  for (const c of resource.configs) {
    if (c.configOperation === 0) {
      if (loggers.setLevel(c.name, c.value!)) o.log.warn(`Updated the log level of ${c.name} to ${c.value}`);
      else o.log.error(`Failed to update the log level of ${c.name} to ${c.value}`);
    } else if (loggers.unsetLevel(c.name)) o.log.warn(`Unset the log level of ${c.name}`);
    else o.log.error(`Failed to unset the log level of ${c.name}`);
  }
  return null;
}

/** Kafka's RuntimeLoggerManager.validateLogLevelConfigs for one operation. */
function operationProblem(loggers: Log4jController, c: LoggerAlteration): ResourceError | null {
  const exists = () => (loggers.loggerExists(c.name) ? null : invalidConfig(`Logger ${c.name} does not exist!`));
  switch (c.configOperation) {
    case 0: {
      const missing = exists();
      if (missing) return missing;
      if (c.value === null || !VALID_LOG_LEVELS.includes(c.value))
        return invalidConfig(
          `Cannot set the log level of ${c.name} to ${c.value} as it is not a supported log level. Valid log levels are ${VALID_LOG_LEVELS.join(', ')}`,
        );
      return null;
    }
    case 1: {
      const missing = exists();
      if (missing) return missing;
      if (c.name === ROOT_LOGGER) return invalidRequest(`Removing the log level of the ${ROOT_LOGGER} logger is not allowed`);
      return null;
    }
    case 2:
    case 3:
      return invalidRequest(`${OP_NAMES[c.configOperation]} operation is not allowed for the BROKER_LOGGER resource`);
    default:
      return invalidRequest(`Unknown operation type ${c.configOperation} is not allowed for the BROKER_LOGGER resource`);
  }
}
