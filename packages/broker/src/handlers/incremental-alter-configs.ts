// IncrementalAlterConfigs (API key 44).
//
// Versions: 0-1.
//
// Behaviour:
// * Per TOPIC resource, operations on the topic's overrides: SET (0) sets a value; DELETE (1)
//   removes an override (back to the default; deleting a name that is not set is a no-op); APPEND
//   (2) / SUBTRACT (3) add or remove items of a list config (cleanup.policy; starting from the
//   effective value), else INVALID_CONFIG ("Config value append is not allowed for config key: x").
// * The resulting set is validated as a whole as Kafka's LogConfig does (INVALID_CONFIG with
//   Kafka's message; nothing changes on error), stored durably and applied at once to the running
//   partitions.
// * Checks before that, as Kafka's ConfigAdminManager: a name given twice is INVALID_REQUEST
//   ("Error due to duplicate config keys"); a null value for anything but DELETE is
//   INVALID_REQUEST ("Null value not supported for : a, b"); an unknown operation,
//   INVALID_REQUEST; a resource given twice, INVALID_REQUEST ("Duplicate resource.").
// * Unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
// * BROKER resources (this node's id, or "" for the cluster-wide default): the operations apply to
//   the resource's stored dynamic broker configs (APPEND / SUBTRACT only on LIST settings, starting
//   from the default: else INVALID_CONFIG "Config value append is not allowed for config key: x",
//   "Unknown config name: x"); the result is checked as Kafka's DynamicBrokerConfig does
//   (config-resources/dynamic-broker-config.ts, then the configuration it would make) and stored
//   through the controller; the broker applies it where Tributary implements the setting
//   (metadata/dynamic-config-publisher.ts).
// * GROUP resources (Kafka 4's group configs): SET / DELETE on the group's configs, validated by the
//   controller as Kafka's GroupConfig (config-resources/group-config.ts); APPEND / SUBTRACT are
//   INVALID_CONFIG. Stored and described, not applied (Tributary has no KIP-848 consumer protocol).
// * BROKER_LOGGER resources (this node's id): SET / DELETE the level of the broker's loggers, at
//   once, in memory (config-resources/broker-logger.ts: Kafka's RuntimeLoggerManager checks and
//   messages).
// * Authorization, after the duplicate and validity checks: ALTER_CONFIGS on the topic (else
//   TOPIC_AUTHORIZATION_FAILED), on the group (else GROUP_AUTHORIZATION_FAILED) or, for BROKER and
//   BROKER_LOGGER, on the cluster (else CLUSTER_AUTHORIZATION_FAILED), each with Kafka's message.
// * ValidateOnly checks without changing anything. Results in request order.
//
// Not implemented:
// * alter-config policies
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { AlterConfigOp } from '@tributary/metadata';
import { alterConfigErrors, alterConfigResources } from '../config-resources/alter-config-resources.ts';
import { alterBrokerLoggers } from '../config-resources/broker-logger.ts';
import { ConfigResourceType } from '../config-resources/config-resources.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import { BROKER_CONFIG_DEFS, type ConfigDef } from '../config/definitions.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const OPS: ReadonlyArray<AlterConfigOp['op']> = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export const incrementalAlterConfigsHandler: ApiHandler<typeof ApiKey.IncrementalAlterConfigs> = {
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, request) {
    const s = ctx.services;
    const responses = await alterConfigResources(request.resources, {
      nodeId: s.nodeId,
      config: s.config,
      storedBrokerConfigs: (name) => s.metadata.brokerConfigs(name),
      authorize: (op, type, name) => ctx.authorize(op, type, name),
      onControllerListener: s.config.controllerListenerNames.includes(ctx.connection.listenerName.toUpperCase()),
      brokerConfigsAfter(res) {
        const next: Record<string, string> = { ...s.metadata.brokerConfigs(res.resourceName) };
        for (const c of res.configs) {
          const op = OPS[c.configOperation]!;
          if (op === 'SET') next[c.name] = c.value!;
          else if (op === 'DELETE') delete next[c.name];
          else {
            const def = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[c.name];
            if (!def) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown config name: ${c.name}` };
            if (def.type !== 'list') {
              const verb = op === 'APPEND' ? 'append' : 'subtract';
              return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Config value ${verb} is not allowed for config key: ${c.name}` };
            }
            const dflt = Array.isArray(def.default) ? def.default.join(',') : '';
            const cur = (next[c.name] ?? dflt).split(',').filter((x) => x !== '');
            const items = c.value!.split(',');
            next[c.name] = (
              op === 'APPEND' ? [...cur, ...items.filter((x) => !cur.includes(x))] : cur.filter((x) => !items.includes(x))
            ).join(',');
          }
        }
        return { configs: next };
      },
      async alterBroker(res, configs) {
        const [r] = await s.controller.alterConfigs([{ resourceType: res.resourceType, resourceName: res.resourceName, configs }], {
          validateOnly: request.validateOnly,
        });
        if (!r) throw new Error('the controller answered no resource');
        if (r.errorCode === ErrorCode.NONE && !request.validateOnly)
          s.log.info('dynamic broker configs altered', { resource: res.resourceName, configs: Object.keys(configs).join(',') });
        return r;
      },
      alterBrokerLogger: (res) =>
        alterBrokerLoggers(s.loggers, res, {
          nodeId: s.nodeId,
          authorized: ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME),
          validateOnly: request.validateOnly,
          log: s.log,
        }),
      validate(res) {
        const badOp = res.configs.find((c) => OPS[c.configOperation] === undefined);
        if (badOp)
          return {
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Unknown alter config operation ${badOp.configOperation} for config ${badOp.name}`,
          };
        const nulls = res.configs.filter((c) => c.configOperation !== 1 && c.value === null).map((c) => c.name);
        if (nulls.length > 0)
          return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Null value not supported for : ${nulls.join(', ')}` };
        return null;
      },
      async alterThroughController(res) {
        const ops: AlterConfigOp[] = res.configs.map((c) => ({ name: c.name, op: OPS[c.configOperation]!, value: c.value }));
        const [r] = await s.controller.incrementalAlterConfigs([{ resourceType: res.resourceType, resourceName: res.resourceName, ops }], {
          validateOnly: request.validateOnly,
        });
        if (!r) throw new Error('the controller answered no resource');
        if (r.errorCode === ErrorCode.NONE && !request.validateOnly)
          s.log.info(`${res.resourceType === ConfigResourceType.GROUP ? 'group' : 'topic'} configs altered`, {
            resource: res.resourceName,
            ops: ops.map((o) => `${o.op} ${o.name}`).join(','),
          });
        return r;
      },
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, responses: alterConfigErrors(request.resources, errorCode) }),
};
