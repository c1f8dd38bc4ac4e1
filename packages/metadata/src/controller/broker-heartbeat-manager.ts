// BrokerHeartbeatManager: the controller's soft state about broker liveness (Kafka's
// BrokerHeartbeatManager with its BrokerHeartbeatTracker): per broker, the last heartbeat (the
// session), the metadata offset it reported, and the offset at which its controlled shutdown is
// complete. Nothing here is in the metadata log: a restarted controller starts empty, as Kafka's
// new active controller does. Whether a broker is fenced or in controlled shutdown is read from the
// image (the records), the rest from here.
//
// Sessions: a broker's session starts with its first heartbeat and expires once more than
// `sessionTimeoutMs` has passed since its last one (Kafka's `timeNs + sessionTimeoutNs < nowNs`).
// A registration ends the previous session. A controller that starts (or restarts) gives every
// unfenced broker in its image a provisional session from that moment (Kafka's
// ClusterControlManager.activate): one that never heartbeats again is fenced once it expires, so a
// broker that died while the controller was down loses its leaderships. A provisional session does
// not make a new registration of that broker id a duplicate (the broker restarting with the
// controller, as a combined node does, registers at once).
//
// The next state of a broker that heartbeats (Kafka's calculateNextBrokerState):
//   FENCED              WantShutDown -> SHUTDOWN_NOW; WantFence -> FENCED; caught up (reported
//                       offset >= the offset of its RegisterBrokerRecord, its epoch) -> UNFENCED
//   UNFENCED            WantFence -> FENCED (with WantShutDown: SHUTDOWN_NOW); WantShutDown ->
//                       CONTROLLED_SHUTDOWN if it leads a partition, else SHUTDOWN_NOW
//   CONTROLLED_SHUTDOWN SHUTDOWN_NOW once it leads nothing and every active broker (unfenced, not
//                       shutting down, heartbeating) has reported an offset at or past the one that
//                       completed its controlled shutdown; else CONTROLLED_SHUTDOWN
import type { MetadataImage } from '../image/metadata-image.ts';

export const BrokerControlState = {
  FENCED: 'FENCED',
  UNFENCED: 'UNFENCED',
  CONTROLLED_SHUTDOWN: 'CONTROLLED_SHUTDOWN',
  SHUTDOWN_NOW: 'SHUTDOWN_NOW',
} as const;
export type BrokerControlState = (typeof BrokerControlState)[keyof typeof BrokerControlState];

/** Whether a broker in this state is fenced (Kafka's BrokerControlState.fenced()). */
export function isFencedState(s: BrokerControlState): boolean {
  return s === BrokerControlState.FENCED || s === BrokerControlState.SHUTDOWN_NOW;
}

export interface HeartbeatIntent {
  brokerId: number;
  /** The highest metadata offset the broker has applied. */
  currentMetadataOffset: number;
  wantFence: boolean;
  wantShutDown: boolean;
}

interface BrokerHeartbeatState {
  epoch: bigint;
  /** The last heartbeat (ms), or null when there is no session. */
  lastContactMs: number | null;
  metadataOffset: number;
  /** The offset that completes the controlled shutdown; -1 when not shutting down. */
  controlledShutdownOffset: number;
  /** Started by the controller's start, not by a heartbeat yet (see the header). */
  provisional: boolean;
}

export class BrokerHeartbeatManager {
  private readonly brokers = new Map<number, BrokerHeartbeatState>();

  constructor(readonly sessionTimeoutMs: number) {}

  /** A new registration (broker epoch): its previous session and shutdown state end. */
  register(brokerId: number, epoch: bigint): void {
    this.brokers.set(brokerId, { epoch, lastContactMs: null, metadataOffset: -1, controlledShutdownOffset: -1, provisional: false });
  }

  /** A session from `nowMs` for an unfenced broker the starting controller found in its image. */
  startProvisionalSession(brokerId: number, epoch: bigint, nowMs: number): void {
    this.brokers.set(brokerId, { epoch, lastContactMs: nowMs, metadataOffset: -1, controlledShutdownOffset: -1, provisional: true });
  }

  remove(brokerId: number): void {
    this.brokers.delete(brokerId);
  }

  /** A heartbeat was answered: the session is renewed; a broker left fenced leaves controlled shutdown. */
  touch(brokerId: number, epoch: bigint, fenced: boolean, metadataOffset: number, nowMs: number): void {
    const b = this.state(brokerId, epoch);
    b.lastContactMs = nowMs;
    b.provisional = false;
    b.metadataOffset = metadataOffset;
    if (fenced) b.controlledShutdownOffset = -1;
  }

  /** Records the offset that completes a controlled shutdown (only the first one counts). */
  maybeUpdateControlledShutdownOffset(brokerId: number, epoch: bigint, offset: number): void {
    const b = this.state(brokerId, epoch);
    if (b.controlledShutdownOffset < 0) b.controlledShutdownOffset = offset;
  }

  /** The offset that completes the broker's controlled shutdown, or -1. */
  controlledShutdownOffset(brokerId: number): number {
    return this.brokers.get(brokerId)?.controlledShutdownOffset ?? -1;
  }

  /** Whether the broker has a session that has not expired at `nowMs`. */
  hasValidSession(brokerId: number, epoch: bigint, nowMs: number): boolean {
    const b = this.brokers.get(brokerId);
    return b !== undefined && !b.provisional && b.epoch === epoch && b.lastContactMs !== null && !this.isExpired(b.lastContactMs, nowMs);
  }

  /** Ends every expired session and returns them (the caller fences those still current). */
  removeExpired(nowMs: number): Array<{ brokerId: number; brokerEpoch: bigint }> {
    const out: Array<{ brokerId: number; brokerEpoch: bigint }> = [];
    for (const [brokerId, b] of this.brokers) {
      if (b.lastContactMs !== null && this.isExpired(b.lastContactMs, nowMs)) {
        b.lastContactMs = null;
        out.push({ brokerId, brokerEpoch: b.epoch });
      }
    }
    return out.sort((a, b) => a.brokerId - b.brokerId);
  }

  /** The first instant a session will have expired (last contact + timeout + 1 ms), or null. */
  nextExpiryAt(): number | null {
    let at: number | null = null;
    for (const b of this.brokers.values()) {
      if (b.lastContactMs === null) continue;
      const t = b.lastContactMs + this.sessionTimeoutMs + 1;
      if (at === null || t < at) at = t;
    }
    return at;
  }

  /** The lowest metadata offset an active broker reported (Long.MAX_VALUE in Kafka when none: Infinity). */
  lowestActiveOffset(image: MetadataImage): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const [id, b] of this.brokers) {
      const reg = image.cluster.broker(id);
      if (!reg || reg.epoch !== b.epoch || reg.fenced || b.controlledShutdownOffset >= 0 || b.lastContactMs === null || b.provisional)
        continue;
      lowest = Math.min(lowest, b.metadataOffset);
    }
    return lowest;
  }

  /** The broker's state now: in controlled shutdown (here), else fenced or not (the image). */
  currentState(image: MetadataImage, brokerId: number): BrokerControlState {
    const reg = image.cluster.broker(brokerId);
    if (!reg || reg.fenced) return BrokerControlState.FENCED;
    const b = this.brokers.get(brokerId);
    if (b && b.epoch === reg.epoch && b.controlledShutdownOffset >= 0) return BrokerControlState.CONTROLLED_SHUTDOWN;
    return BrokerControlState.UNFENCED;
  }

  /** Kafka's calculateNextBrokerState (see the header); `registerOffset` is the broker epoch. */
  nextState(image: MetadataImage, req: HeartbeatIntent, registerOffset: number): { current: BrokerControlState; next: BrokerControlState } {
    const current = this.currentState(image, req.brokerId);
    const leads = () => leadsAnyPartition(image, req.brokerId);
    const next = (s: BrokerControlState) => ({ current, next: s });
    switch (current) {
      case BrokerControlState.FENCED:
        if (req.wantShutDown) return next(BrokerControlState.SHUTDOWN_NOW);
        if (!req.wantFence && req.currentMetadataOffset >= registerOffset) return next(BrokerControlState.UNFENCED);
        return next(BrokerControlState.FENCED);
      case BrokerControlState.UNFENCED:
        if (req.wantFence) return next(req.wantShutDown ? BrokerControlState.SHUTDOWN_NOW : BrokerControlState.FENCED);
        if (req.wantShutDown) return next(leads() ? BrokerControlState.CONTROLLED_SHUTDOWN : BrokerControlState.SHUTDOWN_NOW);
        return next(BrokerControlState.UNFENCED);
      case BrokerControlState.CONTROLLED_SHUTDOWN: {
        if (leads()) return next(BrokerControlState.CONTROLLED_SHUTDOWN);
        const done = this.controlledShutdownOffset(req.brokerId) <= this.lowestActiveOffset(image);
        return next(done ? BrokerControlState.SHUTDOWN_NOW : BrokerControlState.CONTROLLED_SHUTDOWN);
      }
      default:
        return next(BrokerControlState.SHUTDOWN_NOW);
    }
  }

  private state(brokerId: number, epoch: bigint): BrokerHeartbeatState {
    let b = this.brokers.get(brokerId);
    if (!b || b.epoch !== epoch) {
      b = { epoch, lastContactMs: null, metadataOffset: -1, controlledShutdownOffset: -1, provisional: false };
      this.brokers.set(brokerId, b);
    }
    return b;
  }

  private isExpired(lastContactMs: number, nowMs: number): boolean {
    return lastContactMs + this.sessionTimeoutMs < nowMs;
  }
}

/** Whether the broker leads at least one partition (Kafka's BrokersToIsrs.hasLeaderships). */
export function leadsAnyPartition(image: MetadataImage, brokerId: number): boolean {
  for (const t of image.topics.topics()) {
    for (const p of t.partitions.values()) if (p.leader === brokerId) return true;
  }
  return false;
}
