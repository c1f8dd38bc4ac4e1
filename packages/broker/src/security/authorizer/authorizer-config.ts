// The broker's Authorizer from its configuration (Kafka's AuthorizerUtils.createAuthorizer):
// `authorizer.class.name` empty means no authorizer (everything allowed, ACL APIs answer
// SECURITY_DISABLED); Kafka's StandardAuthorizer (KRaft) and AclAuthorizer (ZooKeeper era) names
// both select the StandardAuthorizer over the cluster metadata's ACLs, with `super.users`
// (semicolon-separated principals) and `allow.everyone.if.no.acl.found`. Any other class name is
// refused by the config's validation.
import type { AclsImage } from '@tributary/metadata';
import type { BrokerConfig } from '../../config/broker-config.ts';
import { allowAll, type Authorizer } from '../../server/authorizer.ts';
import { StandardAuthorizer } from './standard-authorizer.ts';

export const AUTHORIZER_CLASS_NAMES = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
] as const;

/** Whether an authorizer is configured (authorizer.class.name is set). */
export function authorizerConfigured(config: BrokerConfig): boolean {
  return config.get('authorizer.class.name') !== '';
}

/** Kafka's super.users: "User:alice;User:bob" (blank entries ignored). */
export function parseSuperUsers(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function createAuthorizer(config: BrokerConfig, acls: () => AclsImage): Authorizer {
  if (!authorizerConfigured(config)) return allowAll;
  return new StandardAuthorizer({
    superUsers: parseSuperUsers(config.get('super.users')),
    allowEveryoneIfNoAclFound: config.get('allow.everyone.if.no.acl.found'),
    acls,
  });
}
