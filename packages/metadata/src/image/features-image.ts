// FeaturesImage: the finalized feature levels of the cluster (Kafka's org.apache.kafka.image.FeaturesImage),
// from FeatureLevelRecords: a level sets the feature, level 0 removes it. metadata.version is one
// of them (the first record of a bootstrapped log). ProducerIdsImage: the next producer id block
// start (Kafka's ProducerIdsImage), from ProducerIdsRecords; -1 before any block was handed out.
import type { FeatureLevelRecord } from '@tributary/protocol';
import { METADATA_VERSION_FEATURE } from '../records/metadata-version.ts';

export class FeaturesImage {
  static readonly EMPTY = new FeaturesImage(new Map());

  constructor(readonly finalizedVersions: ReadonlyMap<string, number>) {}

  get isEmpty(): boolean {
    return this.finalizedVersions.size === 0;
  }

  /** The metadata.version feature level, or undefined before bootstrap. */
  get metadataVersion(): number | undefined {
    return this.finalizedVersions.get(METADATA_VERSION_FEATURE);
  }
}

export class FeaturesDelta {
  readonly changes = new Map<string, number>();

  constructor(readonly image: FeaturesImage) {}

  replay(r: FeatureLevelRecord): void {
    this.changes.set(r.name, r.featureLevel);
  }

  apply(): FeaturesImage {
    if (this.changes.size === 0) return this.image;
    const next = new Map(this.image.finalizedVersions);
    for (const [name, level] of this.changes) {
      if (level === 0) next.delete(name);
      else next.set(name, level);
    }
    return new FeaturesImage(next);
  }
}

export class ProducerIdsImage {
  static readonly EMPTY = new ProducerIdsImage(-1n);

  /** The first producer id of the next block the controller hands out (-1: none handed out yet). */
  constructor(readonly nextProducerId: bigint) {}

  get isEmpty(): boolean {
    return this.nextProducerId === -1n;
  }
}
