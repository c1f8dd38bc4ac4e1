// AlterConfigs (API key 33): the legacy, whole-set form.
//
// Versions: 0-2.
//
// Behaviour:
// * TOPIC resources: the topic's overrides are replaced by exactly the given set (names left out
//   return to their defaults; null values are dropped, as Kafka does), validated as Kafka's
//   LogConfig does: an unknown name or a bad value is INVALID_CONFIG with Kafka's message and
//   changes nothing; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION.
// * Accepted configs are stored durably (they survive a restart) and applied at once to the
//   running partitions (retention, segment size/roll, flush, index interval, max.message.bytes,
//   timestamp type, compression, min.insync.replicas).
// * A config name given twice is INVALID_REQUEST ("Error due to duplicate config keys"); a
//   resource given twice, INVALID_REQUEST ("Duplicate resource.").
// * BROKER resources (this node's id, or "" for the cluster-wide default): the resource's dynamic
//   broker configs become exactly the given set, checked as Kafka's DynamicBrokerConfig does
//   (config-resources/dynamic-broker-config.ts: read-only Kafka settings, unprefixed SSL stores,
//   bad values, per-broker settings at the default level are INVALID_REQUEST; then the
//   configuration they would make: "requirement failed: ..." cross-checks, the cleaner's thread
//   limits), stored through the controller as BROKER ConfigRecords, described as
//   DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG and applied to the running broker where
//   Tributary implements the setting (metadata/dynamic-config-publisher.ts). Names Kafka does not
//   know are stored (custom properties).
// * GROUP resources (Kafka 4's group configs): the group's configs become exactly the given set,
//   validated by the controller as Kafka's GroupConfig (config-resources/group-config.ts); stored and
//   described, not applied (Tributary has no KIP-848 consumer protocol).
// * BROKER_LOGGER resources: INVALID_REQUEST "Unknown resource type 8", as Kafka (only
//   IncrementalAlterConfigs changes log levels).
// * Authorization, after the duplicate and validity checks: ALTER_CONFIGS on the topic (else
//   TOPIC_AUTHORIZATION_FAILED), on the group (else GROUP_AUTHORIZATION_FAILED) or, for BROKER, on
//   the cluster (else CLUSTER_AUTHORIZATION_FAILED), each with Kafka's message.
// * ValidateOnly checks without changing anything. Results in request order.
//
// Not implemented:
// * alter-config policies
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { alterConfigErrors, alterConfigResources } from '../config-resources/alter-config-resources.ts';
import { ConfigResourceType } from '../config-resources/config-resources.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const alterConfigsHandler: ApiHandler<typeof ApiKey.AlterConfigs> = {
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const s = ctx.services;
    const responses = await alterConfigResources(request.resources, {
      nodeId: s.nodeId,
      config: s.config,
      storedBrokerConfigs: (name) => s.metadata.brokerConfigs(name),
      authorize: (op, type, name) => ctx.authorize(op, type, name),
      onControllerListener: s.config.controllerListenerNames.includes(ctx.connection.listenerName.toUpperCase()),
      brokerConfigsAfter: (res) => ({
        configs: Object.fromEntries(res.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string])),
      }),
      async alterBroker(res, configs) {
        const [r] = await s.controller.alterConfigs([{ resourceType: res.resourceType, resourceName: res.resourceName, configs }], {
          validateOnly: request.validateOnly,
        });
        if (!r) throw new Error('the controller answered no resource');
        if (r.errorCode === ErrorCode.NONE && !request.validateOnly)
          s.log.info('dynamic broker configs replaced', { resource: res.resourceName, configs: Object.keys(configs).join(',') });
        return r;
      },
      async alterThroughController(res) {
        const configs = Object.fromEntries(res.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value]));
        const [r] = await s.controller.alterConfigs([{ resourceType: res.resourceType, resourceName: res.resourceName, configs }], {
          validateOnly: request.validateOnly,
        });
        if (!r) throw new Error('the controller answered no resource');
        if (r.errorCode === ErrorCode.NONE && !request.validateOnly)
          s.log.info(`${res.resourceType === ConfigResourceType.GROUP ? 'group' : 'topic'} configs replaced`, {
            resource: res.resourceName,
            configs: Object.keys(configs).join(','),
          });
        return r;
      },
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, responses: alterConfigErrors(request.resources, errorCode) }),
};
