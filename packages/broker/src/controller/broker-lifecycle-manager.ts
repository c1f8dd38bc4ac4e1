// BrokerLifecycleManager: a broker's side of its registration with the controller (Kafka's
// BrokerLifecycleManager): registers (a new incarnation id per start; the broker epoch from the
// answer), then heartbeats every `heartbeatIntervalMs` with the metadata offset its image has
// reached, so the controller unfences it once caught up and keeps its session alive. When the
// controller answers STALE_BROKER_EPOCH (its registration was replaced or lost) it registers again.
// A registration refused for another cluster id (INCONSISTENT_CLUSTER_ID) or an unsupported
// metadata.version fails start(); other refusals (a live session of the previous incarnation) are
// retried.
// JBOD (KIP-858): the registration lists the broker's online log dirs (LogDirs: their directory.id);
// every heartbeat lists its failed ones (OfflineLogDirs), and `propagateDirectoryFailure()` sends
// one at once, not at the next interval (Kafka's propagateDirectoryFailure). A dir back online
// is told by `resendBrokerRegistration()`: the same incarnation registers again with its dirs, and
// the controller amends the registration (same broker epoch, state kept).
// `controlledShutdown()` sets WantShutDown, heartbeats at once, and resolves when the controller
// answers ShouldShutDown (its leaderships moved away); heartbeats then stop. Network failures are
// retried by the connection (reconnect with backoff).
//
//   const lifecycle = new BrokerLifecycleManager({ controller: remote, nodeId: 1, endpoints, ... });
//   await lifecycle.start();               // registered
//   await lifecycle.whenUnfenced();        // caught up and unfenced
//   await lifecycle.controlledShutdown();  // before stopping the broker
//   lifecycle.close();
import { randomBytes } from 'node:crypto';
import type { BrokerEndpoint, BrokerHeartbeatReply, BrokerRegistrationRequest, BrokerRegistrationResult } from '@tributary/metadata';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { systemTime, type Cancel, type Time } from '@tributary/storage';
import type { Logger } from '../logger.ts';

/** What the lifecycle manager needs from the controller channel (RemoteController). */
export interface LifecycleController {
  readonly metadataOffset: number;
  registerBroker(req: BrokerRegistrationRequest): Promise<BrokerRegistrationResult>;
  brokerHeartbeat(req: {
    brokerId: number;
    brokerEpoch: bigint;
    currentMetadataOffset: number;
    wantFence: boolean;
    wantShutDown: boolean;
    offlineLogDirs?: readonly string[];
  }): Promise<BrokerHeartbeatReply>;
}

export interface BrokerLifecycleOptions {
  controller: LifecycleController;
  nodeId: number;
  endpoints: readonly BrokerEndpoint[];
  rack?: string | null;
  features?: Readonly<Record<string, readonly [number, number]>>;
  /** broker.heartbeat.interval.ms (default 2000). */
  heartbeatIntervalMs?: number;
  /** Wait before registering again after a refused registration (default 1000). */
  registrationRetryMs?: number;
  time?: Time;
  log: Logger;
  /** Called with each broker epoch the controller assigns (every registration). */
  onBrokerEpoch?: (epoch: bigint) => void;
  /** The directory.id of each online log dir, sent with every registration (default none). */
  logDirs?: () => readonly string[];
  /** The directory.id of each failed log dir, sent with every heartbeat (default none). */
  offlineLogDirs?: () => readonly string[];
}

export type LifecycleState = 'starting' | 'fenced' | 'running' | 'pending-controlled-shutdown' | 'shut-down' | 'closed';

export class BrokerLifecycleManager {
  /** New for every start of the broker process (a Uuid string). */
  readonly incarnationId = newIncarnationId();
  private epoch = -1n;
  private _state: LifecycleState = 'starting';
  private wantShutDown = false;
  private timer: Cancel | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly stateWaiters = new Set<() => void>();
  private readonly time: Time;

  constructor(private readonly options: BrokerLifecycleOptions) {
    this.time = options.time ?? systemTime;
  }

  get brokerEpoch(): bigint {
    return this.epoch;
  }

  get state(): LifecycleState {
    return this._state;
  }

  /** Registers (retrying refusals), heartbeats once, then every interval. */
  async start(): Promise<void> {
    await this.register();
    // the first heartbeat at once (not on a timer): a broker already caught up is unfenced by it
    await this.beat();
  }

  /** Resolves once the controller has unfenced this broker. */
  whenUnfenced(): Promise<void> {
    return this.until(() => this._state === 'running' || this._state === 'pending-controlled-shutdown' || this._state === 'closed');
  }

  /** Asks to shut down; resolves when the controller answers ShouldShutDown. */
  controlledShutdown(): Promise<void> {
    this.wantShutDown = true;
    if (this._state === 'running') this.setState('pending-controlled-shutdown');
    this.schedule(0);
    return this.until(() => this._state === 'shut-down' || this._state === 'closed');
  }

  /** A log dir failed: heartbeats at once, listing it in OfflineLogDirs (Kafka's propagateDirectoryFailure). */
  propagateDirectoryFailure(): void {
    if (this._state === 'starting') return; // the first heartbeat lists it
    this.schedule(0);
  }

  /**
   * Registers again with the same incarnation id and the dirs online now (a dir came back): the
   * controller amends the registration. Heartbeats go on (the next one at once).
   */
  async resendBrokerRegistration(): Promise<void> {
    if (this._state === 'starting' || this._state === 'closed' || this._state === 'shut-down') return;
    await this.register();
    this.schedule(0);
  }

  /** Stops heartbeating (the controller fences the broker once its session times out). */
  close(): void {
    this.timer?.();
    this.timer = null;
    this.setState('closed');
  }

  private async register(): Promise<void> {
    for (;;) {
      if (this._state === 'closed') return;
      const r = await this.options.controller.registerBroker({
        brokerId: this.options.nodeId,
        incarnationId: this.incarnationId,
        endpoints: this.options.endpoints,
        rack: this.options.rack ?? null,
        features: this.options.features,
        logDirs: this.options.logDirs?.() ?? [],
      });
      if (r.errorCode === ErrorCode.NONE) {
        this.epoch = r.brokerEpoch;
        this.options.onBrokerEpoch?.(r.brokerEpoch);
        if (this._state === 'starting') this.setState('fenced');
        this.options.log.info('registered with the controller', {
          brokerId: this.options.nodeId,
          brokerEpoch: String(r.brokerEpoch),
          logDirs: this.options.logDirs?.() ?? [],
        });
        return;
      }
      // another cluster, or a metadata.version this broker cannot run: retrying cannot help
      if (r.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID || r.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const why =
          r.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID
            ? "the controller belongs to another cluster (INCONSISTENT_CLUSTER_ID): check CLUSTER_ID / the log dirs' meta.properties"
            : "the controller's metadata.version is outside this broker's supported range (UNSUPPORTED_VERSION)";
        throw new Error(`broker ${this.options.nodeId} cannot register: ${why}`);
      }
      this.options.log.warn('the controller refused the registration; retrying', { brokerId: this.options.nodeId, errorCode: r.errorCode });
      await new Promise<void>((resolve) => this.time.setTimeout(resolve, this.options.registrationRetryMs ?? 1000));
    }
  }

  private schedule(delayMs: number): void {
    if (this._state === 'closed' || this._state === 'shut-down') return;
    this.timer?.();
    // the timer returns the heartbeat's promise: a MockTime awaits it before running later timers
    this.timer = this.time.setTimeout(() => {
      this.timer = null;
      return this.beat();
    }, delayMs);
  }

  private async beat(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      return this.schedule(0);
    }
    this.inFlight = this.sendHeartbeat().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  private async sendHeartbeat(): Promise<void> {
    let r: BrokerHeartbeatReply;
    try {
      r = await this.options.controller.brokerHeartbeat({
        brokerId: this.options.nodeId,
        brokerEpoch: this.epoch,
        currentMetadataOffset: this.options.controller.metadataOffset - 1,
        wantFence: false,
        wantShutDown: this.wantShutDown,
        offlineLogDirs: this.options.offlineLogDirs?.() ?? [],
      });
    } catch (err) {
      if (this._state !== 'closed') this.options.log.warn('heartbeat failed', { error: err });
      return this.schedule(this.interval);
    }
    if (this._state === 'closed') return;
    if (r.errorCode === ErrorCode.STALE_BROKER_EPOCH) {
      this.options.log.warn('the controller does not know this broker epoch; registering again', { brokerEpoch: String(this.epoch) });
      this.setState('fenced');
      await this.register();
      return this.schedule(0);
    }
    if (r.errorCode !== ErrorCode.NONE) {
      this.options.log.warn('heartbeat refused', { errorCode: r.errorCode });
      return this.schedule(this.interval);
    }
    if (r.shouldShutDown) {
      this.setState('shut-down');
      return;
    }
    if (this.wantShutDown) this.setState('pending-controlled-shutdown');
    else this.setState(r.isFenced ? 'fenced' : 'running');
    // While fenced and catching up, or shutting down, ask again sooner (Kafka: immediately when caught up).
    this.schedule(this._state === 'running' ? this.interval : Math.min(this.interval, 100));
  }

  private get interval(): number {
    return this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  }

  private setState(s: LifecycleState): void {
    if (this._state === 'closed') return;
    this._state = s;
    for (const w of [...this.stateWaiters]) w();
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.stateWaiters.delete(check);
        resolve();
      };
      this.stateWaiters.add(check);
    });
  }
}

/** A random Uuid in Kafka's string form (base64url, 22 characters), never starting with '-'. */
function newIncarnationId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
