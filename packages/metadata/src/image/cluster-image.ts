// ClusterImage: the registered brokers (Kafka's org.apache.kafka.image.ClusterImage and
// org.apache.kafka.metadata.BrokerRegistration), and ClusterDelta, which replays the broker records:
//   RegisterBrokerRecord            (re)registers the broker, replacing any previous registration
//   UnregisterBrokerRecord          removes it
//   FenceBrokerRecord / UnfenceBrokerRecord          fenced := true / false (before metadata.version 3.3-IV2)
//   BrokerRegistrationChangeRecord  fenced: 1 fence, -1 unfence, 0 unchanged; inControlledShutdown: 1 sets it;
//                                   LogDirs (v2, JBOD) not empty: the online dirs become those
// A broker's `directories` are the ids of its online log dirs (RegisterBrokerRecord v3 LogDirs,
// sorted, as Kafka's BrokerRegistration keeps them): a replica assigned to another of its dirs is
// offline (directory-id.ts, Kafka's BrokerRegistration.hasOnlineDir).
// Every record but RegisterBrokerRecord names the broker epoch it applies to; a mismatch is an error
// (the log is not one Kafka's controller would have written), as in Kafka's ClusterDelta.
//
// The broker epoch is the offset of the broker's RegisterBrokerRecord, so a restarted broker (a new
// incarnation) always has a larger epoch than before.
import type { BrokerRegistrationChangeRecord, RegisterBrokerRecord } from '@tributary/protocol';
import { BrokerControlledShutdownChange, BrokerFencingChange } from '../records/metadata-record.ts';
import { isDirectoryOnline } from '../records/directory-id.ts';

/** Kafka's SecurityProtocol ids. */
export const SecurityProtocol = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 } as const;

export interface BrokerEndpoint {
  /** The listener name, e.g. PLAINTEXT. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: number;
}

export interface BrokerRegistration {
  readonly id: number;
  readonly epoch: bigint;
  /** A UUID (base64url form) that is new for every start of the broker process. */
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
  /** Supported feature ranges the broker registered with. */
  readonly features: ReadonlyMap<string, { min: number; max: number }>;
  /** The ids of its online log dirs, sorted (empty: registered without, before directory assignment). */
  readonly directories: readonly string[];
}

/** Kafka's BrokerRegistration.hasOnlineDir: whether a replica in `dir` is online on broker `b`. */
export function hasOnlineDir(b: BrokerRegistration, dir: string): boolean {
  return isDirectoryOnline(dir, b.directories);
}

export function brokerFromRecord(r: RegisterBrokerRecord): BrokerRegistration {
  return {
    id: r.brokerId,
    epoch: r.brokerEpoch,
    incarnationId: r.incarnationId,
    endpoints: r.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
    rack: r.rack,
    fenced: r.fenced,
    inControlledShutdown: r.inControlledShutdown,
    features: new Map(r.features.map((f) => [f.name, { min: f.minSupportedVersion, max: f.maxSupportedVersion }])),
    directories: [...r.logDirs].sort(),
  };
}

export class ClusterImage {
  static readonly EMPTY = new ClusterImage(new Map());

  constructor(readonly brokers: ReadonlyMap<number, BrokerRegistration>) {}

  get isEmpty(): boolean {
    return this.brokers.size === 0;
  }

  broker(id: number): BrokerRegistration | undefined {
    return this.brokers.get(id);
  }

  /** Registered broker ids, ascending. */
  brokerIds(): number[] {
    return [...this.brokers.keys()].sort((a, b) => a - b);
  }

  /** Unfenced broker ids, ascending. */
  unfencedBrokerIds(): number[] {
    return this.brokerIds().filter((id) => !this.brokers.get(id)!.fenced);
  }

  isUnfenced(id: number): boolean {
    const b = this.brokers.get(id);
    return b !== undefined && !b.fenced;
  }

  /** Unfenced and not in controlled shutdown (Kafka's ClusterControlManager.isActive): may lead. */
  isActive(id: number): boolean {
    const b = this.brokers.get(id);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  }
}

export class ClusterDelta {
  /** Broker id -> new registration, or null when unregistered. */
  readonly changedBrokers = new Map<number, BrokerRegistration | null>();

  constructor(readonly image: ClusterImage) {}

  broker(id: number): BrokerRegistration | undefined {
    const c = this.changedBrokers.get(id);
    if (c !== undefined) return c ?? undefined;
    return this.image.broker(id);
  }

  private brokerOrThrow(id: number, epoch: bigint, action: string): BrokerRegistration {
    const b = this.broker(id);
    if (!b) throw new Error(`Tried to ${action} broker ${id}, but that broker was not registered.`);
    if (b.epoch !== epoch)
      throw new Error(
        `Tried to ${action} broker ${id}, but the given epoch, ${epoch}, did not match the current broker epoch, ${b.epoch}.`,
      );
    return b;
  }

  replayRegister(r: RegisterBrokerRecord): void {
    this.changedBrokers.set(r.brokerId, brokerFromRecord(r));
  }

  replayUnregister(brokerId: number, brokerEpoch: bigint): void {
    this.brokerOrThrow(brokerId, brokerEpoch, 'unregister');
    this.changedBrokers.set(brokerId, null);
  }

  replayFencing(brokerId: number, epoch: bigint, fenced: boolean): void {
    const b = this.brokerOrThrow(brokerId, epoch, fenced ? 'fence' : 'unfence');
    this.changedBrokers.set(brokerId, { ...b, fenced });
  }

  replayRegistrationChange(r: BrokerRegistrationChangeRecord): void {
    const b = this.brokerOrThrow(r.brokerId, r.brokerEpoch, 'change');
    let fenced = b.fenced;
    if (r.fenced === BrokerFencingChange.FENCE) fenced = true;
    else if (r.fenced === BrokerFencingChange.UNFENCE) fenced = false;
    else if (r.fenced !== BrokerFencingChange.NONE) throw new Error(`unknown fencing change ${r.fenced}`);
    let inControlledShutdown = b.inControlledShutdown;
    if (r.inControlledShutdown === BrokerControlledShutdownChange.IN_CONTROLLED_SHUTDOWN) inControlledShutdown = true;
    else if (r.inControlledShutdown !== BrokerControlledShutdownChange.NONE)
      throw new Error(`unknown controlled shutdown change ${r.inControlledShutdown}`);
    const directories = r.logDirs.length > 0 ? [...r.logDirs].sort() : b.directories;
    this.changedBrokers.set(r.brokerId, { ...b, fenced, inControlledShutdown, directories });
  }

  apply(): ClusterImage {
    if (this.changedBrokers.size === 0) return this.image;
    const brokers = new Map(this.image.brokers);
    for (const [id, b] of this.changedBrokers) {
      if (b) brokers.set(id, b);
      else brokers.delete(id);
    }
    return new ClusterImage(brokers);
  }
}
