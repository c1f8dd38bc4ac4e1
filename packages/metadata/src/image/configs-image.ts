// ConfigsImage: the dynamic config overrides per resource (Kafka's org.apache.kafka.image.ConfigurationsImage),
// replayed from ConfigRecords: a value sets the key, null removes it; a resource with no key left
// disappears. Resources are (type, name): TOPIC (2) by topic name, BROKER (4) by broker id ("" for
// the cluster default). Removing a topic removes its TOPIC resource (MetadataDelta does that).
import type { ConfigRecord } from '@tributary/protocol';
import { ConfigResourceType } from '../records/metadata-record.ts';

const key = (type: number, name: string) => `${type}:${name}`;
const EMPTY_CONFIGS: ReadonlyMap<string, string> = new Map();

export class ConfigsImage {
  static readonly EMPTY = new ConfigsImage(new Map());

  /** `${type}:${name}` -> config name -> value. */
  constructor(readonly resources: ReadonlyMap<string, ReadonlyMap<string, string>>) {}

  get isEmpty(): boolean {
    return this.resources.size === 0;
  }

  configs(type: number, name: string): ReadonlyMap<string, string> {
    return this.resources.get(key(type, name)) ?? EMPTY_CONFIGS;
  }

  /** A topic's overrides as a plain object (what TopicConfigs are in the broker). */
  topicConfigs(topic: string): Record<string, string> {
    return Object.fromEntries(this.configs(ConfigResourceType.TOPIC, topic));
  }

  /** Every resource as (type, name, configs). */
  *entries(): Generator<{ type: number; name: string; configs: ReadonlyMap<string, string> }> {
    for (const [k, configs] of this.resources) {
      const i = k.indexOf(':');
      yield { type: Number(k.slice(0, i)), name: k.slice(i + 1), configs };
    }
  }
}

export class ConfigsDelta {
  /** `${type}:${name}` -> config name -> new value (null: removed). */
  readonly changes = new Map<string, Map<string, string | null>>();
  /** Resources removed as a whole (a deleted topic). */
  private readonly removed = new Set<string>();

  constructor(readonly image: ConfigsImage) {}

  replay(r: ConfigRecord): void {
    const k = key(r.resourceType, r.resourceName);
    let c = this.changes.get(k);
    if (!c) {
      c = new Map();
      this.changes.set(k, c);
    }
    c.set(r.name, r.value);
  }

  /** Drops every config of a resource (Kafka's ConfigurationsDelta.replay(RemoveTopicRecord, name)). */
  removeResource(type: number, name: string): void {
    const k = key(type, name);
    this.changes.delete(k);
    this.removed.add(k);
  }

  /** Resources touched by this delta, as `${type}:${name}`. */
  changedResources(): string[] {
    return [...new Set([...this.removed, ...this.changes.keys()])];
  }

  apply(): ConfigsImage {
    if (this.changes.size === 0 && this.removed.size === 0) return this.image;
    const resources = new Map(this.image.resources);
    for (const k of this.removed) resources.delete(k);
    for (const [k, c] of this.changes) {
      const next = new Map(resources.get(k) ?? EMPTY_CONFIGS);
      for (const [name, value] of c) {
        if (value === null) next.delete(name);
        else next.set(name, value);
      }
      if (next.size === 0) resources.delete(k);
      else resources.set(k, next);
    }
    return new ConfigsImage(resources);
  }
}
