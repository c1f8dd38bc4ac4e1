// DescribeConfigs (API key 32).
//
// Versions: 0-4.
//
// Behaviour (as Kafka's ConfigHelper):
// * TOPIC resources (type 2) describe every topic config Tributary knows: the topic's overrides
//   (DYNAMIC_TOPIC_CONFIG), otherwise the broker-derived defaults (a dynamic broker config the broker
//   applies: DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG; else STATIC_BROKER_CONFIG when
//   the broker setting is set, DEFAULT_CONFIG otherwise). An invalid name is INVALID_TOPIC_EXCEPTION,
//   an unknown topic UNKNOWN_TOPIC_OR_PARTITION ("The topic 'x' does not exist.").
// * BROKER resources (type 4) named with this node's id describe every broker setting from its
//   highest source (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG,
//   DEFAULT_CONFIG; readOnly unless Kafka can change it dynamically) plus any other stored dynamic
//   config; the empty name describes the cluster-wide dynamic defaults; another id is INVALID_REQUEST.
// * BROKER_LOGGER resources (type 8, this node's id) describe the broker's loggers and their levels
//   (config-resources/broker-logger.ts: source DYNAMIC_BROKER_LOGGER_CONFIG); "" or another id is
//   INVALID_REQUEST with Kafka's message.
// * GROUP resources (type 32, Kafka 4's group configs) describe the group's configs
//   (config-resources/group-config.ts: GROUP_CONFIG or DEFAULT_CONFIG; the group needs not exist);
//   "" is INVALID_REQUEST "Group name must not be empty". Stored and described only: Tributary has
//   no KIP-848 consumer protocol or share groups to apply them to.
// * ConfigurationKeys filters by name (null or empty: all; unknown names are left out).
// * PASSWORD settings (ssl.key.password, ...) are sensitive: no value. Results in request order.
// * Authorization first: DESCRIBE_CONFIGS on the topic (else TOPIC_AUTHORIZATION_FAILED), on the
//   group (else GROUP_AUTHORIZATION_FAILED) or, for BROKER and BROKER_LOGGER, on the cluster (else
//   CLUSTER_AUTHORIZATION_FAILED).
//
// Version notes:
// * v0: isDefault.
// * v1: configSource and, with includeSynonyms, the synonyms (the topic override, then the broker
//   names with their static and default values).
// * v3: configType and, with includeDocumentation, the documentation.
//
// Not implemented:
// * client-metrics resources (INVALID_REQUEST "Unsupported resource type: 16")
import { ApiKey, ErrorCode, errorInfo, type DescribeConfigsResponseDescribeConfigsResult } from '@tributary/protocol';
import { topicNameProblem } from '@tributary/metadata';
import {
  ConfigResourceType,
  configAuthorizationError,
  describeBrokerConfigs,
  describeTopicConfigs,
  resolveBrokerResource,
  unsupportedResourceType,
  type DescribeOptions,
} from '../config-resources/config-resources.ts';
import { describeBrokerLoggers } from '../config-resources/broker-logger.ts';
import { describeGroupConfigs } from '../config-resources/group-config.ts';
import { AclOperation, type ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const describeConfigsHandler: ApiHandler<typeof ApiKey.DescribeConfigs> = {
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const s = ctx.services;
    const version = ctx.header.apiVersion;
    const results: DescribeConfigsResponseDescribeConfigsResult[] = [];
    for (const res of request.resources) {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName, configs: [] };
      const fail = (errorCode: number, errorMessage: string) => results.push({ ...base, errorCode, errorMessage });
      const opts: DescribeOptions = {
        names: res.configurationKeys,
        includeSynonyms: version >= 1 && request.includeSynonyms,
        includeDocumentation: version >= 3 && request.includeDocumentation,
      };
      const authorize = (op: AclOperation, type: ResourceType, name: string) => ctx.authorize(op, type, name);
      const denied = configAuthorizationError(authorize, AclOperation.DESCRIBE_CONFIGS, res.resourceType, res.resourceName);
      if (denied !== null) {
        fail(denied, errorInfo(denied).message);
        continue;
      }
      switch (res.resourceType) {
        case ConfigResourceType.TOPIC: {
          const problem = topicNameProblem(res.resourceName);
          if (problem) {
            fail(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
            break;
          }
          if (!s.metadata.topic(res.resourceName)) {
            fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${res.resourceName}' does not exist.`);
            break;
          }
          const overrides = s.metadata.topicConfigs(res.resourceName);
          results.push({
            ...base,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            configs: describeTopicConfigs(overrides, s.config, opts, {
              broker: s.metadata.brokerConfigs(String(s.nodeId)),
              clusterDefault: s.metadata.brokerConfigs(''),
            }),
          });
          break;
        }
        case ConfigResourceType.BROKER: {
          const r = resolveBrokerResource(res.resourceName, s.nodeId);
          if (typeof r !== 'string') {
            fail(r.errorCode, r.errorMessage);
            break;
          }
          const dynamic = { broker: s.metadata.brokerConfigs(String(s.nodeId)), clusterDefault: s.metadata.brokerConfigs('') };
          const configs = describeBrokerConfigs(s.config, dynamic, r === 'node', opts);
          results.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs });
          break;
        }
        case ConfigResourceType.BROKER_LOGGER: {
          const r = describeBrokerLoggers(s.loggers, res.resourceName, s.nodeId, opts);
          if ('configs' in r) results.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: r.configs });
          else fail(r.errorCode, r.errorMessage);
          break;
        }
        case ConfigResourceType.GROUP:
          if (res.resourceName === '') {
            fail(ErrorCode.INVALID_REQUEST, 'Group name must not be empty');
            break;
          }
          results.push({
            ...base,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            configs: describeGroupConfigs(s.metadata.groupConfigs(res.resourceName), s.config, opts),
          });
          break;
        default: {
          const e = unsupportedResourceType(res.resourceType);
          fail(e.errorCode, e.errorMessage);
        }
      }
    }
    // isDefault exists only in v0 (later versions say it with configSource).
    if (version > 0) for (const r of results) for (const c of r.configs) c.isDefault = false;
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.resources.map((r) => ({
      errorCode,
      errorMessage: errorInfo(errorCode).message,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  }),
};
